/**
 * The pickler's output: byte-identical to CPython's protocol 2 for plain Python values, within the
 * opcodes PyTorch's weights-only loaders accept, with working hooks, memo and clear errors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FrozenSet,
  PyByteArray,
  PyComplex,
  PyFloat,
  PyGlobal,
  PyObject,
  orderedDict,
  setPyAttribute,
  tuple,
} from "../../../src/python/index.ts";
import { PicklingError, Pickler, pickle, unpickle } from "../../../src/serialization/pickle/index.ts";
import { runScript, toHex } from "../../scripts/python.ts";

/** Python expression and the same value here. */
const identical: Array<[string, () => unknown]> = [
  ["{'a': [1, 2.5, 'x', 'x'], 'b': (1, 2), 'c': None, 'd': True, 'e': False}", () => ({ a: [1, 2.5, "x", "x"], b: tuple(1, 2), c: null, d: true, e: false })],
  ["[0, 255, 256, 65535, 65536, -1, -256, 2**31-1, -2**31, 2**31, -2**31-1, 2**63, -2**63, 2**64, 10**40, 2**2100]", () => [0, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2n ** 63n, -(2n ** 63n), 2n ** 64n, 10n ** 40n, 2n ** 2100n]],
  ["[1.0, -0.0, 1e-08, float('inf'), 0.5]", () => [new PyFloat(1), -0, 1e-8, Infinity, 0.5]],
  ["['', 'héllo', '日本', '😀']", () => ["", "héllo", "日本", "😀"]],
  ["((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4))", () => tuple(tuple(), tuple(1), tuple(1, 2), tuple(1, 2, 3), tuple(1, 2, 3, 4))],
  ["list(range(2500))", () => Array.from({ length: 2500 }, (_, i) => i)],
  ["list(range(1001))", () => Array.from({ length: 1001 }, (_, i) => i)],
  ["{i: i for i in range(2001)}", () => new Map(Array.from({ length: 2001 }, (_, i) => [i, i]))],
  ["[{}, [], {0: 1}, {'k': 1}]", () => [{}, [], new Map([[0, 1]]), { k: 1 }]],
  ["OrderedDict([('a', 1), ('b', [2])])", () => orderedDict([["a", 1], ["b", [2]]])],
  ["od([('w', 1)], _metadata=OrderedDict([('', {'version': 1}), ('bn', {'version': 2})]))", () => {
    const sd = orderedDict([["w", 1]]);
    setPyAttribute(sd, "_metadata", orderedDict([["", { version: 1 }], ["bn", { version: 2 }]]));
    return sd;
  }],
  ["b'\\x00\\xffab'", () => new Uint8Array([0, 255, 97, 98])],
  ["(lambda x: [x, x, (x,)])([1])", () => {
    const x = [1];
    return [x, x, tuple(x)];
  }],
  ["(lambda l: (l.append(l), l)[1])([7])", () => {
    const l: unknown[] = [7];
    l.push(l);
    return l;
  }],
];

const DUMP = `
import json, pickle, sys, collections
def od(pairs, **attrs):
    d = collections.OrderedDict(pairs)
    for k, v in attrs.items(): setattr(d, k, v)
    return d
ns = {"OrderedDict": collections.OrderedDict, "od": od}
print(json.dumps([pickle.dumps(eval(e, ns), 2).hex() for e in json.load(sys.stdin)]))
`;

const OPCODES = `
import json, pickle, pickletools, sys
out = []
for h in json.load(sys.stdin):
    data = bytes.fromhex(h)
    out.append(sorted({op.name for op, arg, pos in pickletools.genops(data)}))
print(json.dumps(out))
`;

/** Opcodes PyTorch's weights_only unpickler accepts (torch/_weights_only_unpickler.py). */
const WEIGHTS_ONLY_OPCODES = new Set([
  "GLOBAL", "NEWOBJ", "REDUCE", "BUILD", "APPEND", "APPENDS", "SETITEM", "SETITEMS", "MARK", "TUPLE", "TUPLE1", "TUPLE2",
  "TUPLE3", "NONE", "NEWTRUE", "NEWFALSE", "EMPTY_TUPLE", "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "BININT", "BININT1",
  "BININT2", "BINFLOAT", "BINUNICODE", "SHORT_BINSTRING", "BINPERSID", "BINGET", "LONG_BINGET", "BINPUT", "LONG_BINPUT",
  "LONG1", "PROTO", "STOP",
]);

