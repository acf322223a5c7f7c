/**
 * Bad input to torch.load: every failure is a typed error (CheckpointError, or the ZipError / UnpicklingError of the
 * layer that found the problem, each with a code), never a crash, a hang or a huge allocation. Truncation at every
 * byte, corrupt central directories, records shorter than their storage, absurd sizes, views outside their storage,
 * deep and cyclic pickles, unknown opcodes, empty and random files, zips without data.pkl.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { MemorySink } from "../../../src/io/memory.ts";
import { Pickler, UnpicklingError } from "../../../src/serialization/pickle/index.ts";
import { ZipError, ZipReader, ZipWriter } from "../../../src/serialization/zip/index.ts";
import { MemorySource } from "../../../src/io/memory.ts";
import { orderedDict } from "../../../src/python/dict.ts";
import { PyGlobal } from "../../../src/python/global.ts";
import { Tuple, tuple } from "../../../src/python/tuple.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures");

type TypedError = torch.CheckpointError | ZipError | UnpicklingError;

/** Runs a load; returns the typed error it threw, or undefined when it loaded. Anything else fails the test. */
function tryLoad(bytes: Uint8Array, options: torch.LoadOptions = {}): TypedError | undefined {
  try {
    torch.loadSync(bytes, options);
    return undefined;
  } catch (error) {
    if (error instanceof torch.CheckpointError || error instanceof ZipError || error instanceof UnpicklingError) {
      assert.ok(error.message.length > 10, `uninformative message: ${error.message}`);
      return error;
    }
    throw new Error(`untyped error: ${(error as Error)?.stack ?? String(error)}`);
  }
}

function mustFail(bytes: Uint8Array, options: torch.LoadOptions = {}): TypedError {
  const error = tryLoad(bytes, options);
  assert.ok(error, "expected the load to fail");
  return error;
}

/** A zip archive with the given records (stored, 64-byte aligned, as torch.save writes). */
function archive(entries: [string, Uint8Array | string][]): Uint8Array {
  const sink = new MemorySink();
  const zip = new ZipWriter(sink);
  for (const [name, data] of entries) zip.add(name, data);
  zip.finish();
  return sink.bytes();
}

/** The records of an archive, to rebuild it with changes. */
function records(bytes: Uint8Array): [string, Uint8Array][] {
  const zip = ZipReader.open(new MemorySource(bytes));
  return zip.names().map((name) => [name, zip.read(name).slice()]);
}

