/**
 * Dense matrix multiply kernels on typed arrays (the hot loop behind matmul, linear and conv).
 *
 * One strided kernel serves every layout: operand elements are addressed as `A[aOff + i * aRow + k * aCol]`
 * and `B[bOff + k * bRow + j * bCol]`, so transposed operands cost nothing but different strides. The loops
 * compute 4x4 (then 2x4, 1x4, 4x1, 1x1) tiles of C in local variables, which V8 keeps in registers: each
 * step over k loads 8 values for 16 multiply-adds. Float32 products large enough to pay for a call go to the
 * WebAssembly SIMD kernels (kernels/wasm/) instead.
 */
import type { NumArray } from "./strided.ts";
import { gemmWasm } from "./wasm/gemm-wasm.ts";

/**
 * C[cOff + i * ldc + j] (+)= sum_k A(i, k) * B(k, j) for i < M, j < N, k < K, where
 * A(i, k) = A[aOff + i * aRow + k * aCol] and B(k, j) = B[bOff + k * bRow + j * bCol].
 * When `accumulate` is false C is overwritten (never read).
 */
export function gemmStrided(
  M: number, N: number, K: number,
  A: NumArray, aOff: number, aRow: number, aCol: number,
  B: NumArray, bOff: number, bRow: number, bCol: number,
  C: NumArray, cOff: number, ldc: number, accumulate = false,
): void {
  if (gemmWasm(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff, ldc, accumulate)) return;
  const N4 = N - (N % 4);
  let i = 0;
  for (; i + 3 < M; i += 4) {
    const pa0 = aOff + i * aRow;
    for (let j = 0; j < N4; j += 4) {
      tile4x4(K, A, pa0, aRow, aCol, B, bOff + j * bCol, bRow, bCol, C, cOff + i * ldc + j, ldc, accumulate);
    }
    for (let j = N4; j < N; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let pa = pa0;
      let pb = bOff + j * bCol;
      for (let k = 0; k < K; k++, pa += aCol, pb += bRow) {
        const y = B[pb];
        c0 += A[pa] * y;
        c1 += A[pa + aRow] * y;
        c2 += A[pa + 2 * aRow] * y;
        c3 += A[pa + 3 * aRow] * y;
      }
      const c = cOff + i * ldc + j;
      store(C, c, c0, accumulate);
      store(C, c + ldc, c1, accumulate);
      store(C, c + 2 * ldc, c2, accumulate);
      store(C, c + 3 * ldc, c3, accumulate);
    }
  }
  for (; i + 1 < M; i += 2) rows2(i, N, N4, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff, ldc, accumulate);
  for (; i < M; i++) row1(i, N, N4, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff, ldc, accumulate);
}

function store(C: NumArray, at: number, v: number, accumulate: boolean): void {
  C[at] = accumulate ? C[at] + v : v;
}

function tile4x4(
  K: number, A: NumArray, pa: number, aRow: number, aCol: number,
  B: NumArray, pb: number, bRow: number, bCol: number, C: NumArray, c: number, ldc: number, accumulate: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow;
  const b1 = bCol, b2 = 2 * bCol, b3 = 3 * bCol;
  for (let k = 0; k < K; k++, pa += aCol, pb += bRow) {
    const x0 = A[pa], x1 = A[pa + a1], x2 = A[pa + a2], x3 = A[pa + a3];
    const y0 = B[pb], y1 = B[pb + b1], y2 = B[pb + b2], y3 = B[pb + b3];
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
    c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
  }
  if (accumulate) {
    C[c] += c00; C[c + 1] += c01; C[c + 2] += c02; C[c + 3] += c03; c += ldc;
    C[c] += c10; C[c + 1] += c11; C[c + 2] += c12; C[c + 3] += c13; c += ldc;
    C[c] += c20; C[c + 1] += c21; C[c + 2] += c22; C[c + 3] += c23; c += ldc;
    C[c] += c30; C[c + 1] += c31; C[c + 2] += c32; C[c + 3] += c33;
  } else {
    C[c] = c00; C[c + 1] = c01; C[c + 2] = c02; C[c + 3] = c03; c += ldc;
    C[c] = c10; C[c + 1] = c11; C[c + 2] = c12; C[c + 3] = c13; c += ldc;
    C[c] = c20; C[c + 1] = c21; C[c + 2] = c22; C[c + 3] = c23; c += ldc;
    C[c] = c30; C[c + 1] = c31; C[c + 2] = c32; C[c + 3] = c33;
  }
}

