/**
 * Round trips through real CPython: values pickled here are loaded by Python's pickle and compared,
 * type for type, with a Python expression; the same expressions pickled by Python (protocols 0, 2,
 * 4, 5) load here into the same values. Python's repr is the oracle for pyRepr along the way.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FrozenSet,
  PyByteArray,
  PyComplex,
  PyFloat,
  isOrderedDict,
  orderedDict,
  pyAttributes,
  pyRepr,
  setPyAttribute,
  tuple,
} from "../../../src/python/index.ts";
import { pickle, unpickle } from "../../../src/serialization/pickle/index.ts";
import { fromHex, runScript, toHex } from "../../scripts/python.ts";
import { canon } from "./canon.ts";

interface Case {
  name: string;
  js: () => unknown;
  py: string;
  /** A Python expression over `v` (the loaded value) that must be true, e.g. identity checks. */
  check?: string;
  /** Skip the Python -> TS direction (values Python cannot pickle the same way). */
  oneWay?: boolean;
}

const withMetadata = () => {
  const sd = orderedDict([["weight", tuple(1, 2)], ["bias", null]]);
  setPyAttribute(sd, "_metadata", orderedDict([["", { version: 1 }], ["0", { version: 2 }]]));
  return sd;
};

const sharedList = () => {
  const x = [1, 2];
  return [x, x, tuple(x)];
};

const selfList = () => {
  const x: unknown[] = [1];
  x.push(x);
  return x;
};

const selfDict = () => {
  const d: Record<string, unknown> = { a: 1 };
  d.me = d;
  return d;
};

const ints: Array<[string, number | bigint]> = [];
for (const [name, v] of Object.entries({
  zero: 0n, one: 1n, u8max: 255n, u8over: 256n, u16max: 65535n, u16over: 65536n, i32max: 2n ** 31n - 1n, i32over: 2n ** 31n,
  neg1: -1n, neg128: -128n, neg129: -129n, neg32768: -32768n, neg32769: -32769n, negI24: -(2n ** 23n), i32min: -(2n ** 31n),
  i32under: -(2n ** 31n) - 1n, neg2p39: -(2n ** 39n), neg2p47m1: -(2n ** 47n) - 1n, safe: 2n ** 53n - 1n, unsafe: 2n ** 53n,
  negSafe: -(2n ** 53n) + 1n, negUnsafe: -(2n ** 53n), i64max: 2n ** 63n - 1n, i64min: -(2n ** 63n), i64under: -(2n ** 63n) - 1n,
  u64: 2n ** 64n, big: 10n ** 30n, negBig: -(10n ** 30n), long1max: 2n ** 2030n, long4: 2n ** 2100n + 12345n, negLong4: -(2n ** 2100n),
})) {
  ints.push([name, v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v]);
}

