/** linear: y = x W^T + b over the last dim of x, as one strided matrix product (W is never transposed in memory). */
import { Tensor } from "../../tensor/tensor.ts";
import { gemmStrided } from "../../kernels/gemm.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "../convert.ts";
import { add } from "../elementwise.ts";
import { matmul } from "../matmul.ts";
import { checkSameDtype } from "./args.ts";

/**
 * Applies y = x W^T + b: input [*, in], weight [out, in], bias [out] (optional); gives [*, out].
 * A 1-D weight [in] gives [*] (a dot product per row), as in PyTorch.
 */
export function linear(input: Tensor, weight: Tensor, maybeBias?: Tensor | null): Tensor {
  const bias = maybeBias ?? null;
  if (weight.dims.length > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${weight.dims.length}D`);
  if (input.dims.length === 0) {
    throw new RangeError(`both arguments to matmul need to be at least 1D, but they are 0D and ${weight.dims.length}D`);
  }
  const fast = weight.dims.length === 2 && (!bias || (bias.dims.length === 1 && bias.dims[0] === weight.dims[0]));
  if (!fast) {
    if (bias && weight.dims.length === 2 && input.dims.length >= 2 && input.isContiguous()) {
      // PyTorch folds the leading dims into one addmm, so the bias must expand to [rows, out].
      const rows = input.dims.slice(0, -1).reduce((a, b) => a * b, 1);
      const y = matmul(input.reshape(rows, input.dims[input.dims.length - 1]), weight.t());
      return add(y, bias.expand(rows, weight.dims[0])).reshape([...input.dims.slice(0, -1), weight.dims[0]]);
    }
    const y = matmul(input, weight.t());
    return bias ? add(y, bias) : y;
  }
  const [outF, inF] = weight.dims;
  const K = input.dims[input.dims.length - 1];
  const M = input.numel() / Math.max(K, 1);
  if (K !== inF) {
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${input.dims.length === 1 ? 1 : M}x${K} and ${inF}x${outF})`);
  }
  checkSameDtype(input, weight);
  checkSameDtype(input, bias);
  const X = toFloatArray(input);
  const Wt = toFloatArray(weight);
  const Y = computeArrayFor(input.dtype, M * outF);
  // Y[M, out] = X[M, in] x W[out, in]^T
  gemmStrided(M, outF, inF, X, 0, inF, 1, Wt, 0, 1, inF, Y, 0, outF);
  if (bias) {
    const B = toFloatArray(bias);
    for (let m = 0; m < M; m++) for (let o = 0, r = m * outF; o < outF; o++) Y[r + o] += B[o];
  }
  const outShape = [...input.dims.slice(0, -1), outF];
  return fromNumbers(Y, outShape, input.dtype).withGrad(bias ? "AddmmBackward0" : "MmBackward0", [input, weight, bias], (g) => {
    const G = toFloatArray(g);
    let gX: Tensor | null = null;
    let gW: Tensor | null = null;
    let gB: Tensor | null = null;
    if (input.requiresGrad) {
      const d = computeArrayFor(input.dtype, M * inF);
      gemmStrided(M, inF, outF, G, 0, outF, 1, Wt, 0, inF, 1, d, 0, inF); // gX = G W
      gX = fromNumbers(d, input.dims, input.dtype);
    }
    if (weight.requiresGrad) {
      const d = computeArrayFor(weight.dtype, outF * inF);
      gemmStrided(outF, inF, M, G, 0, 1, outF, X, 0, inF, 1, d, 0, inF); // gW = G^T X
      gW = fromNumbers(d, weight.dims, weight.dtype);
    }
    if (bias?.requiresGrad) {
      const d = computeArrayFor(bias.dtype, outF);
      for (let o = 0; o < outF; o++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += G[m * outF + o];
        d[o] = s;
      }
      gB = fromNumbers(d, bias.dims, bias.dtype);
    }
    return [gX, gW, gB];
  });
}

