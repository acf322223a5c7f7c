/** Activations: relu, sigmoid, tanh, softmax, logSoftmax, with gradients. */
import { wrapDim } from "../tensor/shape.ts";
import { Tensor } from "../tensor/tensor.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "./convert.ts";
import { floatType, mapUnary, mul, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";

/** max(x, 0). */
export function relu(t: Tensor): Tensor {
  const out = mapUnary(t, (x) => (x > 0 ? x : 0));
  return out.withGrad("ReluBackward0", [t], (g) => [mul(g, mapUnary(out.detach(), (y) => (y > 0 ? 1 : 0), g.dtype))]);
}

/** 1 / (1 + e^-x). */
export function sigmoid(t: Tensor): Tensor {
  const out = mapUnary(t, (x) => 1 / (1 + Math.exp(-x)), floatType(t));
  return out.withGrad("SigmoidBackward0", [t], (g) => [mul(g, mapUnary(out.detach(), (y) => y * (1 - y)))]);
}

/** tanh. */
export function tanh(t: Tensor): Tensor {
  const out = mapUnary(t, Math.tanh, floatType(t));
  return out.withGrad("TanhBackward0", [t], (g) => [mul(g, mapUnary(out.detach(), (y) => 1 - y * y))]);
}

/** Runs `row(src, dst, offset, length)` over every slice along `dim`, returning a tensor shaped like t. */
function alongDim(t: Tensor, dim: number, row: (src: ArrayLike<number>, dst: Float32Array | Float64Array, off: number, len: number) => void): Tensor {
  const nd = t.dims.length;
  const d = wrapDim(dim, nd);
  const last = nd === 0 || d === nd - 1;
  const moved = last ? t.detach() : t.detach().transpose(d, nd - 1);
  const src = toFloatArray(moved);
  const len = nd === 0 ? 1 : moved.dims[nd - 1];
  const out = computeArrayFor(floatType(t), src.length);
  for (let off = 0; off < src.length; off += len) row(src, out, off, len);
  const res = fromNumbers(out, moved.dims, floatType(t));
  return last ? res : res.transpose(d, nd - 1).contiguous();
}

/** Softmax along dim (max-subtracted for stability). */
export function softmax(t: Tensor, dim: number): Tensor {
  const out = alongDim(t, dim, (src, dst, off, len) => {
    let m = -Infinity;
    for (let i = 0; i < len; i++) m = Math.max(m, src[off + i]);
    let s = 0;
    for (let i = 0; i < len; i++) {
      const e = Math.exp(src[off + i] - m);
      dst[off + i] = e;
      s += e;
    }
    for (let i = 0; i < len; i++) dst[off + i] /= s;
  });
  return out.withGrad("SoftmaxBackward0", [t], (g) => {
    const y = out.detach();
    const gy = mul(g, y);
    return [sub(gy, mul(y, sum(gy, dim, true)))];
  });
}

/** log(softmax(x)) along dim, computed stably. */
export function logSoftmax(t: Tensor, dim: number): Tensor {
  const out = alongDim(t, dim, (src, dst, off, len) => {
    let m = -Infinity;
    for (let i = 0; i < len; i++) m = Math.max(m, src[off + i]);
    let s = 0;
    for (let i = 0; i < len; i++) s += Math.exp(src[off + i] - m);
    const lse = m + Math.log(s);
    for (let i = 0; i < len; i++) dst[off + i] = src[off + i] - lse;
  });
  return out.withGrad("LogSoftmaxBackward0", [t], (g) => {
    const p = mapUnary(out.detach(), Math.exp);
    return [sub(g, mul(p, sum(g, dim, true)))];
  });
}
