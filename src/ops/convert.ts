/** Conversions between tensors and JS arrays, dtype casts and device moves. */
import { Device, type DeviceLike, toDevice } from "../tensor/device.ts";
import { DType, type DTypeLike, float32, float64, type StorageArray, toDType } from "../tensor/dtype.ts";
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from "../tensor/half.ts";
import { Storage } from "../tensor/storage.ts";
import { Tensor, type ToOptions } from "../tensor/tensor.ts";
import { gatherStrided, gatherStridedBig } from "../kernels/strided.ts";

/** The arrays kernels compute in. */
export type FloatArray = Float32Array | Float64Array;

/** The typed array that computations of `dtype` use: Float32Array for float32/16/bf16, Float64Array otherwise. */
export function computeArrayFor(dtype: DType, n: number): FloatArray {
  return dtype === float64 || !dtype.isFloatingPoint ? new Float64Array(n) : new Float32Array(n);
}

function checkData(t: Tensor): void {
  if (t.isMeta) throw new Error("Cannot access data of a tensor on the meta device; materialise it first (e.g. loadStateDict with { assign: true })");
  if (t.dtype.isComplex) throw new TypeError(`${t.dtype} tensors can be saved and loaded but not computed with`);
}

/** The elements of a contiguous tensor as its storage's typed array (a view, no copy). */
export function toStorageArray(t: Tensor): StorageArray {
  const all = t.storageArray();
  if (!t.isContiguous()) throw new Error("toStorageArray needs a contiguous tensor");
  return all.subarray(t.offset, t.offset + t.numel()) as StorageArray;
}

/** The elements in row-major order as numbers: a view for contiguous float32/float64, else a copy. */
export function toFloatArray(t: Tensor): FloatArray {
  checkData(t);
  const n = t.numel();
  const src = t.storageArray();
  const name = t.dtype.name;
  if ((name === "float32" || name === "float64") && t.isContiguous()) {
    return (src as FloatArray).subarray(t.offset, t.offset + n);
  }
  const out = computeArrayFor(t.dtype, n);
  if (name === "int64") {
    const tmp = new BigInt64Array(n);
    gatherStridedBig(src as BigInt64Array, t.offset, t.dims, t.strides, tmp);
    for (let i = 0; i < n; i++) out[i] = Number(tmp[i]);
    return out;
  }
  gatherStrided(src as Exclude<StorageArray, BigInt64Array>, t.offset, t.dims, t.strides, out);
  if (name === "float16") for (let i = 0; i < n; i++) out[i] = halfToFloat(out[i]);
  else if (name === "bfloat16") for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(out[i]);
  return out;
}

/** Writes numbers into a fresh storage array of `dtype` (rounding toward zero for integers, as PyTorch casts). */
export function encodeNumbers(values: ArrayLike<number>, dtype: DType): StorageArray {
  const n = values.length;
  switch (dtype.name) {
    case "float32": return Float32Array.from(values);
    case "float64": return Float64Array.from(values);
    case "float16": { const o = new Uint16Array(n); for (let i = 0; i < n; i++) o[i] = floatToHalf(values[i]); return o; }
    case "bfloat16": { const o = new Uint16Array(n); for (let i = 0; i < n; i++) o[i] = floatToBfloat16(values[i]); return o; }
    case "int64": { const o = new BigInt64Array(n); for (let i = 0; i < n; i++) o[i] = BigInt(Math.trunc(values[i]) || 0); return o; }
    case "int32": { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = Math.trunc(values[i]); return o; }
    case "int16": { const o = new Int16Array(n); for (let i = 0; i < n; i++) o[i] = Math.trunc(values[i]); return o; }
    case "int8": { const o = new Int8Array(n); for (let i = 0; i < n; i++) o[i] = Math.trunc(values[i]); return o; }
    case "uint8": { const o = new Uint8Array(n); for (let i = 0; i < n; i++) o[i] = Math.trunc(values[i]); return o; }
    case "bool": { const o = new Uint8Array(n); for (let i = 0; i < n; i++) o[i] = values[i] !== 0 ? 1 : 0; return o; }
    default: throw new TypeError(`cannot compute with ${dtype}`);
  }
}

