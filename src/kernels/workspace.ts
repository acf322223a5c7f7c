/**
 * Reusable scratch memory for kernels (im2col columns, gathered gradients): one growing buffer per slot and
 * element type, so hot loops allocate nothing per call. A buffer is valid until the next call for the same
 * slot; kernels must not keep it across calls to other kernels that use the same slot. Float32 scratch lives
 * in WebAssembly memory when the SIMD kernels are available, so gemm reads it without copying.
 */
import { isWasmResident, wasmFloat32 } from "./wasm/runtime.ts";
/** The arrays kernels compute in. */
type FloatArray = Float32Array | Float64Array;

const f32Slots: Float32Array[] = [];
const f64Slots: Float64Array[] = [];

/** A scratch array of at least `n` elements of the same type as `like`, in slot `slot` (contents undefined). */
export function scratch<T extends FloatArray>(like: T, n: number, slot = 0): T {
  if (like instanceof Float64Array) {
    let buf = f64Slots[slot];
    if (!buf || buf.length < n) buf = f64Slots[slot] = new Float64Array(grow(buf?.length ?? 0, n));
    return buf.subarray(0, n) as T;
  }
  const inWasm = wasmFloat32(slot, n);
  if (inWasm) return inWasm as T;
  let buf = f32Slots[slot];
  if (!buf || buf.length < n) buf = f32Slots[slot] = new Float32Array(grow(buf?.length ?? 0, n));
  return buf.subarray(0, n) as T;
}

function grow(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5));
}

/** Drops all scratch buffers (frees their memory). */
export function releaseScratch(): void {
  f32Slots.length = 0;
  f64Slots.length = 0;
}

/**
 * `data` itself, or (for float32 with the SIMD kernels available) a copy of it in wasm memory slot `slot`, so that
 * kernels can read it without staging. The copy follows scratch's validity rule.
 */
export function inKernelMemory<T extends FloatArray>(data: T, slot: number): T {
  if (!(data instanceof Float32Array) || isWasmResident(data)) return data;
  const copy = wasmFloat32(slot, data.length);
  if (!copy) return data;
  copy.set(data);
  return copy as T;
}

/** A zero-filled array of `n` elements like `like`, in wasm memory slot `slot` when possible (scratch rules). */
export function zeroedScratch<T extends FloatArray>(like: T, n: number, slot: number): T {
  const buf = scratch(like, n, slot);
  buf.fill(0);
  return buf;
}
