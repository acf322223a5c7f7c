/**
 * Routes float32 matrix products to the WebAssembly SIMD kernels. Operands already in wasm memory (scratch
 * buffers from kernels/workspace.ts) are used in place; others are staged into wasm memory for the call.
 */
import { isWasmResident, wasmFloat32, wasmKernels } from "./runtime.ts";

/** Products smaller than this (M*N*K) stay in TypeScript, where a call costs less than staging. */
const MIN_WORK = 4096;
const STAGE_A = 1000;
const STAGE_B = 1001;
const STAGE_C = 1002;

/** The byte address of `len` elements of `arr` from `off`, staging them into wasm memory when needed (-1: no room). */
function address(arr: Float32Array, off: number, len: number, slot: number): number {
  if (isWasmResident(arr)) return arr.byteOffset + off * 4;
  const stage = wasmFloat32(slot, len);
  if (!stage) return -1;
  stage.set(arr.subarray(off, off + len));
  return stage.byteOffset;
}

/**
 * C[cOff + i*ldc + j] (+)= sum_k A[aOff + i*aRow + k*aCol] * B[bOff + k*bRow + j*bCol] in wasm, when the
 * arrays are Float32Arrays, strides are non-negative and one of the operand layouts has a kernel:
 * B contiguous in j (`nn`) or A and B both contiguous in k (`nt`). Returns false when it did nothing.
 */
export function gemmWasm(
  M: number, N: number, K: number,
  A: unknown, aOff: number, aRow: number, aCol: number,
  B: unknown, bOff: number, bRow: number, bCol: number,
  C: unknown, cOff: number, ldc: number, accumulate: boolean,
): boolean {
  if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array)) return false;
  if (M * N * K < MIN_WORK || aRow < 0 || aCol < 0 || bRow < 0 || bCol < 0 || ldc < N) return false;
  const kernels = wasmKernels();
  if (!kernels) return false;
  const nn = bCol === 1;
  if (!nn && !(aCol === 1 && bRow === 1)) return false;
  const a = address(A, aOff, (M - 1) * aRow + (K - 1) * aCol + 1, STAGE_A);
  const b = address(B, bOff, (K - 1) * bRow + (N - 1) * bCol + 1, STAGE_B);
  const cLen = (M - 1) * ldc + N;
  let c: number;
  let stage: Float32Array | null = null;
  if (isWasmResident(C)) c = C.byteOffset + cOff * 4;
  else {
    stage = wasmFloat32(STAGE_C, cLen);
    if (!stage) return false;
    if (accumulate || ldc !== N) stage.set(C.subarray(cOff, cOff + cLen));
    c = stage.byteOffset;
  }
  if (a < 0 || b < 0) return false;
  if (nn) kernels.nn(M, N, K, a, aRow * 4, aCol * 4, b, bRow * 4, c, ldc * 4, accumulate ? 1 : 0);
  else kernels.nt(M, N, K, a, aRow * 4, b, bCol * 4, c, ldc * 4, accumulate ? 1 : 0);
  if (stage) C.set(stage, cOff);
  return true;
}
