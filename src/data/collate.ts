/** Building batches: gathering rows into one preallocated tensor, and `default_collate` for arbitrary samples. */
import { type DType, bool, float64, int64 } from "../tensor/dtype.ts";
import { Tensor } from "../tensor/tensor.ts";
import { fromNumbers } from "../ops/convert.ts";

/** The type `defaultCollate` makes of a list of samples of type S. */
export type Collated<S> =
  S extends Tensor ? Tensor
    : S extends number | boolean ? Tensor
      : S extends string ? string[]
        : S extends readonly unknown[] ? { -readonly [K in keyof S]: Collated<S[K]> }
          : S extends object ? { [K in keyof S]: Collated<S[K]> }
            : never;

/** `tensor[index]` bounds check along dim 0 with PyTorch's IndexError text; returns the wrapped index. */
export function checkIndex(index: number, size: number): number {
  if (!Number.isInteger(index) || index < -size || index >= size) throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${size}`);
  return index < 0 ? index + size : index;
}

/**
 * The rows `t[indices[0]], t[indices[1]], ...` stacked into one new contiguous tensor of shape
 * `[indices.length, ...t.shape[1:]]` (a byte copy per row when `t` is contiguous).
 */
export function gatherRows(t: Tensor, indices: readonly number[]): Tensor {
  const size = t.size(0);
  const out = Tensor.empty([indices.length, ...t.dims.slice(1)], t.dtype);
  if (t.isMeta) throw new Error("cannot gather rows of a meta tensor: it has no data");
  const rowBytes = (t.numel() / Math.max(size, 1)) * t.dtype.itemsize;
  if (t.isContiguous() && rowBytes > 0) {
    const src = t.storage.bytes as Uint8Array;
    const dst = out.storage.bytes as Uint8Array;
    const start = t.offset * t.dtype.itemsize;
    for (let k = 0; k < indices.length; k++) {
      const from = start + checkIndex(indices[k], size) * rowBytes;
      dst.set(src.subarray(from, from + rowBytes), k * rowBytes);
    }
    return out;
  }
  const source = t.detach();
  for (let k = 0; k < indices.length; k++) out.select(0, k).copy_(source.select(0, checkIndex(indices[k], size)));
  return out;
}

/** Stacks equal-shaped tensors of one dtype along a new first dimension into one preallocated tensor. */
export function stackInto(samples: readonly Tensor[]): Tensor {
  const first = samples[0];
  samples.forEach((s, i) => {
    if (s.dims.length !== first.dims.length || s.dims.some((d, k) => d !== first.dims[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got [${first.dims.join(", ")}] at entry 0 and [${s.dims.join(", ")}] at entry ${i}`);
    }
    if (s.dtype !== first.dtype) throw new TypeError(`default_collate: samples mix dtypes ${first.dtype} (entry 0) and ${s.dtype} (entry ${i})`);
  });
  const out = Tensor.empty([samples.length, ...first.dims], first.dtype);
  const rowBytes = first.numel() * first.dtype.itemsize;
  const dst = out.storage.bytes as Uint8Array;
  samples.forEach((s, k) => {
    if (rowBytes === 0) return;
    if (s.isContiguous()) {
      const from = s.offset * s.dtype.itemsize;
      dst.set((s.storage.bytes as Uint8Array).subarray(from, from + rowBytes), k * rowBytes);
    } else {
      out.select(0, k).copy_(s.detach());
    }
  });
  return out;
}

/**
 * PyTorch's `default_collate`: tensors are stacked, numbers become a tensor (int64 when every value is an
 * integer, else float64: JS cannot tell `1.0` from `1`), booleans a bool tensor, strings stay a list, and
 * arrays and plain objects are collated field by field.
 */
export function defaultCollate<S>(samples: readonly S[]): Collated<S> {
  if (samples.length === 0) throw new RangeError("default_collate: cannot collate an empty batch");
  const first = samples[0] as unknown;
  const all = samples as readonly unknown[];
  if (first instanceof Tensor) {
    if (!all.every((s) => s instanceof Tensor)) throw new TypeError("default_collate: a batch mixes tensors with other values");
    return stackInto(all as Tensor[]) as Collated<S>;
  }
  if (typeof first === "number" || typeof first === "boolean") {
    const isBool = typeof first === "boolean";
    if (!all.every((s) => typeof s === typeof first)) throw new TypeError(`default_collate: a batch mixes ${typeof first}s with other values`);
    const dtype: DType = isBool ? bool : all.every((s) => Number.isInteger(s)) ? int64 : float64;
    return fromNumbers(all.map(Number), [all.length], dtype) as Collated<S>;
  }
  if (typeof first === "string") return [...all] as Collated<S>;
  if (Array.isArray(first)) {
    if (!all.every((s) => Array.isArray(s) && s.length === first.length)) throw new RangeError("each element in list of batch should be of equal size");
    return first.map((_, i) => defaultCollate(all.map((s) => (s as unknown[])[i]))) as Collated<S>;
  }
  if (first !== null && typeof first === "object" && Object.getPrototypeOf(first) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = defaultCollate(all.map((s) => (s as Record<string, unknown>)[key]));
    return out as Collated<S>;
  }
  throw new TypeError(`default_collate: batch must contain tensors, numbers, booleans, strings, arrays or plain objects; found ${first === null ? "null" : typeof first}`);
}