const cases: Case[] = [
  ...ints.map(([name, v]): Case => ({ name: `int ${name}`, js: () => v, py: v.toString() })),
  { name: "ints around every width, in a list", js: () => ints.map(([, v]) => v), py: `[${ints.map(([, v]) => v.toString()).join(", ")}]` },
  { name: "integral number beyond 2^53 is an int", js: () => 1e20, py: "100000000000000000000", oneWay: true },
  { name: "float", js: () => 0.001, py: "0.001" },
  { name: "integral float", js: () => new PyFloat(1), py: "1.0" },
  { name: "negative zero", js: () => -0, py: "-0.0" },
  { name: "negative zero PyFloat", js: () => new PyFloat(-0), py: "-0.0" },
  { name: "integral number over 2^53 is the int it holds", js: () => 123456789012345678, py: "123456789012345680", oneWay: true },
  { name: "big PyFloat", js: () => new PyFloat(123456789012345678), py: "1.2345678901234568e+17" },
  { name: "tiny floats", js: () => [1e-8, 5e-324, 0.1 + 0.2, new PyFloat(1.7976931348623157e308)], py: "[1e-08, 5e-324, 0.30000000000000004, 1.7976931348623157e+308]" },
  { name: "non-finite floats", js: () => [NaN, Infinity, -Infinity], py: "[nan, inf, -inf]" },
  { name: "None, True, False", js: () => [null, true, false], py: "[None, True, False]" },
  { name: "empty str", js: () => "", py: "''" },
  { name: "unicode str", js: () => "héllo wörld 日本語 😀", py: "'héllo wörld 日本語 😀'" },
  { name: "lone surrogate", js: () => "a\ud800b\udfff", py: "'a\\ud800b\\udfff'" },
  { name: "quotes and controls", js: () => `it's "x" \x00\x1f\x7f\n\\`, py: `'it\\'s "x" \\x00\\x1f\\x7f\\n\\\\'` },
  { name: "long str", js: () => "ab".repeat(40_000), py: "'ab' * 40000" },
  { name: "bytes", js: () => new Uint8Array([0, 1, 127, 128, 255]), py: "b'\\x00\\x01\\x7f\\x80\\xff'" },
  { name: "empty bytes", js: () => new Uint8Array(0), py: "b''" },
  { name: "long bytes", js: () => new Uint8Array(300).map((_, i) => i & 0xff), py: "bytes(i & 255 for i in range(300))" },
  { name: "bytearray", js: () => new PyByteArray([104, 105, 0]), py: "bytearray(b'hi\\x00')" },
  { name: "empty bytearray", js: () => new PyByteArray(0), py: "bytearray()" },
  { name: "tuples of every size", js: () => [tuple(), tuple(1), tuple(1, 2), tuple(1, 2, 3), tuple(1, 2, 3, 4), tuple(tuple(), tuple(tuple()))], py: "[(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((), ((),))]" },
  { name: "nested lists", js: () => [[], [1], [1, [2, [3, []]]]], py: "[[], [1], [1, [2, [3, []]]]]" },
  { name: "list over a batch", js: () => Array.from({ length: 2500 }, (_, i) => i), py: "list(range(2500))" },
  { name: "empty dict", js: () => ({}), py: "{}" },
  { name: "str-keyed dict", js: () => ({ lr: 0.001, betas: tuple(0.9, 0.999), eps: 1e-8, amsgrad: false }), py: "{'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'amsgrad': False}" },
  { name: "int-keyed dict", js: () => new Map([[0, "a"], [10, "b"], [2, "c"]]), py: "{0: 'a', 10: 'b', 2: 'c'}" },
  { name: "index-like str keys", js: () => new Map<unknown, unknown>([["1", 1], ["0", 0], ["x", 2]]), py: "{'1': 1, '0': 0, 'x': 2}" },
  { name: "mixed keys", js: () => new Map<unknown, unknown>([[1, 2], ["a", 3], [tuple(1, 2), 4], [null, 5], [2n ** 70n, 7]]), py: "{1: 2, 'a': 3, (1, 2): 4, None: 5, 2**70: 7}" },
  { name: "bool keys", js: () => new Map<unknown, unknown>([[true, 1], [false, 0]]), py: "{True: 1, False: 0}" },
  { name: "__proto__ key", js: () => new Map([["__proto__", 1]]), py: "{'__proto__': 1}" },
  { name: "dict over a batch", js: () => new Map(Array.from({ length: 2500 }, (_, i) => [i, `v${i}`])), py: "{i: f'v{i}' for i in range(2500)}" },
  { name: "OrderedDict", js: () => orderedDict([["b", 1], ["a", 2]]), py: "OrderedDict([('b', 1), ('a', 2)])" },
  { name: "empty OrderedDict", js: () => orderedDict(), py: "OrderedDict()" },
  { name: "OrderedDict with int keys", js: () => orderedDict([[3, 1], [1, 2]]), py: "OrderedDict([(3, 1), (1, 2)])" },
  { name: "state dict with _metadata", js: withMetadata, py: "od([('weight', (1, 2)), ('bias', None)], _metadata=OrderedDict([('', {'version': 1}), ('0', {'version': 2})]))" },
  { name: "set", js: () => new Set([1, 2, 3]), py: "{1, 2, 3}" },
  { name: "empty set", js: () => new Set(), py: "set()" },
  { name: "frozenset", js: () => new FrozenSet(["a"]), py: "frozenset({'a'})" },
  { name: "empty frozenset", js: () => new FrozenSet(), py: "frozenset()" },
  { name: "complex", js: () => [new PyComplex(1, 2), new PyComplex(0, -1.5)], py: "[complex(1, 2), complex(0, -1.5)]" },
  {
    name: "optimizer state_dict",
    js: () => ({
      state: new Map([[0, { step: new PyFloat(3), exp_avg: [0.5, -0.25] }], [1, { step: new PyFloat(3), exp_avg: [] }]]),
      param_groups: [{ lr: 0.001, betas: tuple(0.9, 0.999), eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null, params: [0, 1] }],
    }),
    py: "{'state': {0: {'step': 3.0, 'exp_avg': [0.5, -0.25]}, 1: {'step': 3.0, 'exp_avg': []}}, 'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0, 'amsgrad': False, 'maximize': False, 'foreach': None, 'params': [0, 1]}]}",
  },
  { name: "shared objects are shared", js: sharedList, py: "[[1, 2], [1, 2], ([1, 2],)]", check: "v[0] is v[1] and v[2][0] is v[0]" },
  { name: "list containing itself", js: selfList, py: "None", check: "v[1] is v and v[0] == 1", oneWay: true },
  { name: "dict containing itself", js: selfDict, py: "None", check: "v['me'] is v and v['a'] == 1", oneWay: true },
];

