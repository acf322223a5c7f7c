/**
 * The WebAssembly side of the kernels: one shared memory, regions of it handed out as Float32Array views
 * (scratch buffers that kernels write straight into, so gemm needs no copies), and the compiled SIMD gemm.
 *
 * The memory is shared (a SharedArrayBuffer) because shared memory never moves when it grows: views handed
 * out earlier stay valid, which plain wasm memory does not guarantee. Where shared memory, SIMD or synchronous
 * compilation is unavailable (or TSORCH_NO_WASM is set), `wasmKernels()` is null and callers use the
 * plain TypeScript loops.
 */
import { assemble } from "./assembler.ts";
import { convFunctions } from "./conv-module.ts";
import { gemmFunctions } from "./gemm-module.ts";

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB of address space, reserved, not committed
const INITIAL_PAGES = 256; // 16 MiB

/** The exported kernels (pointers and strides in bytes). */
export interface WasmKernels {
  nn(M: number, N: number, K: number, A: number, aRow: number, aCol: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  nt(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  im2col(...args: ConvArgs): void;
  col2im(...args: ConvArgs): void;
}

/** (C, H, W, kH, kW, sH, sW, padT, padL, dH, dW, outH, outW, image, cols, ldCols). */
export type ConvArgs = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

interface Runtime {
  memory: WebAssembly.Memory;
  kernels: WasmKernels;
  /** Every SharedArrayBuffer object `memory.buffer` has returned (one per size). */
  buffers: WeakSet<ArrayBufferLike>;
  /** Regions by slot: byte offset, capacity in bytes, and the last view handed out. */
  regions: Map<number, { ptr: number; bytes: number; view: Float32Array | null }>;
  /** First free byte. */
  top: number;
}

function disabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return !!env?.TSORCH_NO_WASM;
}

function start(): Runtime | null {
  if (disabled() || typeof WebAssembly === "undefined" || typeof SharedArrayBuffer === "undefined") return null;
  try {
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    const bytes = assemble([...gemmFunctions(), ...convFunctions()], { min: INITIAL_PAGES, max: MAX_PAGES, shared: true });
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const buffers = new WeakSet<ArrayBufferLike>();
    buffers.add(memory.buffer);
    return { memory, kernels: instance.exports as unknown as WasmKernels, buffers, regions: new Map(), top: 64 };
  } catch {
    return null;
  }
}

let runtime: Runtime | null | undefined;

function get(): Runtime | null {
  if (runtime === undefined) runtime = start();
  return runtime;
}

/** The SIMD kernels, or null when WebAssembly SIMD with shared memory is unavailable. */
export function wasmKernels(): WasmKernels | null {
  return get()?.kernels ?? null;
}

/**
 * A Float32Array of `n` elements in wasm memory, region `slot` (contents undefined). A region that must grow
 * moves to fresh memory at the end; views of its old place stay readable but are no longer that slot.
 */
export function wasmFloat32(slot: number, n: number): Float32Array | null {
  const rt = get();
  if (!rt) return null;
  const bytes = n * 4;
  let region = rt.regions.get(slot);
  if (!region || region.bytes < bytes) {
    const size = Math.max(bytes, Math.ceil((region?.bytes ?? 0) * 1.5), 4096);
    const ptr = (rt.top + 63) & ~63;
    const end = ptr + size;
    const have = rt.memory.buffer.byteLength;
    if (end > have) {
      if (end > MAX_PAGES * PAGE) return null;
      rt.memory.grow(Math.ceil((end - have) / PAGE));
      rt.buffers.add(rt.memory.buffer);
    }
    region = { ptr, bytes: size, view: null };
    rt.regions.set(slot, region);
    rt.top = end;
  }
  if (region.view && region.view.length === n) return region.view;
  const buffer = rt.memory.buffer;
  rt.buffers.add(buffer);
  region.view = new Float32Array(buffer, region.ptr, n);
  return region.view;
}

/** True when `a` is a view of wasm memory (its byteOffset is then its address). */
export function isWasmResident(a: ArrayBufferView): boolean {
  const rt = get();
  return !!rt && rt.buffers.has(a.buffer);
}
