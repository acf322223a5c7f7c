/**
 * Element-wise comparison of two tensors of the same shape for `tsorch diff`: the largest absolute difference,
 * where it is, and how many elements differ by more than `atol`. int64 is compared exactly (as bigints),
 * complex tensors by the modulus of the difference, everything else as float64. NaN equals NaN at the same
 * position (a NaN against a number counts as a difference of infinity).
 */
import { gatherStrided, gatherStridedBig } from "../kernels/strided.ts";
import { toFloatArray } from "../ops/convert.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** The result of comparing two tensors' values. */
export interface ValueDiff {
  /** max |a - b| over all elements (0 when identical; Infinity for NaN against a number or inf against -inf). */
  maxAbsDiff: number;
  /** Index (one per dimension) of the first element with the largest difference; null when none differs. */
  at: number[] | null;
  /** Elements whose |a - b| > atol (NaN against a number always counts). */
  differing: number;
  /** Elements compared. */
  elements: number;
}

function bigValues(t: Tensor): BigInt64Array {
  const all = t.storageArray() as BigInt64Array;
  if (t.isContiguous()) return all.subarray(t.offset, t.offset + t.numel());
  const out = new BigInt64Array(t.numel());
  gatherStridedBig(all, t.offset, t.dims, t.strides, out);
  return out;
}

/** Complex elements as interleaved (re, im) float64 pairs in row-major order. */
function complexValues(t: Tensor): Float64Array {
  const all = t.storageArray() as Float32Array | Float64Array;
  const out = new Float64Array(t.numel() * 2);
  gatherStrided(all, t.offset * 2, [...t.dims, 2], [...t.strides.map((s) => s * 2), 1], out);
  return out;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

function absDiff(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? 0 : Infinity;
  if (x === y) return 0;
  return Math.abs(x - y);
}

/** Compares two tensors of equal shape (dtypes may differ: values are compared as numbers). */
export function compareValues(a: Tensor, b: Tensor, atol = 0): ValueDiff {
  const flat = compareFlat(a, b, atol);
  return { maxAbsDiff: flat.maxAbsDiff, at: flat.at < 0 ? null : unravel(flat.at, a.dims), differing: flat.differing, elements: a.numel() };
}

/** The running result of a comparison done in chunks: `at` is a row-major flat index, -1 when nothing differs. */
export interface FlatDiff {
  maxAbsDiff: number;
  at: number;
  differing: number;
}

/** Merges the result of the chunk starting at flat index `start` into `total`. */
export function mergeFlat(total: FlatDiff, chunk: FlatDiff, start: number): void {
  total.differing += chunk.differing;
  if (chunk.maxAbsDiff > total.maxAbsDiff) {
    total.maxAbsDiff = chunk.maxAbsDiff;
    total.at = chunk.at + start;
  } else if (total.at < 0 && chunk.at >= 0) total.at = chunk.at + start;
}

/** A flat comparison result as reported, with the index unravelled over `shape`. */
export function finishFlat(flat: FlatDiff, shape: readonly number[], elements: number): ValueDiff {
  return { maxAbsDiff: flat.maxAbsDiff, at: flat.at < 0 ? null : unravel(flat.at, shape), differing: flat.differing, elements };
}

/** Compares two tensors of equal element count in row-major order. */
export function compareFlat(a: Tensor, b: Tensor, atol = 0): FlatDiff {
  const n = a.numel();
  let max = 0;
  let maxAt = -1;
  let differing = 0;
  const note = (i: number, d: number) => {
    if (d > atol) differing++;
    if (d > max) {
      max = d;
      maxAt = i;
    }
  };
  if (a.dtype.isComplex || b.dtype.isComplex) {
    if (!(a.dtype.isComplex && b.dtype.isComplex)) throw new Error(`cannot compare ${a.dtype} with ${b.dtype}`);
    const x = complexValues(a);
    const y = complexValues(b);
    for (let i = 0; i < n; i++) {
      const re = absDiff(x[2 * i], y[2 * i]);
      const im = absDiff(x[2 * i + 1], y[2 * i + 1]);
      note(i, re === Infinity || im === Infinity ? Infinity : Math.hypot(re, im));
    }
  } else if (a.dtype.name === "int64" && b.dtype.name === "int64") {
    const x = bigValues(a);
    const y = bigValues(b);
    for (let i = 0; i < n; i++) {
      if (x[i] === y[i]) continue;
      const d = x[i] > y[i] ? x[i] - y[i] : y[i] - x[i];
      note(i, Number(d));
    }
  } else {
    const x = toFloatArray(a);
    const y = toFloatArray(b);
    for (let i = 0; i < n; i++) {
      if (x[i] === y[i]) continue;
      note(i, absDiff(x[i], y[i]));
    }
  }
  return { maxAbsDiff: max, at: maxAt, differing };
}