describe("pickler output", () => {
  const expected = runScript<string[]>("run_inline.py", [DUMP], identical.map(([expr]) => expr));
  identical.forEach(([expr, make], i) => {
    it(`is byte-identical to CPython protocol 2 for ${expr.slice(0, 60)}`, () => {
      assert.equal(toHex(pickle(make())), expected[i]);
    });
  });

  it("differs from CPython only by naming builtins `builtins` (CPython's fix_imports writes `__builtin__`)", () => {
    const values: Array<[string, unknown]> = [
      ["[complex(1, 2)]", [new PyComplex(1, 2)]],
      ["[{1, 2}, frozenset({3})]", [new Set([1, 2]), new FrozenSet([3])]],
      ["bytearray(b'ab')", new PyByteArray([97, 98])],
    ];
    const python = runScript<string[]>("run_inline.py", [DUMP], values.map(([expr]) => expr));
    values.forEach(([, value], i) => {
      const ours = Buffer.from(pickle(value)).toString("latin1");
      const theirs = Buffer.from(python[i], "hex").toString("latin1").replaceAll("c__builtin__\n", "cbuiltins\n");
      assert.equal(ours, theirs);
    });
  });

  it("stays within the opcodes PyTorch's weights-only loader accepts", () => {
    const storage = { key: "0" };
    const tensor = { storage };
    const everything = {
      sd: orderedDict([["w", tensor], ["w2", tensor]]),
      misc: [new Set([1]), new FrozenSet([2]), new PyByteArray([1]), new Uint8Array(0), new PyComplex(0, 1), 2n ** 200n, new PyGlobal("torch", "float32")],
      ints: Array.from({ length: 300 }, (_, i) => `s${i}`),
    };
    const data = pickle(everything, {
      persistentId: (v) => (v === storage ? tuple("storage", new PyGlobal("torch", "FloatStorage"), "0", "cpu", 4) : undefined),
      reduceValue: (v) => (v === tensor ? { module: "torch._utils", name: "_rebuild_tensor_v2", args: [storage, 0, tuple(2, 2), tuple(2, 1), false, orderedDict()] } : undefined),
    });
    const [used] = runScript<string[][]>("run_inline.py", [OPCODES], [toHex(data)]);
    for (const name of used) assert.ok(WEIGHTS_ONLY_OPCODES.has(name), `${name} is not accepted by PyTorch's weights_only loader`);
    assert.ok(used.includes("LONG_BINPUT") && used.includes("BINPERSID"));
  });

  it("writes each shared object once (hooks included)", () => {
    const storage = { key: "0" };
    const tensor = { storage };
    let reduceCalls = 0;
    let pidCalls = 0;
    const data = pickle([tensor, tensor, { also: tensor }], {
      persistentId: (v) => {
        if (v !== storage) return undefined;
        pidCalls++;
        return tuple("storage", "0");
      },
      reduceValue: (v) => {
        if (v !== tensor) return undefined;
        reduceCalls++;
        return { module: "m", name: "rebuild", args: [storage] };
      },
    });
    assert.equal(reduceCalls, 1);
    assert.equal(pidCalls, 1);
    const check = runScript<boolean[]>("run_inline.py", [
      `
import json, pickle, io, sys
class U(pickle.Unpickler):
    def find_class(self, m, n):
        assert (m, n) == ("m", "rebuild")
        return lambda s: ["tensor", s]
    def persistent_load(self, pid):
        return ["storage", pid]
v = U(io.BytesIO(bytes.fromhex(json.load(sys.stdin)))).load()
print(json.dumps([v[0] is v[1], v[2]["also"] is v[0], v[0] == ["tensor", ["storage", ("storage", "0")]]]))
`,
    ], toHex(data));
    assert.deepEqual(check, [true, true, true]);
  });

  it("writes NEWOBJ and BUILD for reduced values that ask for them", () => {
    const value = { x: 1 };
    const data = pickle(value, { reduceValue: (v) => (v === value ? { module: "m", name: "C", args: [1], newobj: true, state: { s: 2 } } : undefined) });
    const loaded = unpickle(data, {
      globals: { "m.C": { construct: (args) => ({ args: [...args] }), setState: (o, s) => Object.assign(o as object, { state: s }) } },
    });
    assert.deepEqual(loaded, { args: [1], state: { s: 2 } });
  });

  it("writes PyObjects back as they were made", () => {
    const reduce = new PyObject("m", "f", tuple(1), "reduce", undefined, { a: 1 });
    const again = unpickle(pickle(reduce), { globals: { "m.f": { call: (args, g) => new PyObject(g.module, g.name, args) } } }) as PyObject;
    assert.equal(again.creation, "reduce");
    assert.deepEqual(again.state, { a: 1 });
    const withKwargs = new PyObject("m", "C", tuple(), "newobj", { k: 1 });
    assert.throws(() => pickle(withKwargs), /NEWOBJ_EX.*protocol 4/);
    const p4 = pickle(withKwargs, { protocol: 4 });
    assert.ok(p4.includes(0x92));
  });

  it("uses binary bytes opcodes at protocol 3 and above", () => {
    const data = [new Uint8Array([1, 2]), new Uint8Array(300), new PyByteArray([3])];
    const p3 = pickle(data, { protocol: 3 });
    const p5 = pickle(data, { protocol: 5 });
    const loads = runScript<unknown[]>("run_inline.py", [
      "import json,pickle,sys; print(json.dumps([[[type(x).__name__, len(x), x[:2].hex()] for x in pickle.loads(bytes.fromhex(h))] for h in json.load(sys.stdin)]))",
    ], [toHex(p3), toHex(p5)]);
    const expected = [["bytes", 2, "0102"], ["bytes", 300, "0000"], ["bytearray", 1, "03"]];
    assert.deepEqual(loads, [expected, expected]);
    assert.ok(!p3.includes(0x63) || !new TextDecoder().decode(p3).includes("_codecs"));
    assert.ok(p5.includes(0x96), "BYTEARRAY8");
    assert.throws(() => new Pickler({ protocol: 1 as 2 }), RangeError);
  });

  it("uses LONG_BINPUT/LONG_BINGET past 256 memo entries", () => {
    const strings = Array.from({ length: 300 }, (_, i) => `key${i}`);
    const data = pickle([...strings, ...strings]);
    assert.deepEqual(unpickle(data), [...strings, ...strings]);
    assert.ok(data.includes(0x72) && data.includes(0x6a));
  });
});

