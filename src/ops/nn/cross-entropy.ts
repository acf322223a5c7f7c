/**
 * crossEntropy: log-softmax over the class dim followed by the negative log-likelihood, for class-index targets
 * (with label smoothing) or class-probability targets of the input's shape; composed from differentiable ops
 * following ATen's cross_entropy_loss.
 */
import { Tensor } from "../../tensor/tensor.ts";
import { logSoftmax } from "../activation.ts";
import { fromNumbers, toFloatArray } from "../convert.ts";
import { add, div, mul, neg } from "../elementwise.ts";
import { sum } from "../reduce.ts";
import { checkReduction, formatList, scalarTypeName } from "./args.ts";
import { nllLoss, type NllLossOptions } from "./nll-loss.ts";

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / C (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy between logits `input` ([C], [N, C] or [N, C, d1, ...]) and either int64 class indices
 * ([], [N] or [N, d1, ...]) or class probabilities shaped like the input.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  const classDim = input.dims.length === 1 ? 0 : 1;
  const sameShape = input.dims.length === target.dims.length && input.dims.every((d, i) => d === target.dims[i]);
  if (sameShape) {
    if (!target.dtype.isFloatingPoint) {
      throw new TypeError(`Expected floating point type for target with class probabilities, got ${scalarTypeName(target.dtype)}`);
    }
    if (ignoreIndex >= 0) throw new RangeError("ignore_index is not supported for floating point target");
    checkSmoothing(smoothing);
    return probabilityTargets(input, target, weight, reduction, smoothing, classDim);
  }
  const logp = logSoftmax(input, classDim);
  if (!(smoothing > 0)) return nllLoss(logp, target, { weight, ignoreIndex, reduction });
  checkSmoothing(smoothing);
  const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction });
  const C = input.dims[classDim];
  let smooth = neg(sum(weight ? mul(logp, weightView(weight, input, classDim)) : logp, classDim));
  const T = toFloatArray(target);
  const keep = new Float64Array(T.length);
  let denominator = 0;
  const Wt = weight ? toFloatArray(weight) : null;
  for (let i = 0; i < T.length; i++) {
    if (T[i] === ignoreIndex) continue;
    keep[i] = 1;
    denominator += Wt ? Wt[T[i]] : 1;
  }
  smooth = mul(smooth, fromNumbers(keep, target.dims, smooth.dtype));
  const reduced = reduction === "none" ? smooth : reduction === "sum" ? sum(smooth) : div(sum(smooth), denominator);
  return add(mul(nll, 1 - smoothing), mul(reduced, smoothing / C));
}

function checkSmoothing(s: number): void {
  if (!(s >= 0 && s <= 1)) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${s}`);
}

/** The class weights viewed as [1, C, 1, ...] to broadcast against the input. */
function weightView(weight: Tensor, input: Tensor, classDim: number): Tensor {
  const C = input.dims[classDim];
  if (weight.dims.length !== 1 || weight.numel() !== C) {
    throw new RangeError(`cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${formatList(weight.dims)}`);
  }
  return weight.reshape(input.dims.map((d, i) => (i === classDim ? d : 1)));
}

function probabilityTargets(input: Tensor, target: Tensor, weight: Tensor | null, reduction: string, smoothing: number, classDim: number): Tensor {
  const C = input.dims[classDim];
  const logp = logSoftmax(input, classDim);
  const t = smoothing > 0 ? add(mul(target, 1 - smoothing), smoothing / C) : target;
  let prod = mul(logp, t);
  if (weight) prod = mul(prod, weightView(weight, input, classDim));
  if (reduction === "none") return neg(sum(prod, classDim));
  if (reduction === "sum") return neg(sum(prod));
  return div(neg(sum(prod)), input.numel() / C);
}
