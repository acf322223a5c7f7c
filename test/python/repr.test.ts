import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FrozenSet,
  PyByteArray,
  PyComplex,
  PyFloat,
  PyGlobal,
  PyObject,
  floatRepr,
  orderedDict,
  pyRepr,
  pyReprSymbol,
  strRepr,
  tuple,
} from "../../src/python/index.ts";
import { runScript } from "../scripts/python.ts";

describe("pyRepr", () => {
  it("prints the optimizer state dict of the tutorial like Python", () => {
    const group = { lr: 0.001, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, params: [0, 1] };
    assert.equal(pyRepr(group), "{'lr': 0.001, 'momentum': 0.9, 'dampening': 0, 'weight_decay': 0, 'nesterov': False, 'params': [0, 1]}");
    assert.equal(pyRepr({ state: new Map(), param_groups: [] }), "{'state': {}, 'param_groups': []}");
  });
  it("prints tuples, OrderedDicts, sets, None and integral floats", () => {
    assert.equal(pyRepr(tuple(0.9, 0.999)), "(0.9, 0.999)");
    assert.equal(pyRepr(tuple(1)), "(1,)");
    assert.equal(pyRepr(tuple()), "()");
    assert.equal(pyRepr(orderedDict([["a", 1]])), "OrderedDict([('a', 1)])");
    assert.equal(pyRepr(orderedDict()), "OrderedDict()");
    assert.equal(pyRepr(new Map([[0, { step: new PyFloat(1) }]])), "{0: {'step': 1.0}}");
    assert.equal(pyRepr(new Set()), "set()");
    assert.equal(pyRepr(new Set([1, 2])), "{1, 2}");
    assert.equal(pyRepr(new FrozenSet()), "frozenset()");
    assert.equal(pyRepr(new FrozenSet(["a"])), "frozenset({'a'})");
    assert.equal(pyRepr(null), "None");
    assert.equal(pyRepr([true, false]), "[True, False]");
    assert.equal(pyRepr(2n ** 64n), "18446744073709551616");
    assert.equal(pyRepr(1e21), "1000000000000000000000");
    assert.equal(pyRepr(new Uint8Array([0, 39, 255])), "b\"\\x00'\\xff\"");
    assert.equal(pyRepr(new PyByteArray([104, 105])), "bytearray(b'hi')");
    assert.equal(pyRepr(new PyGlobal("torch", "float32")), "torch.float32");
    assert.equal(pyRepr(new PyObject("argparse", "Namespace", tuple(), "newobj", undefined, { a: 1 })), "<argparse.Namespace.__new__(), state={'a': 1}>");
  });
  it("formats floats like Python's repr", () => {
    const cases: Array<[number, string]> = [
      [1e-8, "1e-08"], [0.0001, "0.0001"], [0.00001, "1e-05"], [1e16, "1e+16"], [1e15, "1000000000000000.0"],
      [123456789012345678, "1.2345678901234568e+17"], [0.1 + 0.2, "0.30000000000000004"], [-1.5, "-1.5"],
      [5e-324, "5e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"], [-0, "-0.0"], [NaN, "nan"],
      [Infinity, "inf"], [-Infinity, "-inf"], [0.5, "0.5"], [100, "100.0"], [1.5e-7, "1.5e-07"], [2.5e20, "2.5e+20"],
    ];
    for (const [value, text] of cases) assert.equal(floatRepr(value), text, String(value));
    assert.equal(pyRepr(new PyFloat(1)), "1.0");
    assert.equal(pyRepr(-0), "-0.0");
  });
  it("prints complex numbers like Python", () => {
    assert.equal(pyRepr(new PyComplex(1, 2)), "(1+2j)");
    assert.equal(pyRepr(new PyComplex(0, 2)), "2j");
    assert.equal(pyRepr(new PyComplex(-0, 2)), "(-0+2j)");
    assert.equal(pyRepr(new PyComplex(1, -0)), "(1-0j)");
    assert.equal(pyRepr(new PyComplex(1e20, 1.5)), "(1e+20+1.5j)");
    assert.equal(pyRepr(new PyComplex(1, NaN)), "(1+nanj)");
  });
  it("escapes strings like Python", () => {
    assert.equal(strRepr("it's"), `"it's"`);
    assert.equal(strRepr(`'"`), `'\\'"'`);
    assert.equal(strRepr("a\x00\x7f\x80\xa0\xad\u2028 😀\ud800"), "'a\\x00\\x7f\\x80\\xa0\\xad\\u2028 😀\\ud800'");
    assert.equal(strRepr("tab\tnl\ncr\r\\"), "'tab\\tnl\\ncr\\r\\\\'");
    assert.equal(strRepr("héllo 日本"), "'héllo 日本'");
  });
  it("lets objects print themselves and marks recursion", () => {
    const tensor = { [pyReprSymbol]: () => "tensor([1., 2.])" };
    assert.equal(pyRepr({ weight: tensor }), "{'weight': tensor([1., 2.])}");
    const list: unknown[] = [1];
    list.push(list);
    assert.equal(pyRepr(list), "[1, [...]]");
    const dict: Record<string, unknown> = {};
    dict.self = dict;
    assert.equal(pyRepr(dict), "{'self': {...}}");
    const shared = [1];
    assert.equal(pyRepr([shared, shared]), "[[1], [1]]");
  });
  it("refuses absurd nesting with a clear error", () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 5000; i++) deep = [deep];
    assert.throws(() => pyRepr(deep), /nesting deeper than 1000/);
  });
  it("matches CPython's repr on a batch of floats and strings", () => {
    const floats = [1e-8, 3.141592653589793, 1e22, 1e-310, 2 ** 53, 2 ** 53 + 2, 1 / 3, 6.02214076e23, 9.999999999999999e15, 1e16 - 2];
    for (let i = 0; i < 200; i++) floats.push(Math.fround(Math.sin(i) * 10 ** ((i % 40) - 20)));
    const strings = ["", "a'b\"c", "\x1b[0m", "\u0378", "\uffff", "\ue000", "\u00b5\u00ff\u0100", "\u200b", "\u3000"];
    const script = "import json,sys; d=json.load(sys.stdin); print(json.dumps([[repr(float(x)) for x in d[0]], [repr(s) for s in d[1]]]))";
    const expected = runPythonInline<[string[], string[]]>(script, [floats, strings]);
    assert.deepEqual(floats.map(floatRepr), expected[0]);
    assert.deepEqual(strings.map(strRepr), expected[1]);
  });
});

function runPythonInline<T>(code: string, input: unknown): T {
  return runScript<T>("run_inline.py", [code], input);
}