const CHECK_SCRIPT = `
import json, pickle, sys
out = {}
for case in json.load(sys.stdin):
    v = pickle.loads(bytes.fromhex(case["hex"]))
    out[case["id"]] = bool(eval(case["check"], {"v": v}))
json.dump(out, sys.stdout)
`;

interface LoadResult {
  ok: boolean;
  repr: string | null;
  why: string | null;
}

describe("pickles written here load in CPython", () => {
  const request = cases.map((c, i) => ({ id: String(i), hex: toHex(pickle(c.js())), expected: c.check ? "None" : c.py }));
  const results = runScript<Record<string, LoadResult>>("pickle_oracle.py", [], { mode: "load", cases: request });
  const checks = cases
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.check)
    .map(({ c, i }) => ({ id: String(i), hex: request[i].hex, check: c.check as string }));
  const checked = runScript<Record<string, boolean>>("run_inline.py", [CHECK_SCRIPT], checks);
  cases.forEach((c, i) => {
    it(c.name, () => {
      const result = results[String(i)];
      if (c.check) {
        assert.equal(checked[String(i)], true, `Python check failed: ${c.check}`);
        return;
      }
      assert.ok(result.ok, `Python loaded something else: ${result.why}`);
      assert.equal(pyRepr(c.js()), result.repr, "pyRepr differs from Python's repr");
    });
  });
});


describe("pickles written by CPython load here", () => {
  const twoWay = cases.map((c, i) => ({ c, i })).filter(({ c }) => !c.oneWay && !c.check);
  for (const protocol of [0, 2, 4, 5]) {
    const dumped = runScript<Record<string, { hex: string; repr: string }>>("pickle_oracle.py", [], {
      mode: "dump",
      cases: twoWay.map(({ c, i }) => ({ id: String(i), expr: c.py, protocol })),
    });
    describe(`protocol ${protocol}`, () => {
      for (const { c, i } of twoWay) {
        it(c.name, () => {
          const { hex, repr } = dumped[String(i)];
          const loaded = unpickle(fromHex(hex));
          assert.deepEqual(canon(loaded), canon(c.js()));
          assert.equal(pyRepr(loaded), repr);
        });
      }
    });
  }

  it("loads shared references as one object and cycles as cycles", () => {
    const [shared, cyclic] = runScript<string[]>("run_inline.py", [
      "import json,pickle; x=[1]; d={}; d['me']=d; l=[d]; l.append(l); print(json.dumps([pickle.dumps([x, x, (x,)], 2).hex(), pickle.dumps(l, 2).hex()]))",
    ]);
    const v = unpickle(fromHex(shared)) as unknown[][];
    assert.equal(v[0], v[1]);
    assert.equal((v[2] as unknown[])[0], v[0]);
    const l = unpickle(fromHex(cyclic)) as unknown[];
    assert.equal(l[1], l);
    const d = l[0] as Record<string, unknown>;
    assert.equal(d.me, d);
  });

  it("keeps the value model's representation rules", () => {
    const [hex] = runScript<string[]>("run_inline.py", [
      "import json,pickle,collections; od=collections.OrderedDict(a=1); od._metadata={'': {'version': 1}}; print(json.dumps([pickle.dumps({'sd': od, 'state': {0: {}}, 'n': [2**53-1, 2**53, 1.0, 0.5, True]}, 2).hex()]))",
    ]);
    const v = unpickle(fromHex(hex)) as { sd: Record<string, unknown>; state: unknown; n: unknown[] };
    assert.ok(!(v instanceof Map), "string keys load as a plain object");
    assert.ok(isOrderedDict(v.sd));
    assert.deepEqual(Object.keys(v.sd), ["a"]);
    assert.deepEqual(pyAttributes(v.sd).map(([k]) => k), ["_metadata"]);
    assert.ok(v.state instanceof Map);
    assert.deepEqual([...(v.state as Map<unknown, unknown>).keys()], [0]);
    assert.equal(v.n[0], 2 ** 53 - 1);
    assert.equal(v.n[1], 2n ** 53n);
    assert.ok(v.n[2] instanceof PyFloat);
    assert.equal(v.n[3], 0.5);
    assert.equal(v.n[4], true);
  });
});