function rows2(
  i: number, N: number, N4: number, K: number, A: NumArray, aOff: number, aRow: number, aCol: number,
  B: NumArray, bOff: number, bRow: number, bCol: number, C: NumArray, cOff: number, ldc: number, accumulate: boolean,
): void {
  const pa0 = aOff + i * aRow;
  const b1 = bCol, b2 = 2 * bCol, b3 = 3 * bCol;
  for (let j = 0; j < N4; j += 4) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let pa = pa0;
    let pb = bOff + j * bCol;
    for (let k = 0; k < K; k++, pa += aCol, pb += bRow) {
      const x0 = A[pa], x1 = A[pa + aRow];
      const y0 = B[pb], y1 = B[pb + b1], y2 = B[pb + b2], y3 = B[pb + b3];
      c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
      c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    }
    const c = cOff + i * ldc + j;
    store(C, c, c00, accumulate); store(C, c + 1, c01, accumulate); store(C, c + 2, c02, accumulate); store(C, c + 3, c03, accumulate);
    const d = c + ldc;
    store(C, d, c10, accumulate); store(C, d + 1, c11, accumulate); store(C, d + 2, c12, accumulate); store(C, d + 3, c13, accumulate);
  }
  for (let j = N4; j < N; j++) {
    let c0 = 0, c1 = 0;
    let pa = pa0;
    let pb = bOff + j * bCol;
    for (let k = 0; k < K; k++, pa += aCol, pb += bRow) {
      const y = B[pb];
      c0 += A[pa] * y;
      c1 += A[pa + aRow] * y;
    }
    store(C, cOff + i * ldc + j, c0, accumulate);
    store(C, cOff + (i + 1) * ldc + j, c1, accumulate);
  }
}

function row1(
  i: number, N: number, N4: number, K: number, A: NumArray, aOff: number, aRow: number, aCol: number,
  B: NumArray, bOff: number, bRow: number, bCol: number, C: NumArray, cOff: number, ldc: number, accumulate: boolean,
): void {
  const pa0 = aOff + i * aRow;
  const b1 = bCol, b2 = 2 * bCol, b3 = 3 * bCol;
  for (let j = 0; j < N4; j += 4) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    let pa = pa0;
    let pb = bOff + j * bCol;
    for (let k = 0; k < K; k++, pa += aCol, pb += bRow) {
      const x = A[pa];
      c0 += x * B[pb]; c1 += x * B[pb + b1]; c2 += x * B[pb + b2]; c3 += x * B[pb + b3];
    }
    const c = cOff + i * ldc + j;
    store(C, c, c0, accumulate); store(C, c + 1, c1, accumulate); store(C, c + 2, c2, accumulate); store(C, c + 3, c3, accumulate);
  }
  for (let j = N4; j < N; j++) {
    let s = 0;
    let pa = pa0;
    let pb = bOff + j * bCol;
    for (let k = 0; k < K; k++, pa += aCol, pb += bRow) s += A[pa] * B[pb];
    store(C, cOff + i * ldc + j, s, accumulate);
  }
}

/**
 * C[m, n] (+)= sum_k A[m, k] * B[k, n] with row-major A (M x K), B (K x N), C (M x N), at the given offsets.
 * When `accumulate` is false C is overwritten.
 */
export function gemm(
  M: number, N: number, K: number,
  A: NumArray, aOff: number, B: NumArray, bOff: number, C: NumArray, cOff: number, accumulate = false,
): void {
  gemmStrided(M, N, K, A, aOff, K, 1, B, bOff, N, 1, C, cOff, N, accumulate);
}

/** C[m, n] (+)= sum_k A[m, k] * B[n, k]: B given transposed (N x K). */
export function gemmBT(
  M: number, N: number, K: number,
  A: NumArray, aOff: number, B: NumArray, bOff: number, C: NumArray, cOff: number, accumulate = false,
): void {
  gemmStrided(M, N, K, A, aOff, K, 1, B, bOff, 1, K, C, cOff, N, accumulate);
}

/** C[m, n] (+)= sum_k A[k, m] * B[k, n]: A given transposed (K x M). */
export function gemmAT(
  M: number, N: number, K: number,
  A: NumArray, aOff: number, B: NumArray, bOff: number, C: NumArray, cOff: number, accumulate = false,
): void {
  gemmStrided(M, N, K, A, aOff, 1, M, B, bOff, N, 1, C, cOff, N, accumulate);
}
