/** Element-wise ops with broadcasting and their gradients. */
import { bool, DType, float32, int64, promoteTypes } from "../tensor/dtype.ts";
import { broadcastShapes } from "../tensor/shape.ts";
import { Tensor, type TensorOrScalar } from "../tensor/tensor.ts";
import { binaryBroadcast, reduceToShape } from "../kernels/broadcast.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "./convert.ts";

/** The result dtype of a tensor/scalar pair: a JS number is a "weak" scalar, as in PyTorch. */
export function resultType(a: TensorOrScalar, b: TensorOrScalar): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteTypes(a.dtype, b.dtype);
  const t = (a instanceof Tensor ? a : b) as Tensor;
  const s = (a instanceof Tensor ? b : a) as number;
  if (t.dtype.isFloatingPoint) return t.dtype;
  if (!Number.isInteger(s)) return float32;
  return t.dtype === bool ? int64 : t.dtype;
}
/**
 * A JS number as PyTorch uses a Python scalar against a tensor of `dtype`: cast to float32 first for float32 math
 * (`x * 0.9` multiplies by float32(0.9), as PyTorch does).
 */
function scalarIn<T extends TensorOrScalar>(x: T, dtype: DType): T {
  return (typeof x === "number" && dtype === float32 ? Math.fround(x) : x) as T;
}
function operand(x: TensorOrScalar): { data: ArrayLike<number>; shape: readonly number[] } {
  return x instanceof Tensor ? { data: toFloatArray(x), shape: x.dims } : { data: [x], shape: [] };
}

/** Sums a broadcast gradient back down to `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.dims.length === shape.length && g.dims.every((d, i) => d === shape[i])) return g;
  const out = computeArrayFor(g.dtype, shape.reduce((a, b) => a * b, 1));
  reduceToShape(toFloatArray(g), g.dims, shape, out);
  return fromNumbers(out, shape, g.dtype);
}

/** A whole-array loop computing the same values as an op's `f` (B has one element or as many as out). */
type FastLoop = (A: ArrayLike<number>, B: ArrayLike<number>, out: FloatArray) => void;

/**
 * Applies `f` element-wise over broadcast operands into a new tensor of `dtype`. `fast`, when given, replaces the
 * per-element calls of `f` where `a` is dense at the output's size and `b` is too or is a single value (the hot
 * case of optimizer updates and gradient accumulation; a call through `f` per element cannot be inlined).
 */
export function mapBinary(a: TensorOrScalar, b: TensorOrScalar, dtype: DType, f: (x: number, y: number) => number, fast?: FastLoop): Tensor {
  const A = operand(a);
  const B = operand(b);
  const shape = broadcastShapes(A.shape, B.shape);
  const out = computeArrayFor(dtype, shape.reduce((x, y) => x * y, 1));
  if (fast && A.data.length === out.length && (B.data.length === out.length || B.data.length === 1)) fast(A.data, B.data, out);
  else binaryBroadcast(A.data, A.shape, B.data, B.shape, out, shape, f);
  return fromNumbers(out, shape, dtype);
}

/** out = A + k * B (the loop behind add and sub). */
function axpyLoop(k: number): FastLoop {
  return (A, B, out) => {
    const n = out.length;
    if (B.length === 1) {
      const y = k * B[0];
      for (let i = 0; i < n; i++) out[i] = A[i] + y;
    } else if (k === 1) for (let i = 0; i < n; i++) out[i] = A[i] + B[i];
    else for (let i = 0; i < n; i++) out[i] = A[i] + k * B[i];
  };
}

/** out = A * B. */
const mulLoop: FastLoop = (A, B, out) => {
  const n = out.length;
  if (B.length === 1) {
    const y = B[0];
    for (let i = 0; i < n; i++) out[i] = A[i] * y;
  } else for (let i = 0; i < n; i++) out[i] = A[i] * B[i];
};

