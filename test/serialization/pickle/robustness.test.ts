/**
 * Hostile and broken input: every truncation fails cleanly, random corruption only ever raises
 * UnpicklingError, huge lengths fail before allocating, deep or cyclic data neither hangs nor
 * overflows the stack, and consecutive pickles load from memory or a file through a window.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { MemorySource } from "../../../src/io/memory.ts";
import { NodeFileSource } from "../../../src/io/node-file.ts";
import { PyFloat, PyGlobal, orderedDict, setPyAttribute, tuple } from "../../../src/python/index.ts";
import {
  type GlobalHandler,
  type UnpickleOptions,
  UnpicklingError,
  Unpickler,
  pickle,
  unpickle,
} from "../../../src/serialization/pickle/index.ts";
import { fromHex, runScript } from "../../scripts/python.ts";

const bytes = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class FakeTensor {
  constructor(readonly storage: string, readonly shape: number[]) {}
}

class StorageRef {
  constructor(readonly key: string) {}
}

/** A checkpoint-shaped pickle: state dict with _metadata, tensors as REDUCE + persistent ids, optimizer state. */
function checkpoint(): Uint8Array {
  const tensors = ["0", "1", "2"].map((key, i) => new FakeTensor(key, [i + 1, 3]));
  const sd = orderedDict([["fc.weight", tensors[0]], ["fc.bias", tensors[1]], ["bn.running_mean", tensors[2]], ["bn.num_batches_tracked", 7]]);
  setPyAttribute(sd, "_metadata", orderedDict([["", { version: 1 }], ["bn", { version: 2 }]]));
  const value = {
    model: sd,
    optimizer: {
      state: new Map([[0, { step: new PyFloat(3), exp_avg: tensors[0] }]]),
      param_groups: [{ lr: 0.001, betas: tuple(0.9, 0.999), eps: 1e-8, amsgrad: false, params: [0, 1] }],
    },
    epoch: 12,
    note: "héllo",
    big: 2n ** 80n,
    blob: new Uint8Array([1, 2, 3]),
  };
  return pickle(value, {
    persistentId: (v) => (v instanceof StorageRef ? tuple("storage", new PyGlobal("torch", "FloatStorage"), v.key, "cpu", 6) : undefined),
    reduceValue: (v) =>
      v instanceof FakeTensor
        ? {
            module: "torch._utils",
            name: "_rebuild_tensor_v2",
            args: [new StorageRef(v.storage), 0, tuple(...v.shape), tuple(v.shape[1], 1), false, orderedDict()],
          }
        : undefined,
  });
}

const rebuild: GlobalHandler = {
  call: (args) => {
    if (args.length < 5) throw new UnpicklingError("BAD_VALUE", "_rebuild_tensor_v2 needs 5+ arguments");
    return { tensor: args[0] };
  },
};
const torchOptions: UnpickleOptions = {
  globals: { "torch._utils._rebuild_tensor_v2": rebuild, "torch.FloatStorage": {} },
  persistentLoad: (pid) => ({ pid }),
};

describe("truncation", () => {
  const samples: Array<[string, Uint8Array]> = [["checkpoint (protocol 2, written here)", checkpoint()]];
  const python = runScript<string[]>("run_inline.py", [
    "import json,pickle,collections; v={'a': [1, 2.5, 'x' * 3, (None, True)], 'b': collections.OrderedDict(c=b'\\x00\\xff'), 'n': -2**70, 's': {1, 2}}; print(json.dumps([pickle.dumps(v, p).hex() for p in (0, 4, 5)]))",
  ]);
  python.forEach((hex, i) => samples.push([`Python protocol ${[0, 4, 5][i]}`, fromHex(hex)]));
  for (const [name, data] of samples) {
    it(`every prefix of a ${name} pickle fails with TRUNCATED`, () => {
      assert.doesNotThrow(() => unpickle(data, torchOptions));
      for (let k = 0; k < data.length; k++) {
        assert.throws(
          () => unpickle(data.subarray(0, k), torchOptions),
          (e: unknown) => e instanceof UnpicklingError && e.code === (k === 0 ? "EOF" : "TRUNCATED"),
          `prefix of ${k} bytes`,
        );
      }
    });
  }
  it("names the problem like CPython", () => {
    assert.throws(() => unpickle(bytes("\x80\x02X\x05\x00\x00\x00ab")), { message: "pickle data was truncated" });
    assert.throws(() => unpickle(new Uint8Array(0)), { message: "Ran out of input" });
  });
});