/** A storage reference for `tensorPickle`. */
class Storage {
  constructor(readonly pid: Tuple<unknown>) {}
}
/** A `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())` call for `tensorPickle`. */
class Rebuild {
  constructor(readonly storage: Storage, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
}

/** A data.pkl with hand-made tensors and storages. */
function tensorPickle(value: unknown): Uint8Array {
  return new Pickler({
    persistentId: (v) => (v instanceof Storage ? v.pid : undefined),
    reduceValue: (v) =>
      v instanceof Rebuild
        ? { module: "torch._utils", name: "_rebuild_tensor_v2", args: [v.storage, v.offset, Tuple.from(v.size), Tuple.from(v.stride), false, orderedDict()] }
        : undefined,
  }).dump(value);
}

const floatStorage = (key: string, numel: number | bigint) => new Storage(tuple("storage", new PyGlobal("torch", "FloatStorage"), key, "cpu", numel));

function checkpoint(pickle: Uint8Array, data: Record<string, Uint8Array> = {}): Uint8Array {
  return archive([["archive/data.pkl", pickle], ...Object.entries(data).map(([k, v]) => [`archive/data/${k}`, v] as [string, Uint8Array]), ["archive/version", "3\n"]]);
}

const small = () => torch.serialization.saveToBytes({
  w: torch.arange(6, undefined, 1, { dtype: torch.float32 }).reshape(2, 3),
  b: tuple(1, 0.5, "x"),
  t: torch.arange(6, undefined, 1, { dtype: torch.float32 }).reshape(2, 3).t(),
});

suite("truncated files", () => {
  it("every cut point of a small zip checkpoint gives a typed error", () => {
    const bytes = small();
    assert.ok(tryLoad(bytes) === undefined);
    const codes = new Set<string>();
    const start = performance.now();
    for (let n = 0; n < bytes.length; n++) codes.add(mustFail(bytes.subarray(0, n)).code);
    assert.ok(performance.now() - start < 20_000, "too slow: a hang?");
    assert.ok(codes.size >= 2, `codes seen: ${[...codes]}`);
  });

  it("every cut point of a legacy checkpoint gives a typed error", () => {
    const bytes = readFileSync(join(FIXTURES, "burn-store-reader", "legacy_shared_storage.pt"));
    assert.ok(tryLoad(bytes) === undefined);
    for (let n = 0; n < bytes.length; n++) mustFail(bytes.subarray(0, n));
  });

  it("a truncated file loaded lazily fails when opened or when the data is read, with a typed error", () => {
    const bytes = small();
    for (let n = 0; n < bytes.length; n++) {
      let lazy: Record<string, unknown> | undefined;
      try {
        lazy = torch.loadSync(bytes.subarray(0, n), { lazy: true });
      } catch (error) {
        assert.ok(error instanceof torch.CheckpointError || error instanceof ZipError || error instanceof UnpicklingError, String(error));
        continue;
      }
      assert.fail(`cut at ${n} loaded lazily: ${Object.keys(lazy!)}`);
    }
  });
});

suite("corrupt archives", () => {
  it("any byte of the central directory and end record overwritten: a typed error or a correct load", () => {
    const bytes = small();
    const good = JSON.stringify(Object.keys(torch.loadSync(bytes)));
    // the central directory starts at the offset stored in the end record (last 22 bytes)
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const eocd = bytes.length - 22;
    const cd = view.getUint32(eocd + 16, true);
    let failures = 0;
    for (let i = cd; i < bytes.length; i++) {
      for (const value of [0x00, 0xff, bytes[i] ^ 0x01, bytes[i] ^ 0x80]) {
        const copy = bytes.slice();
        copy[i] = value;
        const error = tryLoad(copy);
        if (error) failures++;
        else assert.equal(JSON.stringify(Object.keys(torch.loadSync(copy))), good);
      }
    }
    assert.ok(failures > 0);
  });

  it("one byte removed at any position (offsets off by one everywhere after it): typed errors only", () => {
    const bytes = small();
    for (let i = 0; i < bytes.length; i++) {
      const copy = new Uint8Array(bytes.length - 1);
      copy.set(bytes.subarray(0, i));
      copy.set(bytes.subarray(i + 1), i);
      tryLoad(copy);
      tryLoad(copy, { lazy: true });
    }
  });

  it("random corruption anywhere (2000 seeded cases): typed errors only", () => {
    const bytes = small();
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 2000; k++) {
      const copy = bytes.slice();
      const n = 1 + Math.floor(rand() * 4);
      for (let j = 0; j < n; j++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
      tryLoad(copy);
    }
  });

  it("a record shorter than its storage: RECORD_TOO_SMALL, eagerly and lazily", () => {
    const entries = records(small()).map(([name, data]): [string, Uint8Array] => [name, name.endsWith("/data/0") ? data.subarray(0, 20) : data]);
    const bytes = archive(entries);
    assert.equal(mustFail(bytes).code, "RECORD_TOO_SMALL");
    assert.equal(mustFail(bytes, { lazy: true }).code, "RECORD_TOO_SMALL");
  });

  it("a missing storage record: MISSING_RECORD naming it", () => {
    const bytes = archive(records(small()).filter(([name]) => !name.endsWith("/data/0")));
    const error = mustFail(bytes);
    assert.equal(error.code, "MISSING_RECORD");
    assert.match(error.message, /data\/0/);
  });

  it("a numel of 2^60 (and 2^40, and -1): refused before any allocation", () => {
    for (const numel of [2n ** 60n, 2 ** 40, -1]) {
      const pickle = tensorPickle({ w: new Rebuild(floatStorage("0", numel), 0, [4], [1]) });
      const error = mustFail(checkpoint(pickle, { 0: new Uint8Array(16) }));
      assert.ok(["RECORD_TOO_SMALL", "BAD_PERSISTENT_ID"].includes(error.code), `${numel}: ${error.code} ${error.message}`);
    }
  });

  it("a storage offset, size or stride pointing outside the storage: STORAGE_OUT_OF_BOUNDS", () => {
    const cases: [number, number[], number[]][] = [
      [100, [4], [1]], // offset past the end
      [1, [4], [1]], // one element too far
      [0, [2, 2], [1, 4]], // a stride too large
      [0, [2 ** 40, 2 ** 40], [1, 1]], // sizes whose extent overflows
      [0, [4], [2 ** 52]],
    ];
    for (const [offset, size, stride] of cases) {
      const pickle = tensorPickle({ w: new Rebuild(floatStorage("0", 4), offset, size, stride) });
      for (const lazy of [false, true]) {
        const error = mustFail(checkpoint(pickle, { 0: new Uint8Array(16) }), { lazy });
        assert.equal(error.code, "STORAGE_OUT_OF_BOUNDS", `${offset} ${size} ${stride}: ${error.message}`);
      }
    }
    // negative and non-integer values in size/stride/offset are refused too
    for (const [offset, size, stride] of [[-1, [4], [1]], [0, [-4], [1]], [0, [4], [-1]], [0.5, [4], [1]]] as [number, number[], number[]][]) {
      const pickle = tensorPickle({ w: new Rebuild(floatStorage("0", 4), offset, size, stride) });
      assert.ok(["STORAGE_OUT_OF_BOUNDS", "UNSUPPORTED_TENSOR"].includes(mustFail(checkpoint(pickle, { 0: new Uint8Array(16) })).code));
    }
  });

  it("a view of an empty storage, and an empty view past its end, load (as in PyTorch)", () => {
    const pickle = tensorPickle({ e: new Rebuild(floatStorage("0", 0), 0, [0], [1]), f: new Rebuild(floatStorage("1", 2), 5, [0, 3], [3, 1]) });
    const value = torch.loadSync(checkpoint(pickle, { 0: new Uint8Array(0), 1: new Uint8Array(8) }));
    assert.deepEqual([...value.e.shape], [0]);
    assert.deepEqual([...value.f.shape], [0, 3]);
  });

  it("storage keys that are not strings, or storage types that are not storages: BAD_PERSISTENT_ID", () => {
    for (const pid of [tuple("storage", new PyGlobal("torch", "FloatStorage"), null, "cpu", 4), tuple("storage", "FloatStorage", "0", "cpu", 4), tuple("module", 1, 2, 3, 4), tuple("storage")]) {
      const pickle = tensorPickle({ w: new Rebuild(new Storage(pid), 0, [4], [1]) });
      const error = mustFail(checkpoint(pickle, { 0: new Uint8Array(16) }));
      assert.ok(error.code === "BAD_PERSISTENT_ID" || error.code === "UNSUPPORTED_GLOBAL", `${error.code}: ${error.message}`);
    }
  });
});

suite("hostile pickles", () => {
  const wrap = (pickle: Uint8Array) => checkpoint(pickle);
  const PROTO = [0x80, 0x02];

  it("deeply nested lists, dicts, tuples and MARKs: TOO_DEEP, no stack overflow", () => {
    const depth = 200_000;
    const lists = new Uint8Array([...PROTO, ...Array(depth).fill(0x5d), ...Array(depth).fill(0x61), 0x2e]); // EMPTY_LIST ... APPEND ... STOP
    const marks = new Uint8Array([...PROTO, ...Array(depth).fill(0x28), 0x2e]); // MARK ...
    const tuples = new Uint8Array([...PROTO, 0x4e, ...Array(depth).fill(0x85), 0x2e]); // NONE TUPLE1 TUPLE1 ...
    for (const pickle of [lists, marks, tuples]) {
      const start = performance.now();
      const error = tryLoad(wrap(pickle));
      assert.ok(performance.now() - start < 10_000);
      if (error) assert.ok(["TOO_DEEP", "NOT_A_CHECKPOINT"].includes(error.code), `${error.code}: ${error.message}`);
    }
  });

  it("cyclic pickles load as cyclic values, without hanging", () => {
    // l = []; l.append(l)   and   d = {}; d['self'] = d
    const list = new Uint8Array([...PROTO, 0x5d, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2e]);
    const value = torch.loadSync(wrap(list));
    assert.ok(Array.isArray(value) && value[0] === value);
    const dict = new Uint8Array([...PROTO, 0x7d, 0x71, 0x00, 0x58, 4, 0, 0, 0, ...Buffer.from("self"), 0x68, 0x00, 0x73, 0x2e]);
    const d = torch.loadSync(wrap(dict));
    assert.equal(d.self, d);
  });

  it("unknown and unsupported opcodes: typed errors naming them", () => {
    for (const op of [0xff, 0xf0, 0x00, 0x82 /* EXT1 */, 0x97 /* NEXT_BUFFER */]) {
      const error = mustFail(wrap(new Uint8Array([...PROTO, op, 0, 0, 0, 0, 0x2e])));
      assert.ok(error instanceof UnpicklingError || error instanceof torch.CheckpointError, String(error));
    }
  });

  it("a huge length prefix (BINUNICODE of 4 GiB, LONG4 of 2 GiB): TRUNCATED or TOO_LARGE, no allocation", () => {
    const text = new Uint8Array([...PROTO, 0x58, 0xff, 0xff, 0xff, 0xff, 0x61, 0x2e]);
    const long4 = new Uint8Array([...PROTO, 0x8b, 0xff, 0xff, 0xff, 0x7f, 0x2e]);
    for (const pickle of [text, long4]) assert.ok(["TRUNCATED", "TOO_LARGE"].includes(mustFail(wrap(pickle)).code));
  });
});

suite("not checkpoints at all", () => {
  it("an empty file: NOT_A_CHECKPOINT", () => {
    const error = mustFail(new Uint8Array(0));
    assert.equal(error.code, "NOT_A_CHECKPOINT");
    assert.match(error.message, /empty/);
  });

  it("random bytes (500 seeded files of 1 to 4096 bytes): typed errors", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 500; k++) {
      const bytes = new Uint8Array(1 + Math.floor(rand() * 4096)).map(() => Math.floor(rand() * 256));
      mustFail(bytes);
      bytes.set([0x50, 0x4b, 0x03, 0x04]); // and as a "zip"
      mustFail(bytes);
    }
  });