/** Applies `f` to every element into a new tensor (same dtype unless given). */
export function mapUnary(t: Tensor, f: (x: number) => number, dtype: DType = t.dtype): Tensor {
  const src = toFloatArray(t);
  const out = computeArrayFor(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return fromNumbers(out, t.dims, dtype);
}

function gradOf(x: TensorOrScalar, g: Tensor): Tensor | null {
  return x instanceof Tensor && x.requiresGrad ? sumToShape(g, x.dims) : null;
}
function inputs(a: TensorOrScalar, b: TensorOrScalar): (Tensor | null)[] {
  return [a instanceof Tensor ? a : null, b instanceof Tensor ? b : null];
}

/**
 * a + alpha * b. For float32, alpha and scalars are cast to float32 and `x + k * y` is computed in float64 (the product
 * is exact), which gives PyTorch's fused multiply-add result (barring rare double-rounding ties).
 */
export function add(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
  const dtype = resultType(a, b);
  const k = scalarIn(alpha, dtype);
  const out = mapBinary(scalarIn(a, dtype), scalarIn(b, dtype), dtype, k === 1 ? (x, y) => x + y : (x, y) => x + k * y, axpyLoop(k));
  return out.withGrad("AddBackward0", inputs(a, b), (g) => [gradOf(a, g), b instanceof Tensor && b.requiresGrad ? sumToShape(alpha === 1 ? g : mul(g, alpha), b.dims) : null]);
}

/** a - alpha * b. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
  const dtype = resultType(a, b);
  const k = scalarIn(alpha, dtype);
  const out = mapBinary(scalarIn(a, dtype), scalarIn(b, dtype), dtype, k === 1 ? (x, y) => x - y : (x, y) => x - k * y);
  return out.withGrad("SubBackward0", inputs(a, b), (g) => [gradOf(a, g), b instanceof Tensor && b.requiresGrad ? sumToShape(mul(g, -alpha), b.dims) : null]);
}

/** a * b. */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const dtype = resultType(a, b);
  const out = mapBinary(scalarIn(a, dtype), scalarIn(b, dtype), dtype, (x, y) => x * y, mulLoop);
  return out.withGrad("MulBackward0", inputs(a, b), (g) => [
    a instanceof Tensor && a.requiresGrad ? sumToShape(mul(g, b instanceof Tensor ? b.detach() : b), a.dims) : null,
    b instanceof Tensor && b.requiresGrad ? sumToShape(mul(g, a instanceof Tensor ? a.detach() : a), b.dims) : null,
  ]);
}

/** a / b (true division: integer inputs give float32). */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  let dtype = resultType(a, b);
  if (!dtype.isFloatingPoint) dtype = float32;
  const out = mapBinary(scalarIn(a, dtype), scalarIn(b, dtype), dtype, (x, y) => x / y);
  return out.withGrad("DivBackward0", inputs(a, b), (g) => [
    a instanceof Tensor && a.requiresGrad ? sumToShape(div(g, b instanceof Tensor ? b.detach() : b), a.dims) : null,
    b instanceof Tensor && b.requiresGrad ? sumToShape(neg(div(mul(g, out.detach()), b.detach())), b.dims) : null,
  ]);
}

/** a ** b. */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const out = mapBinary(a, b, resultType(a, b), (x, y) => x ** y);
  return out.withGrad("PowBackward0", inputs(a, b), (g) => [
    a instanceof Tensor && a.requiresGrad
      ? sumToShape(mul(g, mapBinary(a.detach(), b instanceof Tensor ? b.detach() : b, a.dtype, (x, y) => (y === 0 ? 0 : y * x ** (y - 1)))), a.dims)
      : null,
    b instanceof Tensor && b.requiresGrad
      ? sumToShape(mul(g, mapBinary(out.detach(), a instanceof Tensor ? a.detach() : a, b.dtype, (o, x) => (x > 0 ? o * Math.log(x) : 0))), b.dims)
      : null,
  ]);
}

/**
 * self + value * t1 * t2 rounded as PyTorch's CPU kernel does: `value * t1` rounded, then one fused multiply-add.
 * Not recorded by autograd (the in-place `addcmul_` uses it).
 */
export function addcmul(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const dtype = promoteTypes(promoteTypes(self.dtype, t1.dtype), t2.dtype);
  const scaled = value === 1 ? t1 : mul(t1.detach(), value);
  const shape = broadcastShapes(broadcastShapes(self.dims, scaled.dims), t2.dims);
  const [s, x, y] = [self, scaled, t2].map((t) => toFloatArray(t.detach().expand(...shape)));
  const out = computeArrayFor(dtype, s.length);
  for (let i = 0; i < out.length; i++) out[i] = s[i] + x[i] * y[i];
  return fromNumbers(out, shape, dtype);
}

/**
 * self + value * t1 / t2 rounded as PyTorch's CPU kernel does: `(value * t1) / t2`, then the sum, each rounded.
 * Not recorded by autograd (the in-place `addcdiv_` uses it).
 */
