/** Dense matrix multiply kernels on row-major typed arrays (the hot loop behind matmul, linear and conv). */
import type { NumArray } from "./strided.ts";

/**
 * C[m, n] (+)= sum_k A[m, k] * B[k, n] with row-major A (M x K), B (K x N), C (M x N), at the given offsets.
 * When `accumulate` is false C is overwritten. The i-k-j order keeps the inner loop on contiguous rows.
 */
export function gemm(
  M: number, N: number, K: number,
  A: NumArray, aOff: number, B: NumArray, bOff: number, C: NumArray, cOff: number, accumulate = false,
): void {
  if (!accumulate) for (let i = 0; i < M * N; i++) C[cOff + i] = 0;
  for (let i = 0; i < M; i++) {
    const cRow = cOff + i * N;
    const aRow = aOff + i * K;
    let k = 0;
    for (; k + 3 < K; k += 4) {
      const a0 = A[aRow + k], a1 = A[aRow + k + 1], a2 = A[aRow + k + 2], a3 = A[aRow + k + 3];
      const b0 = bOff + k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
      for (let j = 0; j < N; j++) {
        C[cRow + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
      }
    }
    for (; k < K; k++) {
      const a = A[aRow + k];
      if (a === 0) continue;
      const bRow = bOff + k * N;
      for (let j = 0; j < N; j++) C[cRow + j] += a * B[bRow + j];
    }
  }
}

/** C[m, n] (+)= sum_k A[m, k] * B[n, k]: B given transposed (N x K), dot products along contiguous rows. */
export function gemmBT(
  M: number, N: number, K: number,
  A: NumArray, aOff: number, B: NumArray, bOff: number, C: NumArray, cOff: number, accumulate = false,
): void {
  for (let i = 0; i < M; i++) {
    const aRow = aOff + i * K;
    for (let j = 0; j < N; j++) {
      const bRow = bOff + j * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        s0 += A[aRow + k] * B[bRow + k];
        s1 += A[aRow + k + 1] * B[bRow + k + 1];
        s2 += A[aRow + k + 2] * B[bRow + k + 2];
        s3 += A[aRow + k + 3] * B[bRow + k + 3];
      }
      for (; k < K; k++) s0 += A[aRow + k] * B[bRow + k];
      const s = s0 + s1 + s2 + s3;
      C[cOff + i * N + j] = accumulate ? C[cOff + i * N + j] + s : s;
    }
  }
}