describe("random corruption", () => {
  it("raises only UnpicklingError on 4000 seeded byte flips", () => {
    const base = checkpoint();
    const random = rng(1234);
    let loaded = 0;
    const codes = new Map<string, number>();
    const start = performance.now();
    for (let round = 0; round < 4000; round++) {
      const data = base.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
      try {
        unpickle(data, torchOptions);
        loaded++;
      } catch (error) {
        if (!(error instanceof UnpicklingError)) {
          assert.fail(`round ${round}: ${String(error)}\n${Buffer.from(data).toString("hex")}`);
        }
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
    }
    assert.ok(performance.now() - start < 10_000, "fuzzing took too long");
    assert.ok(loaded > 0 && codes.size > 5, `loaded ${loaded}, codes ${[...codes.keys()]}`);
  });
  it("raises only UnpicklingError on random bytes after a PROTO header", () => {
    const random = rng(99);
    for (let round = 0; round < 3000; round++) {
      const data = new Uint8Array(2 + Math.floor(random() * 40));
      data[0] = 0x80;
      data[1] = 2;
      for (let i = 2; i < data.length; i++) data[i] = Math.floor(random() * 256);
      try {
        unpickle(data, torchOptions);
      } catch (error) {
        if (!(error instanceof UnpicklingError)) assert.fail(`${String(error)}\n${Buffer.from(data).toString("hex")}`);
      }
    }
  });
});

describe("hostile lengths and structures", () => {
  const expectCode = (data: Uint8Array, code: string, message?: RegExp) =>
    assert.throws(
      () => unpickle(data, torchOptions),
      (e: unknown) => e instanceof UnpicklingError && e.code === code && (!message || message.test(e.message)),
    );
  it("rejects huge lengths before allocating", () => {
    const u64 = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(n);
      return b.toString("latin1");
    };
    expectCode(bytes(`\x80\x04\x8d${u64(2n ** 60n)}`), "TRUNCATED");
    expectCode(bytes(`\x80\x04\x8e${u64(2n ** 63n)}`), "TRUNCATED");
    expectCode(bytes(`\x80\x05\x96${u64(2n ** 64n - 1n)}`), "TRUNCATED");
    expectCode(bytes("\x80\x02X\xff\xff\xff\xff"), "TRUNCATED");
    expectCode(bytes("\x80\x02\x8b\xff\xff\xff\x7f"), "TOO_LARGE");
    expectCode(bytes("\x80\x02\x8b\xff\xff\xff\xff"), "BAD_VALUE");
    expectCode(bytes("\x80\x02T\xff\xff\xff\xff"), "BAD_VALUE");
    expectCode(bytes(`\x80\x04\x95${u64(2n ** 62n)}`), "TRUNCATED");
    expectCode(bytes(`I${"9".repeat(5000)}\n.`), "TOO_LARGE");
  });
  it("names unknown opcodes by byte and offset", () => {
    expectCode(bytes("\x80\x02\xff"), "UNKNOWN_OPCODE", /0xff.*offset 2/);
    expectCode(bytes("\x80\x06N."), "UNSUPPORTED_PROTOCOL", /unsupported pickle protocol: 6/);
    expectCode(bytes("\x80\x05\x97."), "UNSUPPORTED_OPCODE", /NEXT_BUFFER/);
  });
  it("reports stack, mark and memo errors", () => {
    expectCode(bytes("\x80\x02a."), "STACK_UNDERFLOW");
    expectCode(bytes("\x80\x02](a."), "STACK_UNDERFLOW");
    expectCode(bytes("\x80\x02e."), "MARK_MISSING");
    expectCode(bytes("\x80\x020."), "MARK_MISSING");
    expectCode(bytes("\x80\x02h\x05."), "MEMO_MISSING", /index 5/);
    expectCode(bytes("\x80\x02."), "STACK_UNDERFLOW");
    expectCode(bytes("\x80\x02)K\x01a."), "NOT_ALLOWED", /append to lists, but got tuple/);
    expectCode(bytes("\x80\x02]K\x01K\x02s."), "NOT_ALLOWED", /SETITEM .* but got list/);
    expectCode(bytes("\x80\x02}(K\x01u."), "BAD_VALUE", /odd number/);
    expectCode(bytes("\x80\x02X\x02\x00\x00\x00\xff\xfe."), "BAD_VALUE", /utf-8/);
    expectCode(bytes("\x80\x02K\x01)\x81."), "NOT_ALLOWED");
    expectCode(bytes("\x80\x02K\x01K\x02R."), "BAD_VALUE", /REDUCE arguments must be a tuple/);
    expectCode(bytes("I12x\n."), "BAD_VALUE");
    expectCode(bytes("Fabc\n."), "BAD_VALUE");
    expectCode(bytes("S'abc\n."), "BAD_VALUE", /quoted/);
  });
  it("reports the offset of the failing opcode", () => {
    try {
      unpickle(bytes("\x80\x02K\x01h\x09."));
      assert.fail("should throw");
    } catch (error) {
      assert.ok(error instanceof UnpicklingError);
      assert.equal(error.offset, 4);
    }
  });
  it("bounds nesting: MARKs and containers", () => {
    expectCode(bytes(`\x80\x02${"(".repeat(2000)}`), "TOO_DEEP", /MARK/);
    expectCode(bytes(`\x80\x02${"]".repeat(1500)}${"a".repeat(1499)}.`), "TOO_DEEP", /containers/);
    const ok = unpickle(bytes(`\x80\x02${"]".repeat(500)}${"a".repeat(499)}.`));
    assert.ok(Array.isArray(ok));
    const low = { maxDepth: 10 };
    assert.throws(() => unpickle(bytes(`\x80\x02${"]".repeat(20)}${"a".repeat(19)}.`), low), /deeper than 10/);
  });
  it("builds cyclic structures without looping", () => {
    const list = unpickle(bytes("\x80\x02]q\x00h\x00a.")) as unknown[];
    assert.equal(list[0], list);
    const many = unpickle(bytes(`\x80\x02]q\x00${"h\x00a".repeat(5000)}.`)) as unknown[];
    assert.equal(many.length, 5000);
    assert.equal(many[4999], many);
    const dict = unpickle(bytes("\x80\x02}q\x00X\x02\x00\x00\x00meh\x00s.")) as Record<string, unknown>;
    assert.equal(dict.me, dict);
    const tupleInList = unpickle(bytes("\x80\x02]q\x00h\x00\x85q\x01a.")) as unknown[];
    assert.equal((tupleInList[0] as unknown[])[0], tupleInList);
  });
  it("writes through to a dict already used as a value", () => {
    // d = {}; l = [d]; d['k'] = 1 (the SETITEM comes after d was appended to l).
    const value = unpickle(bytes("\x80\x02]q\x00}q\x01ah\x01X\x01\x00\x00\x00kK\x01s0h\x00.")) as Array<Record<string, number>>;
    assert.equal(value[0].k, 1);
    // ... but an int key cannot go into what became a plain object.
    assert.throws(
      () => unpickle(bytes("\x80\x02]q\x00}q\x01ah\x01K\x01K\x01s0h\x00.")),
      (e: unknown) => e instanceof UnpicklingError && e.code === "BAD_VALUE",
    );
  });
  it("refuses to mutate frozen handler results", () => {
    const frozen: UnpickleOptions = { globals: { "m.f": { call: () => Object.freeze([]) } } };
    assert.throws(() => unpickle(bytes("\x80\x02cm\nf\n)RK\x01a."), frozen), /APPEND on a list that cannot be modified/);
  });
});

