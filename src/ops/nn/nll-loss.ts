/** nllLoss: the negative log-likelihood of class-index targets, with class weights, ignoreIndex and reductions. */
import { int64 } from "../../tensor/dtype.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "../convert.ts";
import { checkReduction, formatList, type Reduction, scalarTypeName } from "./args.ts";

/** Options of nllLoss and crossEntropy (class-index targets). */
export interface NllLossOptions {
  /** A rescaling weight per class ([C]). */
  weight?: Tensor | null;
  /** Targets equal to this contribute neither loss nor gradient, nor count in the mean (default -100). */
  ignoreIndex?: number;
  /** "mean" (default; weighted by the targets' class weights), "sum" or "none". */
  reduction?: Reduction;
}

/** The (N, C, S) layout of a classification input and its target, after PyTorch's shape checks. */
export interface ClassLayout {
  N: number;
  C: number;
  S: number;
  /** Shape of the unreduced loss (the target's shape). */
  outShape: number[];
}

function checkWeight(weight: Tensor | null | undefined, C: number): void {
  if (weight && (weight.dims.length !== 1 || weight.numel() !== C)) {
    throw new RangeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${formatList(weight.dims)}`);
  }
}

/** PyTorch's nll_loss_nd checks for input [C], [N, C] or [N, C, d1, ...] and class-index target. */
export function classLayout(input: Tensor, target: Tensor, weight: Tensor | null | undefined): ClassLayout {
  const nd = input.dims.length;
  if (nd < 1) throw new RangeError(`Expected 1 or more dimensions (got ${nd})`);
  const targetBatch = target.dims.length ? target.dims[0] : 0;
  if (nd !== 1 && input.dims[0] !== targetBatch) {
    throw new RangeError(`Expected input batch_size (${input.dims[0]}) to match target batch_size (${targetBatch}).`);
  }
  if (nd <= 2) {
    if (target.dims.length > 1) throw new RangeError("0D or 1D target tensor expected, multi-target not supported");
    const noBatch = nd === 1 && target.dims.length === 0;
    if (!noBatch && input.dims[0] !== target.dims[0]) {
      throw new RangeError(`size mismatch (got input: ${formatList(input.dims)}, target: ${formatList(target.dims)})`);
    }
  } else if (nd === 4) {
    if (target.dims.length !== 3) throw new RangeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.dims.length}`);
    if (input.dims[0] !== target.dims[0] || input.dims[2] !== target.dims[1] || input.dims[3] !== target.dims[2]) {
      throw new RangeError(`size mismatch (got input: ${formatList(input.dims)} , target: ${formatList(target.dims)}`);
    }
  } else {
    const expected = [input.dims[0], ...input.dims.slice(2)];
    if (target.dims.length !== expected.length || target.dims.some((d, i) => d !== expected[i])) {
      throw new RangeError(`Expected target size ${formatList(expected)}, got ${formatList(target.dims)}`);
    }
  }
  const C = nd === 1 ? input.dims[0] : input.dims[1];
  checkWeight(weight, C);
  if (target.dtype !== int64) throw new TypeError(`expected scalar type Long but found ${scalarTypeName(target.dtype)}`);
  const N = nd === 1 ? 1 : input.dims[0];
  const S = input.dims.slice(2).reduce((a, b) => a * b, 1);
  return { N, C, S, outShape: [...target.dims] };
}

/**
 * Negative log-likelihood: loss_i = -weight[t_i] * input[i, t_i] for log-probabilities `input` ([C], [N, C] or
 * [N, C, d1, ...]) and int64 class targets ([], [N] or [N, d1, ...]). "mean" divides by the summed weights of the
 * non-ignored targets (NaN when every target is ignored), as PyTorch does.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  const weight = options.weight ?? null;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const { N, C, S, outShape } = classLayout(input, target, weight);
  const X = toFloatArray(input);
  const T = toFloatArray(target);
  const Wt = weight ? toFloatArray(weight) : null;
  const count = N * S;
  const perItem = new Float64Array(count);
  const itemWeight = new Float64Array(count);
  let total = 0;
  let totalWeight = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const i = n * S + s;
      const t = T[i];
      if (t === ignoreIndex) continue;
      if (t < 0 || t >= C) throw new RangeError(`Target ${t} is out of bounds.`);
      const w = Wt ? Wt[t] : 1;
      itemWeight[i] = w;
      perItem[i] = -w * X[(n * C + t) * S + s];
      total += perItem[i];
      totalWeight += w;
    }
  }
  const dtype = input.dtype;
  let out: Tensor;
  if (reduction === "none") out = fromNumbers(perItem, outShape, dtype);
  else out = fromNumbers([reduction === "mean" ? total / totalWeight : total], [], dtype);
  return out.withGrad("NllLossBackward0", [input], (g) => {
    const G = toFloatArray(g);
    const d = computeArrayFor(dtype, X.length);
    const scale = reduction === "mean" ? G[0] / totalWeight : G[0];
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const i = n * S + s;
        const w = itemWeight[i];
        if (w === 0) continue;
        d[(n * C + T[i]) * S + s] = -w * (reduction === "none" ? G[i] : scale);
      }
    }
    return [fromNumbers(d, input.dims, dtype)];
  });
}
