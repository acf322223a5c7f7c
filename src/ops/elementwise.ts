/** Element-wise ops with broadcasting and their gradients. */
import { bool, DType, float32, int64, promoteTypes } from "../tensor/dtype.ts";
import { broadcastShapes } from "../tensor/shape.ts";
import { Tensor, type TensorOrScalar } from "../tensor/tensor.ts";
import { binaryBroadcast, reduceToShape } from "../kernels/broadcast.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "./convert.ts";

/** The result dtype of a tensor/scalar pair: a JS number is a "weak" scalar, as in PyTorch. */
export function resultType(a: TensorOrScalar, b: TensorOrScalar): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteTypes(a.dtype, b.dtype);
  const t = (a instanceof Tensor ? a : b) as Tensor;
  const s = (a instanceof Tensor ? b : a) as number;
  if (t.dtype.isFloatingPoint) return t.dtype;
  if (!Number.isInteger(s)) return float32;
  return t.dtype === bool ? int64 : t.dtype;
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

/** Applies `f` element-wise over broadcast operands into a new tensor of `dtype`. */
export function mapBinary(a: TensorOrScalar, b: TensorOrScalar, dtype: DType, f: (x: number, y: number) => number): Tensor {
  const A = operand(a);
  const B = operand(b);
  const shape = broadcastShapes(A.shape, B.shape);
  const out = computeArrayFor(dtype, shape.reduce((x, y) => x * y, 1));
  binaryBroadcast(A.data, A.shape, B.data, B.shape, out, shape, f);
  return fromNumbers(out, shape, dtype);
}

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

/** a + alpha * b. */
export function add(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
  const out = alpha === 1 ? mapBinary(a, b, resultType(a, b), (x, y) => x + y) : mapBinary(a, b, resultType(a, b), (x, y) => x + alpha * y);
  return out.withGrad("AddBackward0", inputs(a, b), (g) => [gradOf(a, g), b instanceof Tensor && b.requiresGrad ? sumToShape(alpha === 1 ? g : mul(g, alpha), b.dims) : null]);
}

/** a - alpha * b. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha = 1): Tensor {
  const out = mapBinary(a, b, resultType(a, b), alpha === 1 ? (x, y) => x - y : (x, y) => x - alpha * y);
  return out.withGrad("SubBackward0", inputs(a, b), (g) => [gradOf(a, g), b instanceof Tensor && b.requiresGrad ? sumToShape(mul(g, -alpha), b.dims) : null]);
}

/** a * b. */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const out = mapBinary(a, b, resultType(a, b), (x, y) => x * y);
  return out.withGrad("MulBackward0", inputs(a, b), (g) => [
    a instanceof Tensor && a.requiresGrad ? sumToShape(mul(g, b instanceof Tensor ? b.detach() : b), a.dims) : null,
    b instanceof Tensor && b.requiresGrad ? sumToShape(mul(g, a instanceof Tensor ? a.detach() : a), b.dims) : null,
  ]);
}

/** a / b (true division: integer inputs give float32). */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  let dtype = resultType(a, b);
  if (!dtype.isFloatingPoint) dtype = float32;
  const out = mapBinary(a, b, dtype, (x, y) => x / y);
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