describe("streams of pickles", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsorch-pickle-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const stream = runScript<string[]>("run_inline.py", [
    [
      "import io,json,pickle",
      "f = io.BytesIO()",
      "pickle.dump(0x1950a86a20f9469cfc6c, f, 2)",
      "pickle.dump(1001, f, 2)",
      "pickle.dump({'protocol_version': 1001, 'little_endian': True}, f, 2)",
      "pickle.dump(['x' * (i % 50) for i in range(30000)], f, 0)",
      "pickle.dump(list(range(100000)), f, 2)",
      "f.write(b'\\x00' * 10)",
      "print(json.dumps([f.getvalue().hex()]))",
    ].join("\n"),
  ])[0];
  const data = fromHex(stream);

  const readAll = (unpickler: Unpickler) => {
    const values = [];
    for (let i = 0; i < 5; i++) values.push(unpickler.load());
    return values;
  };
  const check = (values: unknown[], unpickler: Unpickler) => {
    assert.equal(values[0], 0x1950a86a20f9469cfc6cn);
    assert.equal(values[1], 1001);
    assert.deepEqual(values[2], { protocol_version: 1001, little_endian: true });
    assert.equal((values[3] as string[])[29999], "x".repeat(29999 % 50));
    assert.equal((values[4] as number[]).length, 100000);
    assert.equal(unpickler.position, data.length - 10);
    assert.ok(unpickler.hasMore());
  };

  it("loads consecutive pickles from memory and reports the position", () => {
    const unpickler = new Unpickler(data);
    check(readAll(unpickler), unpickler);
  });
  it("loads them through a window from a MemorySource and a file", () => {
    const fromSource = new Unpickler(new MemorySource(data));
    check(readAll(fromSource), fromSource);
    const path = join(dir, "stream.bin");
    writeFileSync(path, data);
    const file = new NodeFileSource(path);
    try {
      const fromFile = new Unpickler(file);
      check(readAll(fromFile), fromFile);
      assert.throws(() => fromFile.load(), (e: unknown) => e instanceof UnpicklingError && e.code === "UNKNOWN_OPCODE");
    } finally {
      file.close();
    }
  });
  it("starts at a given position", () => {
    const first = new Unpickler(data);
    first.load();
    const second = new Unpickler(data, {}, first.position);
    assert.equal(second.load(), 1001);
  });
  it("reports EOF at the end of the input", () => {
    const unpickler = new Unpickler(bytes("K\x01."));
    assert.equal(unpickler.load(), 1);
    assert.throws(() => unpickler.load(), (e: unknown) => e instanceof UnpicklingError && e.code === "EOF");
  });
});