describe("pickler errors", () => {
  const code = (fn: () => unknown, expected: string, message?: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof PicklingError && e.code === expected && (!message || message.test(e.message)));

  it("refuses values without a Python form", () => {
    code(() => pickle(undefined), "UNPICKLABLE", /undefined/);
    code(() => pickle([() => 1]), "UNPICKLABLE", /function/);
    code(() => pickle(Symbol("x")), "UNPICKLABLE");
    class Tensorish {}
    code(() => pickle({ t: new Tensorish() }), "UNPICKLABLE", /Can't pickle Tensorish/);
    code(() => pickle(new Float32Array(2)), "UNPICKLABLE", /Float32Array/);
  });
  it("refuses cycles through tuples, sets and reduced values, not through lists and dicts", () => {
    const list: unknown[] = [];
    const t = tuple(list);
    list.push(t);
    code(() => pickle(t), "CYCLE", /tuple/);
    const set = new Set<unknown>();
    set.add(set);
    code(() => pickle(set), "CYCLE", /set/);
    const obj = {};
    code(() => pickle(obj, { reduceValue: (v) => (v === obj ? { module: "m", name: "f", args: [obj] } : undefined) }), "CYCLE");
    const d: Record<string, unknown> = {};
    d.d = d;
    assert.doesNotThrow(() => pickle(d));
    const o = orderedDict();
    setPyAttribute(o, "self", o);
    assert.doesNotThrow(() => pickle(o));
  });
  it("refuses absurd nesting with a clear error instead of a stack overflow", () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    code(() => pickle(deep), "TOO_DEEP", /deeper than 1000/);
  });
  it("validates global names", () => {
    code(() => pickle(new PyGlobal("a\nb", "c")), "BAD_VALUE");
    code(() => pickle(new PyGlobal("mödule", "c")), "BAD_VALUE", /protocol 2/);
    assert.doesNotThrow(() => pickle(new PyGlobal("mödule", "c"), { protocol: 3 }));
  });
});
