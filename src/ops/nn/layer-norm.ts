/** layerNorm: normalises the trailing `normalizedShape` dims of each row, then applies an element-wise affine map. */
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "../convert.ts";
import { checkSameDtype, formatList } from "./args.ts";
import { rowMoments } from "../../kernels/moments.ts";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Layer normalisation over the last dims (`normalizedShape`, e.g. `[C]` or `[C, H, W]`) with the biased variance,
 * optional elementwise weight and bias of that shape. Differentiable in input, weight and bias.
 */
export function layerNorm(
  input: Tensor, normalizedShape: number | readonly number[],
  maybeWeight?: Tensor | null, maybeBias?: Tensor | null, eps = 1e-5,
): Tensor {
  const weight = maybeWeight ?? null;
  const bias = maybeBias ?? null;
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const nd = input.dims.length;
  const tail = input.dims.slice(nd - shape.length);
  if (shape.length === 0 || shape.length > nd || !sameShape(tail, shape)) {
    throw new RangeError(`Given normalized_shape=${formatList(shape)}, expected input with shape [*, ${shape.join(", ")}], but got input of size${formatList(input.dims)}`);
  }
  if (weight && !sameShape(weight.dims, shape)) {
    throw new RangeError(`Expected weight to be of same shape as normalized_shape, but got weight of shape ${formatList(weight.dims)} and normalized_shape = ${formatList(shape)}`);
  }
  if (bias && !sameShape(bias.dims, shape)) {
    throw new RangeError(`Expected bias to be of same shape as normalized_shape, but got bias of shape ${formatList(bias.dims)} and normalized_shape = ${formatList(shape)}`);
  }
  checkSameDtype(input, weight);
  checkSameDtype(input, bias);
  const D = shape.reduce((a, b) => a * b, 1);
  const X = toFloatArray(input);
  const R = D === 0 ? 0 : X.length / D;
  const Wt = weight ? toFloatArray(weight) : null;
  const Bs = bias ? toFloatArray(bias) : null;
  const { mean, rstd } = rowMoments(X, R, D, eps);
  const Y = computeArrayFor(input.dtype, X.length);
  for (let r = 0; r < R; r++) {
    const base = r * D;
    const m = mean[r];
    const rs = rstd[r];
    for (let i = 0; i < D; i++) Y[base + i] = (X[base + i] - m) * rs * (Wt ? Wt[i] : 1) + (Bs ? Bs[i] : 0);
  }
  return fromNumbers(Y, input.dims, input.dtype).withGrad("NativeLayerNormBackward0", [input, weight, bias], (g) => {
    const G = toFloatArray(g);
    const gX = input.requiresGrad ? computeArrayFor(input.dtype, X.length) : null;
    const gW = weight?.requiresGrad ? new Float64Array(D) : null;
    const gB = bias?.requiresGrad ? new Float64Array(D) : null;
    for (let r = 0; r < R; r++) {
      const base = r * D;
      const m = mean[r];
      const rs = rstd[r];
      let a = 0;
      let b = 0;
      for (let i = 0; i < D; i++) {
        const xhat = (X[base + i] - m) * rs;
        const dxhat = G[base + i] * (Wt ? Wt[i] : 1);
        a += dxhat;
        b += dxhat * xhat;
        if (gW) gW[i] += G[base + i] * xhat;
        if (gB) gB[i] += G[base + i];
      }
      if (gX) {
        for (let i = 0; i < D; i++) {
          const xhat = (X[base + i] - m) * rs;
          gX[base + i] = rs * (G[base + i] * (Wt ? Wt[i] : 1) - a / D - (xhat * b) / D);
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
