/** matmul with PyTorch's broadcasting rules (1-D, 2-D and batched operands) and its gradient. */
import { promoteTypes } from "../tensor/dtype.ts";
import { broadcastShapes } from "../tensor/shape.ts";
import { Tensor } from "../tensor/tensor.ts";
import { gemm } from "../kernels/gemm.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "./convert.ts";
import { sumToShape } from "./elementwise.ts";

/** Batched product of operands with at least 2 dims each, batch dims broadcast. */
function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const M = a.dims[a.dims.length - 2];
  const K = a.dims[a.dims.length - 1];
  const K2 = b.dims[b.dims.length - 2];
  const N = b.dims[b.dims.length - 1];
  if (K !== K2) {
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${a.dims.slice(0, -1).reduce((x, y) => x * y, 1)}x${K} and ${K2}x${N})`);
  }
  const batch = broadcastShapes(a.dims.slice(0, -2), b.dims.slice(0, -2));
  const nb = batch.reduce((x, y) => x * y, 1);
  const dtype = promoteTypes(a.dtype, b.dtype);
  const A = toFloatArray(a.detach().expand(...batch, M, K));
  const B = toFloatArray(b.detach().expand(...batch, K, N));
  const C = computeArrayFor(dtype, nb * M * N);
  for (let i = 0; i < nb; i++) gemm(M, N, K, A, i * M * K, B, i * K * N, C, i * M * N);
  const out = fromNumbers(C, [...batch, M, N], dtype);
  return out.withGrad("MmBackward0", [a, b], (g) => [
    a.requiresGrad ? sumToShape(batchedMatmul(g, b.detach().transpose(-1, -2)), a.dims) : null,
    b.requiresGrad ? sumToShape(batchedMatmul(a.detach().transpose(-1, -2), g), b.dims) : null,
  ]);
}

/** Matrix product: dot for 1-D x 1-D, matrix-vector, matrix-matrix and broadcast batched products. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.dims.length === 0 || b.dims.length === 0) throw new RangeError("both arguments to matmul need to be at least 1D");
  const a2 = a.dims.length === 1 ? a.unsqueeze(0) : a;
  const b2 = b.dims.length === 1 ? b.unsqueeze(1) : b;
  let out = batchedMatmul(a2, b2);
  if (a.dims.length === 1) out = out.squeeze(-2);
  if (b.dims.length === 1) out = out.squeeze(-1);
  return out;
}
