/**
 * batchNorm: per-channel normalisation of [N, C, *] input with batch statistics (training, updating the running
 * statistics in place) or running statistics (evaluation). Statistics accumulate in float64, as ATen's CPU
 * kernel does for float32.
 */
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import { assign } from "../inplace.ts";
import { checkSameDtype, formatSize } from "./args.ts";

/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Use batch statistics and update the running ones (default false). */
  training?: boolean;
  /**
   * Weight of the new batch statistic in the running average (default 0.1):
   * running = (1 - momentum) * running + momentum * batch. PyTorch's `momentum=None` (a cumulative average)
   * is the module's business: nn.BatchNorm passes 1 / num_batches_tracked here, so null is refused.
   */
  momentum?: number | null;
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
}

function checkFeatures(name: string, t: Tensor | null, C: number): void {
  if (t && t.numel() !== C) throw new RangeError(`${name} should contain ${C} elements not ${t.numel()}`);
}

/**
 * Batch normalisation over dim 1 of a 2-D (N, C), 3-D (N, C, L) or 4-D (N, C, H, W) input.
 * In training, uses the batch mean and biased variance, and (when given) updates runningMean and runningVar in
 * place with the unbiased variance, as PyTorch does. Differentiable in input, weight and bias.
 */
export function batchNorm(
  input: Tensor, runningMean?: Tensor | null, runningVar?: Tensor | null,
  weight?: Tensor | null, bias?: Tensor | null, options: BatchNormOptions = {},
): Tensor {
  return batchNormImpl(input, runningMean ?? null, runningVar ?? null, weight ?? null, bias ?? null, options);
}

function batchNormImpl(
  input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  weight: Tensor | null, bias: Tensor | null, options: BatchNormOptions,
): Tensor {
  const training = options.training ?? false;
  const momentum = options.momentum === undefined ? 0.1 : options.momentum;
  const eps = options.eps ?? 1e-5;
  if (momentum === null) {
    throw new TypeError("batchNorm: momentum=null (cumulative moving average) needs the number of batches seen; pass momentum = 1 / numBatchesTracked, as nn.BatchNorm does");
  }
  const nd = input.dims.length;
  if (nd < 2) throw new RangeError(`batchNorm: expected input of shape (N, C) or (N, C, *), but got input of size ${formatSize(input.dims)}`);
  const N = input.dims[0];
  const C = input.dims[1];
  const S = input.dims.slice(2).reduce((a, b) => a * b, 1);
  if (training && N * S === 1) throw new RangeError(`Expected more than 1 value per channel when training, got input size ${formatSize(input.dims)}`);
  if (runningMean) checkFeatures("running_mean", runningMean, C);
  else if (!training) throw new Error("running_mean must be defined in evaluation mode");
  if (runningVar) checkFeatures("running_var", runningVar, C);
  else if (!training) throw new Error("running_var must be defined in evaluation mode");
  checkFeatures("weight", weight, C);
  checkFeatures("bias", bias, C);
  checkSameDtype(input, weight);
  checkSameDtype(input, bias);

  const X = toFloatArray(input);
  const M = N * S;
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  if (training) {
    const variance = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let i = 0, b = (n * C + c) * S; i < S; i++) s += X[b + i];
      const m = s / M;
      let v = 0;
      for (let n = 0; n < N; n++) for (let i = 0, b = (n * C + c) * S; i < S; i++) v += (X[b + i] - m) * (X[b + i] - m);
      mean[c] = m;
      variance[c] = v;
      invstd[c] = 1 / Math.sqrt(v / M + eps);
    }
    if (runningMean) updateRunning(runningMean, mean, (m) => m, momentum);
    if (runningVar) updateRunning(runningVar, variance, (v) => (M > 1 ? v / (M - 1) : NaN), momentum);
  } else {
    const rm = toFloatArray(runningMean as Tensor);
    const rv = toFloatArray(runningVar as Tensor);
    for (let c = 0; c < C; c++) {
      mean[c] = rm[c];
      invstd[c] = 1 / Math.sqrt(rv[c] + eps);
    }
  }
  const Wt = weight ? toFloatArray(weight) : null;
  const Bs = bias ? toFloatArray(bias) : null;
  const Y = computeArrayFor(input.dtype, X.length);
  for (let c = 0; c < C; c++) {
    const alpha = invstd[c] * (Wt ? Wt[c] : 1);
    const beta = (Bs ? Bs[c] : 0) - mean[c] * alpha;
    for (let n = 0; n < N; n++) for (let i = 0, b = (n * C + c) * S; i < S; i++) Y[b + i] = X[b + i] * alpha + beta;
  }
  const out = fromNumbers(Y, input.dims, input.dtype);
  return out.withGrad("NativeBatchNormBackward0", [input, weight, bias], (g) => {
    const G = toFloatArray(g);
    const gX = input.requiresGrad ? computeArrayFor(input.dtype, X.length) : null;
    const gW = weight?.requiresGrad ? computeArrayFor(weight.dtype, C) : null;
    const gB = bias?.requiresGrad ? computeArrayFor(bias.dtype, C) : null;
    for (let c = 0; c < C; c++) {
      const m = mean[c];
      let sumG = 0;
      let dot = 0;
      for (let n = 0; n < N; n++) {
        for (let i = 0, b = (n * C + c) * S; i < S; i++) {
          sumG += G[b + i];
          dot += (X[b + i] - m) * G[b + i];
        }
      }
      if (gW) gW[c] = dot * invstd[c];
      if (gB) gB[c] = sumG;
      if (gX) inputGradChannel(X, G, gX, c, N, C, S, m, invstd[c], Wt ? Wt[c] : 1, training, sumG, dot);
    }
    return [
      gX ? fromNumbers(gX, input.dims, input.dtype) : null,
      gW ? fromNumbers(gW, (weight as Tensor).dims, (weight as Tensor).dtype) : null,
      gB ? fromNumbers(gB, (bias as Tensor).dims, (bias as Tensor).dtype) : null,
    ];
  });
}

function inputGradChannel(
  X: FloatArray, G: FloatArray, gX: FloatArray, c: number, N: number, C: number, S: number,
  mean: number, invstd: number, w: number, training: boolean, sumG: number, dot: number,
): void {
  const scale = invstd * w;
  if (!training) {
    for (let n = 0; n < N; n++) for (let i = 0, b = (n * C + c) * S; i < S; i++) gX[b + i] = G[b + i] * scale;
    return;
  }
  const M = N * S;
  const k = (dot * invstd * invstd) / M;
  const gradMean = sumG / M;
  for (let n = 0; n < N; n++) {
    for (let i = 0, b = (n * C + c) * S; i < S; i++) gX[b + i] = (G[b + i] - gradMean - (X[b + i] - mean) * k) * scale;
  }
}

/** running = (1 - momentum) * running + momentum * f(stat), written into the running tensor's memory. */
function updateRunning(running: Tensor, stat: Float64Array, f: (v: number) => number, momentum: number): void {
  const old = toFloatArray(running);
  const next = new Float64Array(stat.length);
  for (let c = 0; c < stat.length; c++) next[c] = momentum * f(stat[c]) + (1 - momentum) * old[c];
  assign(running, fromNumbers(next, running.dims, running.dtype));
}
