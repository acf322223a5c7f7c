/** Reductions (sum, mean, var, max, min, argmax, ...) over all elements or chosen dims, with gradients. */
import { float32, int64 } from "../tensor/dtype.ts";
import { wrapDim } from "../tensor/shape.ts";
import { Tensor } from "../tensor/tensor.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "./convert.ts";
import { div, mul, sub, mapBinary } from "./elementwise.ts";

interface Plan {
  /** Dims being reduced (sorted, wrapped). */
  dims: number[];
  /** Output shape with keepdim. */
  keptShape: number[];
  /** Output shape without keepdim. */
  outShape: number[];
  /** Number of output elements and reduced elements per output. */
  outer: number;
  inner: number;
  /** Input data arranged so each output's reduced elements are contiguous. */
  data: ArrayLike<number>;
}

function plan(t: Tensor, dim: number | number[] | undefined): Plan {
  const nd = t.dims.length;
  const dims = dim === undefined ? t.dims.map((_, i) => i) : [...new Set((Array.isArray(dim) ? dim : [dim]).map((d) => wrapDim(d, nd)))].sort((a, b) => a - b);
  const kept = t.dims.filter((_, i) => !dims.includes(i));
  const keptIdx = t.dims.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...keptIdx, ...dims];
  const arranged = dims.length === 0 || order.every((d, i) => d === i) ? t : t.detach().permute(order);
  const inner = dims.reduce((n, d) => n * t.dims[d], 1);
  return {
    dims,
    keptShape: t.dims.map((d, i) => (dims.includes(i) ? 1 : d)),
    outShape: nd === 0 ? [] : kept,
    outer: kept.reduce((a, b) => a * b, 1),
    inner,
    data: toFloatArray(arranged),
  };
}

/** Broadcasts a reduced gradient back to the input's shape. */
function expandBack(g: Tensor, p: Plan, shape: readonly number[]): Tensor {
  return g.reshape(p.keptShape).expand(...shape);
}

/** Sum of all elements or over dims. Integer and bool inputs sum to int64, as in PyTorch. */
export function sum(t: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const p = plan(t, dim);
  const dtype = t.dtype.isFloatingPoint ? t.dtype : int64;
  const out = computeArrayFor(dtype.isFloatingPoint ? dtype : t.dtype, p.outer);
  // Accumulate in float64, as PyTorch's CPU kernels accumulate float32 sums in double.
  for (let o = 0, base = 0; o < p.outer; o++, base += p.inner) {
    let s = 0;
    for (let i = 0; i < p.inner; i++) s += p.data[base + i];
    out[o] = s;
  }
  const res = fromNumbers(out, keepdim ? p.keptShape : p.outShape, dtype);
  return res.withGrad("SumBackward1", [t], (g) => [expandBack(g, p, t.dims).contiguous()]);
}

/** ATen's ScalarType names of the integer dtypes, as PyTorch's messages print them. */
const SCALAR_TYPE_NAMES: Record<string, string> = { int64: "Long", int32: "Int", int16: "Short", int8: "Char", uint8: "Byte", bool: "Bool" };

