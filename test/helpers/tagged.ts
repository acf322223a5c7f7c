/**
 * JS values as JSON with their Python types spelled out (the same form as test/pytorch/tagged.py), so tests can
 * compare a tsorch structure with PyTorch's: int vs float, tuple vs list, dict key types and order, tensors.
 */
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import { dictFromEntries, isOrderedDict, isPlainObject } from "../../src/python/dict.ts";
import { PyFloat, isPyInt, pyFloat } from "../../src/python/float.ts";
import { Tuple } from "../../src/python/tuple.ts";
import { fromJson, toJson, type JsonTensor } from "./pytorch.ts";

/** A tagged JSON value: `{ int: 1 }`, `{ tuple: [...] }`, `{ dict: [[key, value], ...] }`, `{ tensor: {...} }`. */
export type Tagged = { [kind: string]: unknown };

/** The tagged form of a JS value standing for a Python value. */
export function tagged(value: unknown): Tagged {
  if (value === null) return { none: null };
  if (typeof value === "boolean") return { bool: value };
  if (typeof value === "bigint") return { int: Number(value) };
  if (typeof value === "number") {
    if (isPyInt(value)) return { int: value };
    return { float: Number.isFinite(value) ? value : String(value) };
  }
  if (value instanceof PyFloat) return { float: value.value };
  if (typeof value === "string") return { str: value };
  if (value instanceof torch.Tensor) return { tensor: toJson(value) };
  if (value instanceof Tuple) return { tuple: value.map(tagged) };
  if (Array.isArray(value)) return { list: value.map(tagged) };
  if (value instanceof Map || isPlainObject(value)) {
    const entries = value instanceof Map ? [...value] : Object.entries(value);
    return { [isOrderedDict(value) ? "odict" : "dict"]: entries.map(([k, v]) => [tagged(k), tagged(v)]) };
  }
  throw new TypeError(`cannot tag ${String(value)}`);
}

/** The JS value of a tagged form (dicts by the value model's rule: int keys give a Map). */
export function untagged(value: Tagged): unknown {
  const [[kind, inner]] = Object.entries(value);
  switch (kind) {
    case "none": return null;
    case "bool": case "int": case "str": return inner;
    case "float": return pyFloat(Number(inner));
    case "tensor": return fromJson(inner as JsonTensor);
    case "tuple": { const t = new Tuple(); t.push(...(inner as Tagged[]).map(untagged)); return t; }
    case "list": return (inner as Tagged[]).map(untagged);
    case "dict": case "odict":
      return dictFromEntries((inner as [Tagged, Tagged][]).map(([k, v]) => [untagged(k), untagged(v)]), { ordered: kind === "odict" });
    default: throw new Error(`unknown tag ${kind}`);
  }
}

/** Largest relative error seen by `assertTaggedClose` calls (for reporting parity). */
export const worst = { relative: 0 };

/**
 * Asserts two tagged values have the same structure, types, keys and order; floats and tensor elements agree within
 * `rtol` relative to the expected value (atol 1e-12 for zeros); tensors have equal dtype and shape.
 */
export function assertTaggedClose(actual: Tagged, expected: Tagged, rtol = 0, path = "value"): void {
  const [[kind, a]] = Object.entries(actual);
  const [[kindE, e]] = Object.entries(expected);
  assert.equal(kind, kindE, `${path}: type ${kind} (${JSON.stringify(a)}), expected ${kindE} (${JSON.stringify(e)})`);
  const close = (x: number, y: number, where: string) => {
    const err = Math.abs(x - y);
    if (y !== 0) worst.relative = Math.max(worst.relative, err / Math.abs(y));
    assert.ok(err <= rtol * Math.abs(y) + 1e-12 || (Number.isNaN(x) && Number.isNaN(y)), `${where}: ${x}, expected ${y} (rtol ${rtol})`);
  };
  switch (kind) {
    case "float": close(Number(a), Number(e), path); return;
    case "tensor": {
      const ta = a as JsonTensor;
      const te = e as JsonTensor;
      assert.equal(ta.dtype, te.dtype, `${path}: dtype`);
      assert.deepEqual(ta.shape, te.shape, `${path}: shape`);
      ta.data.forEach((x, i) => close(Number(x), Number(te.data[i]), `${path}[${i}]`));
      return;
    }
    case "tuple": case "list": {
      const la = a as Tagged[];
      const le = e as Tagged[];
      assert.equal(la.length, le.length, `${path}: length`);
      la.forEach((x, i) => assertTaggedClose(x, le[i], rtol, `${path}[${i}]`));
      return;
    }
    case "dict": case "odict": {
      const da = a as [Tagged, Tagged][];
      const de = e as [Tagged, Tagged][];
      assert.deepEqual(da.map(([k]) => k), de.map(([k]) => k), `${path}: keys`);
      da.forEach(([k, v], i) => assertTaggedClose(v, de[i][1], rtol, `${path}[${JSON.stringify(Object.values(k)[0])}]`));
      return;
    }
    default: assert.deepEqual(a, e, path);
  }
}