export function addcdiv(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const scaled = value === 1 ? t1.detach() : mul(t1.detach(), value);
  return add(self.detach(), div(scaled, t2.detach()));
}

/** -t. */
export function neg(t: Tensor): Tensor {
  return mapUnary(t, (x) => -x).withGrad("NegBackward0", [t], (g) => [neg(g)]);
}

/** e^t. */
export function exp(t: Tensor): Tensor {
  const out = mapUnary(t, Math.exp, floatType(t));
  return out.withGrad("ExpBackward0", [t], (g) => [mul(g, out.detach())]);
}

/** ln t. */
export function log(t: Tensor): Tensor {
  return mapUnary(t, Math.log, floatType(t)).withGrad("LogBackward0", [t], (g) => [div(g, t.detach())]);
}

/** sqrt t. */
export function sqrt(t: Tensor): Tensor {
  const out = mapUnary(t, Math.sqrt, floatType(t));
  return out.withGrad("SqrtBackward0", [t], (g) => [div(g, mul(out.detach(), 2))]);
}

/** 1 / sqrt t. */
export function rsqrt(t: Tensor): Tensor {
  const out = mapUnary(t, (x) => 1 / Math.sqrt(x), floatType(t));
  return out.withGrad("RsqrtBackward0", [t], (g) => [mul(g, mapUnary(out.detach(), (y) => -0.5 * y * y * y))]);
}

/** |t|. */
export function abs(t: Tensor): Tensor {
  return mapUnary(t, Math.abs).withGrad("AbsBackward0", [t], (g) => [mul(g, mapUnary(t.detach(), Math.sign))]);
}

/** 1 / t. */
export function reciprocal(t: Tensor): Tensor {
  const out = mapUnary(t, (x) => 1 / x, floatType(t));
  return out.withGrad("ReciprocalBackward0", [t], (g) => [mul(g, mapUnary(out.detach(), (y) => -y * y))]);
}

/** Clamps into [min, max]; the gradient passes where the input was inside. */
export function clamp(t: Tensor, min?: number, max?: number): Tensor {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return mapUnary(t, (x) => (x < lo ? lo : x > hi ? hi : x)).withGrad("ClampBackward1", [t], (g) => [
    mul(g, mapUnary(t.detach(), (x) => (x >= lo && x <= hi ? 1 : 0), g.dtype)),
  ]);
}

/** Element-wise max; ties split the gradient evenly, as PyTorch does. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  const out = mapBinary(a, b, resultType(a, b), Math.max);
  return out.withGrad("MaximumBackward0", [a, b], (g) => [
    a.requiresGrad ? sumToShape(mul(g, mapBinary(a.detach(), b.detach(), g.dtype, (x, y) => (x > y ? 1 : x === y ? 0.5 : 0))), a.dims) : null,
    b.requiresGrad ? sumToShape(mul(g, mapBinary(b.detach(), a.detach(), g.dtype, (x, y) => (x > y ? 1 : x === y ? 0.5 : 0))), b.dims) : null,
  ]);
}

/** Element-wise min. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return neg(maximum(neg(a), neg(b)));
}

/** Comparison ops, giving bool tensors. */
export function compare(a: Tensor, b: TensorOrScalar, op: "eq" | "ne" | "lt" | "le" | "gt" | "ge"): Tensor {
  const f = {
    eq: (x: number, y: number) => (x === y ? 1 : 0),
    ne: (x: number, y: number) => (x !== y ? 1 : 0),
    lt: (x: number, y: number) => (x < y ? 1 : 0),
    le: (x: number, y: number) => (x <= y ? 1 : 0),
    gt: (x: number, y: number) => (x > y ? 1 : 0),
    ge: (x: number, y: number) => (x >= y ? 1 : 0),
  }[op];
  return mapBinary(a, b, bool, f);
}

/** |a - b| <= atol + rtol * |b| everywhere (NaNs never close). */
export function allclose(a: Tensor, b: Tensor, rtol: number, atol: number): boolean {
  return mapBinary(a, b, bool, (x, y) => (Math.abs(x - y) <= atol + rtol * Math.abs(y) ? 1 : 0)).all();
}

/** The floating dtype a unary float op returns for `t` (integers give float32). */
export function floatType(t: Tensor): DType {
  return t.dtype.isFloatingPoint ? t.dtype : float32;
}
