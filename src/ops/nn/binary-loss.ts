/** Binary classification losses: binaryCrossEntropy on probabilities, binaryCrossEntropyWithLogits on logits. */
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import { checkReduction, formatSize, type Reduction } from "./args.ts";
import { gradientScale, reduceLoss } from "./reduce-loss.ts";

/** Options of binaryCrossEntropy. */
export interface BinaryCrossEntropyOptions {
  /** A rescaling weight broadcast to the input's shape. */
  weight?: Tensor | null;
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

/** Options of binaryCrossEntropyWithLogits. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** A weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

/** The values of an optional tensor broadcast to `shape` (no gradient flows into it). */
function broadcastValues(t: Tensor | null | undefined, shape: readonly number[]): FloatArray | null {
  return t ? toFloatArray(t.detach().expand(...shape)) : null;
}

/**
 * -w [t log(x) + (1 - t) log(1 - x)] with each log clamped at -100, as PyTorch does; input must be in [0, 1] and
 * target of the same shape. Differentiable in input and target.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  if (!target.shape.equals(input.dims)) {
    throw new RangeError(`Using a target size (${formatSize(target.dims)}) that is different to the input size (${formatSize(input.dims)}) is deprecated. Please ensure they have the same size.`);
  }
  const X = toFloatArray(input);
  const T = toFloatArray(target);
  const W = broadcastValues(options.weight, input.dims);
  const n = X.length;
  const values = computeArrayFor(input.dtype, n);
  for (let i = 0; i < n; i++) {
    const x = X[i];
    if (!(x >= 0 && x <= 1)) throw new RangeError("all elements of input should be between 0 and 1");
    const logX = Math.max(Math.log(x), -100);
    const log1mX = Math.max(Math.log(1 - x), -100);
    values[i] = -(W ? W[i] : 1) * (T[i] * logX + (1 - T[i]) * log1mX);
  }
  return reduceLoss(values, input.dims, reduction, input).withGrad("BinaryCrossEntropyBackward0", [input, target], (g) => {
    const scale = gradientScale(g, reduction, n);
    const gx = input.requiresGrad ? computeArrayFor(input.dtype, n) : null;
    const gt = target.requiresGrad ? computeArrayFor(target.dtype, n) : null;
    for (let i = 0; i < n; i++) {
      const x = X[i];
      const w = (W ? W[i] : 1) * scale(i);
      if (gx) gx[i] = (w * (x - T[i])) / Math.max((1 - x) * x, 1e-12);
      if (gt) gt[i] = -w * (Math.max(Math.log(x), -100) - Math.max(Math.log(1 - x), -100));
    }
    return [gx ? fromNumbers(gx, input.dims, input.dtype) : null, gt ? fromNumbers(gt, target.dims, target.dtype) : null];
  });
}

/**
 * Sigmoid + binary cross entropy in one numerically stable step:
 * (1 - t) x + (1 + (posWeight - 1) t) log(1 + e^-x). Differentiable in input and target.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  if (!target.shape.equals(input.dims)) {
    throw new RangeError(`Target size (${formatSize(target.dims)}) must be the same as input size (${formatSize(input.dims)})`);
  }
  const X = toFloatArray(input);
  const T = toFloatArray(target);
  const W = broadcastValues(options.weight, input.dims);
  const P = broadcastValues(options.posWeight, input.dims);
  const n = X.length;
  const values = computeArrayFor(input.dtype, n);
  for (let i = 0; i < n; i++) {
    const x = X[i];
    const t = T[i];
    const softplusNeg = Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    const logWeight = P ? 1 + (P[i] - 1) * t : 1;
    values[i] = ((1 - t) * x + logWeight * softplusNeg) * (W ? W[i] : 1);
  }
  return reduceLoss(values, input.dims, reduction, input).withGrad("BinaryCrossEntropyWithLogitsBackward0", [input, target], (g) => {
    const scale = gradientScale(g, reduction, n);
    const gx = input.requiresGrad ? computeArrayFor(input.dtype, n) : null;
    const gt = target.requiresGrad ? computeArrayFor(target.dtype, n) : null;
    for (let i = 0; i < n; i++) {
      const x = X[i];
      const t = T[i];
      const w = (W ? W[i] : 1) * scale(i);
      const sig = 1 / (1 + Math.exp(-x));
      if (gx) gx[i] = w * (P ? (P[i] * t + 1 - t) * sig - P[i] * t : sig - t);
      if (gt) {
        const softplusNeg = Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
        gt[i] = w * (-x + (P ? P[i] - 1 : 0) * softplusNeg);
      }
    }
    return [gx ? fromNumbers(gx, input.dims, input.dtype) : null, gt ? fromNumbers(gt, target.dims, target.dtype) : null];
  });
}
