/** groupNorm: normalises groups of channels of each sample, then applies a per-channel affine map. */
import { wrapDim } from "../../tensor/shape.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "../convert.ts";
import { checkSameDtype, formatList } from "./args.ts";
import { rowMoments } from "../../kernels/moments.ts";

/**
 * Group normalisation of [N, C, *] input: channels split into `numGroups` groups, each (sample, group) normalised
 * with its mean and biased variance; optional per-channel weight and bias [C]. Differentiable in all three.
 */
export function groupNorm(input: Tensor, numGroups: number, maybeWeight?: Tensor | null, maybeBias?: Tensor | null, eps = 1e-5): Tensor {
  const weight = maybeWeight ?? null;
  const bias = maybeBias ?? null;
  const N = input.dims[0];
  const C = input.dims[wrapDim(1, input.dims.length)];
  if (C % numGroups !== 0) {
    throw new RangeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatList(input.dims)} and num_groups=${numGroups}`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && (t.dims.length !== 1 || t.numel() !== C)) {
      throw new RangeError(`Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${formatList(t.dims)} and input of shape ${formatList(input.dims)}`);
    }
  }
  checkSameDtype(input, weight);
  checkSameDtype(input, bias);
  const S = input.dims.slice(2).reduce((a, b) => a * b, 1);
  const Cg = C / numGroups;
  const D = Cg * S;
  const X = toFloatArray(input);
  const Wt = weight ? toFloatArray(weight) : null;
  const Bs = bias ? toFloatArray(bias) : null;
  const rows = N * numGroups;
  const { mean, rstd } = rowMoments(X, rows, D, eps);
  const Y = computeArrayFor(input.dtype, X.length);
  for (let r = 0; r < rows; r++) {
    const base = r * D;
    const m = mean[r];
    const rs = rstd[r];
    const c0 = (r % numGroups) * Cg;
    for (let k = 0; k < Cg; k++) {
      const w = Wt ? Wt[c0 + k] : 1;
      const b = Bs ? Bs[c0 + k] : 0;
      for (let i = 0, p = base + k * S; i < S; i++) Y[p + i] = (X[p + i] - m) * rs * w + b;
    }
  }
  return fromNumbers(Y, input.dims, input.dtype).withGrad("NativeGroupNormBackward0", [input, weight, bias], (g) => {
    const G = toFloatArray(g);
    const gX = input.requiresGrad ? computeArrayFor(input.dtype, X.length) : null;
    const gW = weight?.requiresGrad ? new Float64Array(C) : null;
    const gB = bias?.requiresGrad ? new Float64Array(C) : null;
    for (let r = 0; r < rows; r++) {
      const base = r * D;
      const m = mean[r];
      const rs = rstd[r];
      const c0 = (r % numGroups) * Cg;
      let a = 0;
      let b = 0;
      for (let k = 0; k < Cg; k++) {
        const w = Wt ? Wt[c0 + k] : 1;
        let sg = 0;
        let sgx = 0;
        for (let i = 0, p = base + k * S; i < S; i++) {
          const xhat = (X[p + i] - m) * rs;
          sg += G[p + i];
          sgx += G[p + i] * xhat;
        }
        a += sg * w;
        b += sgx * w;
        if (gW) gW[c0 + k] += sgx;
        if (gB) gB[c0 + k] += sg;
      }
      if (gX) {
        for (let k = 0; k < Cg; k++) {
          const w = Wt ? Wt[c0 + k] : 1;
          for (let i = 0, p = base + k * S; i < S; i++) {
            const xhat = (X[p + i] - m) * rs;
            gX[p + i] = rs * (G[p + i] * w - a / D - (xhat * b) / D);
          }
        }
      }
    }
    return [
      gX ? fromNumbers(gX, input.dims, input.dtype) : null,
      gW ? fromNumbers(gW, (weight as Tensor).dims, (weight as Tensor).dtype) : null,
      gB ? fromNumbers(gB, (bias as Tensor).dims, (bias as Tensor).dtype) : null,
    ];
  });
}