/** Mean of all elements or over dims (floating inputs only, as in PyTorch). */
export function mean(t: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (!t.dtype.isFloatingPoint) {
    throw new Error(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${SCALAR_TYPE_NAMES[t.dtype.name] ?? t.dtype.name}`);
  }
  const p = plan(t, dim);
  return div(sum(t, dim, keepdim), p.inner);
}

/** Variance over dims (unbiased by default). */
export function variance(t: Tensor, dim: number | number[] | undefined, unbiased: boolean, keepdim: boolean): Tensor {
  const p = plan(t, dim);
  const centered = sub(t, mean(t, dim, true));
  return div(sum(mul(centered, centered), dim, keepdim), Math.max(p.inner - (unbiased ? 1 : 0), 0));
}

function extreme(t: Tensor, dim: number | undefined, keepdim: boolean, better: (a: number, b: number) => boolean) {
  const p = plan(t, dim);
  if (p.inner === 0) throw new Error("max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
  const values = computeArrayFor(t.dtype, p.outer);
  const indices = new Float64Array(p.outer);
  for (let o = 0, base = 0; o < p.outer; o++, base += p.inner) {
    let best = p.data[base];
    let bi = 0;
    for (let i = 1; i < p.inner; i++) {
      const v = p.data[base + i];
      if (Number.isNaN(best)) break;
      if (better(v, best) || Number.isNaN(v)) {
        best = v;
        bi = i;
      }
    }
    values[o] = best;
    indices[o] = bi;
  }
  const shape = keepdim ? p.keptShape : p.outShape;
  return { p, values: fromNumbers(values, shape, t.dtype), indices: fromNumbers(indices, shape, int64) };
}

function selectBackward(t: Tensor, p: Plan, indices: Tensor, g: Tensor): Tensor {
  // Scatter g into the arg positions of the arranged input, then undo the arrangement.
  const grad = computeArrayFor(g.dtype, t.numel());
  const gi = toFloatArray(g);
  const ii = toFloatArray(indices);
  for (let o = 0; o < p.outer; o++) grad[o * p.inner + ii[o]] = gi[o];
  const keptIdx = t.dims.map((_, i) => i).filter((i) => !p.dims.includes(i));
  const order = [...keptIdx, ...p.dims];
  const arrangedShape = order.map((d) => t.dims[d]);
  const inverse = order.map((_, i) => order.indexOf(i));
  return fromNumbers(grad, arrangedShape, g.dtype).permute(inverse).contiguous();
}

/** Maximum over one dim: values and int64 indices. */
export function maxDim(t: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  const { p, values, indices } = extreme(t, dim, keepdim, (a, b) => a > b);
  values.withGrad("MaxBackward0", [t], (g) => [selectBackward(t, p, indices, g)]);
  return { values, indices };
}

/** Minimum over one dim: values and int64 indices. */
export function minDim(t: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  const { p, values, indices } = extreme(t, dim, keepdim, (a, b) => a < b);
  values.withGrad("MinBackward0", [t], (g) => [selectBackward(t, p, indices, g)]);
  return { values, indices };
}

/** Maximum of all elements (0-d). */
export function maxAll(t: Tensor): Tensor {
  const { values } = extreme(t, undefined, false, (a, b) => a > b);
  return values.withGrad("MaxBackward1", [t], (g) => [evenlyToExtremes(t, values, g)]);
}

/** Minimum of all elements (0-d). */
export function minAll(t: Tensor): Tensor {
  const { values } = extreme(t, undefined, false, (a, b) => a < b);
  return values.withGrad("MinBackward1", [t], (g) => [evenlyToExtremes(t, values, g)]);
}

function evenlyToExtremes(t: Tensor, value: Tensor, g: Tensor): Tensor {
  const mask = mapBinary(t.detach(), value, g.dtype.isFloatingPoint ? g.dtype : float32, (x, v) => (x === v ? 1 : 0));
  return mul(mask, div(g, sum(mask)));
}

/** Index of the maximum (of the flattened tensor when dim is undefined). */
export function argmax(t: Tensor, dim?: number, keepdim = false): Tensor {
  const src = dim === undefined ? t.detach().reshape(-1) : t;
  return extreme(src, dim === undefined ? 0 : dim, dim === undefined ? false : keepdim, (a, b) => a > b).indices;
}

/** Index of the minimum. */
export function argmin(t: Tensor, dim?: number, keepdim = false): Tensor {
  const src = dim === undefined ? t.detach().reshape(-1) : t;
  return extreme(src, dim === undefined ? 0 : dim, dim === undefined ? false : keepdim, (a, b) => a < b).indices;
}

/** True when every element is non-zero. */
export function all(t: Tensor): boolean {
  const d = toFloatArray(t);
  for (let i = 0; i < d.length; i++) if (d[i] === 0) return false;
  return true;
}

/** True when some element is non-zero. */
export function any(t: Tensor): boolean {
  const d = toFloatArray(t);
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return true;
  return false;
}