/** A contiguous tensor of `dtype` holding `values` (no copy when the array already is that dtype's). */
export function fromNumbers(values: FloatArray | ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  if ((dtype.name === "float32" && values instanceof Float32Array) || (dtype.name === "float64" && values instanceof Float64Array)) {
    return Tensor.fromTypedArray(values, shape, dtype);
  }
  return Tensor.fromTypedArray(encodeNumbers(values, dtype), shape, dtype);
}

/** Nested JS arrays of the elements (booleans for bool tensors). */
export function toList(t: Tensor): unknown {
  const flat = Array.from(toFloatArray(t), (v) => (t.dtype.name === "bool" ? v !== 0 : v));
  if (t.dims.length === 0) return flat[0];
  let pos = 0;
  const build = (d: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < t.dims[d]; i++) out.push(d === t.dims.length - 1 ? flat[pos++] : build(d + 1));
    return out;
  };
  return build(0);
}

/** A tensor of ones with the shape and dtype of `t`. */
export function onesLike(t: Tensor): Tensor {
  const out = Tensor.empty(t.dims, t.dtype, t.device);
  if (!out.isMeta) out.fill_(1);
  return out;
}

/** Casts the elements to another dtype (a new tensor; differentiable between float dtypes). */
export function cast(t: Tensor, dtype: DType): Tensor {
  if (t.isMeta) return Tensor.empty(t.dims, dtype, t.device);
  const out = t.dtype === dtype ? copyRaw(t) : fromNumbers(toFloatArray(t), t.dims, dtype);
  if (t.dtype.isFloatingPoint && dtype.isFloatingPoint) {
    const from = t.dtype;
    out.withGrad("ToCopyBackward0", [t], (g) => [cast(g, from)]);
  }
  return out;
}

/** A contiguous copy of the same dtype, byte for byte (int64 keeps full 64-bit values). */
export function copyRaw(t: Tensor): Tensor {
  const out = Tensor.empty(t.dims, t.dtype, t.device);
  if (t.isMeta) return out;
  const src = t.storageArray();
  const dst = out.storageArray();
  if (t.isContiguous()) {
    // One block copy: the common case (clone, contiguous) on the hot path of every backward pass.
    (dst as Float32Array).set((src as Float32Array).subarray(t.offset, t.offset + t.numel()));
    return out;
  }
  if (src instanceof BigInt64Array) gatherStridedBig(src, t.offset, t.dims, t.strides, dst as BigInt64Array);
  else gatherStrided(src, t.offset, t.dims, t.strides, dst as Exclude<StorageArray, BigInt64Array>);
  return out;
}

function parseTarget(target: DTypeLike | DeviceLike | Device | ToOptions): { dtype?: DType; device?: Device; copy: boolean } {
  if (target instanceof DType) return { dtype: target, copy: false };
  if (target instanceof Device) return { device: target, copy: false };
  if (typeof target === "string") {
    try {
      return { dtype: toDType(target), copy: false };
    } catch {
      return { device: toDevice(target), copy: false };
    }
  }
  return {
    dtype: target.dtype !== undefined ? toDType(target.dtype) : undefined,
    device: target.device !== undefined ? toDevice(target.device) : undefined,
    copy: target.copy ?? false,
  };
}

/** `tensor.to(dtype | device | { dtype, device, copy })`. Moving to meta drops the data; meta to cpu is an error. */
export function to(t: Tensor, target: DTypeLike | DeviceLike | Device | ToOptions): Tensor {
  const { dtype, device, copy } = parseTarget(target);
  let out = t;
  if (device && device.type !== t.device.type) {
    if (device.type === "meta") {
      out = Tensor.fromStorage(Storage.allocate(t.numel() * t.dtype.itemsize, device), t.dtype, t.dims);
    } else if (t.isMeta) {
      throw new Error(`Cannot copy out of meta tensor; no data! Please use torch.empty_like() / loadStateDict(sd, { assign: true }) to materialise it on ${device}`);
    } else {
      throw new Error(`tsorch cannot move tensors to device '${device}'; only cpu and meta are supported`);
    }
  }
  if (dtype && dtype !== out.dtype) out = cast(out, dtype);
  if (copy && out === t) out = t.clone();
  return out;
}