  it("text and other formats: 'Invalid magic number' or a zip error", () => {
    assert.match(mustFail(new TextEncoder().encode("hello, this is not a checkpoint")).message, /magic number|not a PyTorch checkpoint/);
    assert.equal(mustFail(readFileSync(join(FIXTURES, "safetensors", "f.safetensors"))).code, "NOT_A_CHECKPOINT");
  });

  it("a zip without data.pkl, one without a folder, an empty zip, and one with a bad version: specific errors", () => {
    const noPickle = mustFail(archive([["archive/version", "3\n"], ["archive/data/0", new Uint8Array(4)]]));
    assert.equal(noPickle.code, "NOT_A_CHECKPOINT");
    assert.match(noPickle.message, /data\.pkl/);
    assert.equal(mustFail(archive([["data.pkl", tensorPickle(1)]])).code, "NOT_A_CHECKPOINT");
    const empty = mustFail(archive([]));
    assert.equal(empty.code, "NOT_A_CHECKPOINT");
    assert.match(empty.message, /empty/);
    const version = mustFail(archive([["a/data.pkl", tensorPickle(1)], ["a/version", "11\n"]]));
    assert.equal(version.code, "UNSUPPORTED_VERSION");
    assert.equal(mustFail(archive([["a/data.pkl", tensorPickle(1)]])).code, "NOT_A_CHECKPOINT");
  });

  it("a tar file of PyTorch < 0.4: LEGACY_FORMAT", () => {
    const tar = new Uint8Array(1024);
    tar.set(Buffer.from("storages"), 0);
    tar.set(Buffer.from("ustar"), 257);
    assert.equal(mustFail(tar).code, "LEGACY_FORMAT");
  });
});
