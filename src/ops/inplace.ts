/** In-place writes into a tensor's memory (through views): copy, fill, assign, random fills. */
import { isGradEnabled } from "../autograd/grad-mode.ts";
import { float64, type StorageArray } from "../tensor/dtype.ts";
import { Tensor } from "../tensor/tensor.ts";
import { scatterStrided, scatterStridedBig } from "../kernels/strided.ts";
import { globalGenerator } from "../tensor/random.ts";
import { copyRaw, encodeNumbers, toFloatArray, toStorageArray } from "./convert.ts";

/** PyTorch's checks before an in-place op on a tensor that takes part in autograd. */
export function checkInPlace(t: Tensor): void {
  if (isGradEnabled() && t.requiresGrad && t.isLeaf) {
    throw new Error("a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

/** Writes the values of dense-or-not `src` (same shape as `dst`) into dst's memory, casting. */
export function assign(dst: Tensor, src: Tensor): void {
  if (dst.isMeta) return;
  if (!src.dims.every((d, i) => d === dst.dims[i]) || src.dims.length !== dst.dims.length) {
    src = src.detach().expand(...dst.dims);
  }
  let values: StorageArray;
  if (src.dtype === dst.dtype) values = toStorageArray(src.isContiguous() ? src : copyRaw(src));
  else values = encodeNumbers(toFloatArray(src), dst.dtype);
  const target = dst.storageArray();
  if (dst.isContiguous()) {
    // One block copy for the common case (optimizer updates, gradient accumulation).
    (target as Float32Array).set(values as Float32Array, dst.offset);
    return;
  }
  if (target instanceof BigInt64Array) scatterStridedBig(values as BigInt64Array, target, dst.offset, dst.dims, dst.strides);
  else scatterStrided(values as Exclude<StorageArray, BigInt64Array>, target, dst.offset, dst.dims, dst.strides);
}

/** `dst.copy_(src)`: broadcasts and casts src into dst; meta sources are refused. */
export function copyInto(dst: Tensor, src: Tensor): void {
  if (src.isMeta && !dst.isMeta) throw new Error("Cannot copy out of meta tensor; no data!");
  checkInPlace(dst);
  assign(dst, src.detach());
}

/** Fills dst with one value. */
export function fillInto(dst: Tensor, value: number): void {
  checkInPlace(dst);
  if (dst.isMeta) return;
  const one = encodeNumbers([value], dst.dtype);
  if (dst.isContiguous()) {
    (dst.storageArray() as Float32Array).fill((one as Float32Array)[0], dst.offset, dst.offset + dst.numel());
    return;
  }
  assign(dst, Tensor.fromTypedArray(one, [], dst.dtype));
}

/** Fills with U(low, high) samples. */
export function uniformInto(dst: Tensor, low: number, high: number): void {
  checkInPlace(dst);
  if (dst.isMeta) return;
  const n = dst.numel();
  const v = new Float64Array(n);
  const gen = globalGenerator();
  for (let i = 0; i < n; i++) v[i] = low + (high - low) * gen.random();
  assign(dst, Tensor.fromTypedArray(v, dst.dims, float64));
}

/** Fills with N(mean, std) samples. */
export function normalInto(dst: Tensor, mean: number, std: number): void {
  checkInPlace(dst);
  if (dst.isMeta) return;
  const n = dst.numel();
  const v = new Float64Array(n);
  const gen = globalGenerator();
  for (let i = 0; i < n; i++) v[i] = mean + std * gen.normal();
  assign(dst, Tensor.fromTypedArray(v, dst.dims, float64));
}
