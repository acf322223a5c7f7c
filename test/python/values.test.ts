import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FrozenSet,
  PyByteArray,
  PyFloat,
  Tuple,
  dictEntries,
  dictFromEntries,
  isCanonicalArrayIndex,
  isDict,
  isOrderedDict,
  isPyBytes,
  isPyFloat,
  isPyInt,
  isTuple,
  keysFitPlainObject,
  markOrderedDict,
  orderedDict,
  pyAttributes,
  pyFloat,
  pyTypeName,
  setPyAttribute,
  toNumber,
  tuple,
  tupleFrom,
} from "../../src/python/index.ts";

describe("Tuple", () => {
  it("is an array that is told apart from a list", () => {
    const t = tuple(0.9, 0.999);
    assert.ok(Array.isArray(t));
    assert.ok(isTuple(t));
    assert.ok(!isTuple([0.9, 0.999]));
    assert.deepEqual([...t], [0.9, 0.999]);
    assert.equal(t.length, 2);
  });
  it("derives plain arrays (lists) from map/slice/filter", () => {
    const t = tuple(1, 2, 3);
    assert.ok(!isTuple(t.map((x) => x * 2)));
    assert.ok(!isTuple(t.slice(1)));
    assert.ok(!isTuple(t.filter(() => true)));
  });
  it("builds from iterables of any size, single numbers included", () => {
    assert.deepEqual([...tuple(5)], [5]);
    assert.equal(tupleFrom(new Array(200_000).fill(1)).length, 200_000);
    assert.ok(Tuple.from([1]) instanceof Tuple);
  });
});

describe("numbers", () => {
  it("PyFloat keeps integral floats apart from ints and does arithmetic", () => {
    const one = new PyFloat(1);
    assert.equal(Number(one), 1);
    assert.equal(+one * 3, 3);
    assert.equal(JSON.stringify({ lr: one }), '{"lr":1}');
    assert.ok(isPyFloat(one));
    assert.ok(!isPyInt(one));
  });
  it("pyFloat gives the canonical form", () => {
    assert.ok(pyFloat(2) instanceof PyFloat);
    assert.ok(pyFloat(-0) instanceof PyFloat);
    assert.equal(pyFloat(0.5), 0.5);
    assert.ok(Number.isNaN(pyFloat(NaN) as number));
  });
  it("classifies JS numbers as Python ints or floats", () => {
    for (const v of [0, 1, -5, 2 ** 60, 3n]) assert.ok(isPyInt(v), String(v));
    for (const v of [0.5, -0, NaN, Infinity, -Infinity]) assert.ok(isPyFloat(v), String(v));
    assert.ok(!isPyInt(true));
  });
  it("toNumber reads ints, floats, bigints and bools", () => {
    assert.equal(toNumber(new PyFloat(2)), 2);
    assert.equal(toNumber(7n), 7);
    assert.equal(toNumber(true), 1);
    assert.throws(() => toNumber("1"), TypeError);
  });
});

describe("dicts", () => {
  it("recognizes canonical array indices exactly", () => {
    for (const k of ["0", "1", "12", "4294967294"]) assert.ok(isCanonicalArrayIndex(k), k);
    for (const k of ["", "01", "-1", "1.5", "4294967295", "1e3", " 1", "a", "00"]) assert.ok(!isCanonicalArrayIndex(k), k);
  });
  it("uses plain objects only when no key would be reordered or lost", () => {
    assert.ok(keysFitPlainObject(["lr", "momentum", "01", "-1", "weight"]));
    assert.ok(!keysFitPlainObject(["a", "0"]));
    assert.ok(!keysFitPlainObject([0]));
    assert.ok(!keysFitPlainObject(["__proto__"]));
    assert.ok(!keysFitPlainObject([tuple(1)]));
  });
  it("dictFromEntries keeps insertion order in both forms", () => {
    const object = dictFromEntries([["b", 1], ["a", 2]]);
    assert.ok(!(object instanceof Map));
    assert.deepEqual(Object.keys(object), ["b", "a"]);
    const map = dictFromEntries([[2, "x"], [0, "y"], ["10", "z"]]);
    assert.ok(map instanceof Map);
    assert.deepEqual([...map.keys()], [2, 0, "10"]);
    assert.deepEqual(dictEntries(map), [[2, "x"], [0, "y"], ["10", "z"]]);
  });
  it("marks OrderedDicts without an enumerable trace", () => {
    const sd = orderedDict([["weight", 1]]);
    assert.ok(isOrderedDict(sd));
    assert.deepEqual(Object.keys(sd), ["weight"]);
    assert.deepEqual(sd, { weight: 1 });
    const m = markOrderedDict(new Map([[0, 1]]));
    assert.ok(isOrderedDict(m));
    assert.ok(!isOrderedDict({}));
    assert.ok(!isOrderedDict(null));
    assert.equal(pyTypeName(sd), "collections.OrderedDict");
    assert.equal(pyTypeName({}), "dict");
  });
  it("keeps Python attributes non-enumerable", () => {
    const sd = orderedDict([["weight", 1]]);
    setPyAttribute(sd, "_metadata", orderedDict([["", { version: 1 }]]));
    assert.deepEqual(Object.entries(sd), [["weight", 1]]);
    assert.deepEqual(pyAttributes(sd).map(([k]) => k), ["_metadata"]);
    (sd as Record<string, unknown>)._metadata = "replaced";
    assert.deepEqual(Object.keys(sd), ["weight"], "assignment keeps the attribute non-enumerable");
    const m = new Map();
    setPyAttribute(m, "_metadata", 1);
    assert.deepEqual(pyAttributes(m), [["_metadata", 1]]);
  });
  it("treats only plain objects and Maps as dicts", () => {
    assert.ok(isDict({}) && isDict(Object.create(null)) && isDict(new Map()));
    assert.ok(!isDict([]) && !isDict(new Date()) && !isDict(tuple()) && !isDict(null));
  });
});

describe("other values", () => {
  it("tells bytes from bytearray", () => {
    assert.ok(isPyBytes(new Uint8Array(2)));
    assert.ok(isPyBytes(Buffer.from("ab")));
    assert.ok(!isPyBytes(new PyByteArray(2)));
    assert.equal(pyTypeName(new PyByteArray(1)), "bytearray");
  });
  it("names Python types", () => {
    const cases: Array<[unknown, string]> = [
      [null, "NoneType"], [true, "bool"], [1, "int"], [1.5, "float"], [-0, "float"], [2n, "int"], ["", "str"],
      [new PyFloat(1), "float"], [tuple(), "tuple"], [[], "list"], [new Map(), "dict"], [new Set(), "set"],
      [new FrozenSet(), "frozenset"], [new Uint8Array(), "bytes"],
    ];
    for (const [value, name] of cases) assert.equal(pyTypeName(value), name);
  });
});
