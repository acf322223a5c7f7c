/**
 * LazyTensor: a tensor of a checkpoint whose data is not read yet. `torch.load(path, { lazy: true })` returns these;
 * `loadStateDict` reads each one straight into the parameter it is loaded into.
 */
import { contiguousStrides } from "../../tensor/shape.ts";
import { Size } from "../../tensor/size.ts";
import type { DType } from "../../tensor/dtype.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { Parameter } from "../../nn/parameter.ts";
import { pyReprSymbol } from "../../python/repr.ts";
import { type DeferredTensor, deferredTensorBrand } from "../../tensor/deferred.ts";
import type { StorageHandle } from "./storage-handle.ts";

/** Reads storages (or parts of them) of an open checkpoint. */
export interface StorageReader {
  /** The whole storage, read once and shared by every tensor viewing it. */
  storage(handle: StorageHandle): Tensor["storage"];
  /** Bytes [byteOffset, byteOffset + into.length) of a storage, read straight into `into`. */
  readInto(handle: StorageHandle, byteOffset: number, into: Uint8Array): void;
}

/** A checkpoint tensor known by dtype, shape and place in its storage; data read on demand. */
export class LazyTensor implements DeferredTensor {
  /** Marks this as a DeferredTensor (what loadStateDict looks for). */
  readonly [deferredTensorBrand] = true as const;

  constructor(
    /** The storage it views. */
    readonly handle: StorageHandle,
    /** Element type. */
    readonly dtype: DType,
    /** Dimension lengths. */
    readonly dims: readonly number[],
    /** Strides in elements. */
    readonly strides: readonly number[],
    /** Offset in elements. */
    readonly offset: number,
    /** requires_grad as saved. */
    readonly requiresGrad: boolean,
    private readonly reader: StorageReader,
    /** True when saved as an `nn.Parameter` (materialises as one). */
    readonly isParameter = false,
  ) {}

  /** The same lazy tensor with another requires_grad flag. */
  withRequiresGrad(requiresGrad: boolean): LazyTensor {
    return new LazyTensor(this.handle, this.dtype, this.dims, this.strides, this.offset, requiresGrad, this.reader, this.isParameter);
  }

  /** This tensor as a lazy `nn.Parameter` (what `_rebuild_parameter` makes of it). */
  asParameter(requiresGrad: boolean): LazyTensor {
    return new LazyTensor(this.handle, this.dtype, this.dims, this.strides, this.offset, requiresGrad && this.dtype.isFloatingPoint, this.reader, true);
  }

  /** The shape. */
  get shape(): Size {
    return Size.fromArray(this.dims);
  }

  /** The shape, like Tensor.size(). */
  size(): Size {
    return this.shape;
  }

  /** Number of elements. */
  numel(): number {
    return this.dims.reduce((a, b) => a * b, 1);
  }

  /** Bytes of data this tensor spans when contiguous. */
  get nbytes(): number {
    return this.numel() * this.dtype.itemsize;
  }

  /** True when it covers one dense row-major run of its storage. */
  isContiguous(): boolean {
    const expected = contiguousStrides(this.dims);
    return this.dims.every((d, i) => d === 1 || this.strides[i] === expected[i]);
  }

  /** Reads the data (its whole storage, shared with other views of it) and returns a real tensor (or Parameter). */
  materialize(): Tensor {
    const storage = this.reader.storage(this.handle);
    const t = Tensor.fromStorage(storage, this.dtype, this.dims, this.strides, this.offset);
    if (this.isParameter) return new Parameter(t, this.requiresGrad);
    if (this.requiresGrad) t.requiresGrad = true;
    return t;
  }

  /**
   * Writes this tensor's values into `dst`: straight from the file into dst's memory when both are contiguous,
   * of the same dtype and on the cpu; otherwise through a materialised copy.
   */
  copyInto(dst: Tensor): void {
    const bytes = dst.storage.bytes;
    if (bytes && dst.dtype === this.dtype && dst.isContiguous() && this.isContiguous() && dst.numel() === this.numel() && this.handle.device === "cpu" && !this.handle.placementError) {
      const start = dst.offset * dst.dtype.itemsize;
      this.reader.readInto(this.handle, this.offset * this.dtype.itemsize, bytes.subarray(start, start + this.nbytes));
      return;
    }
    dst.copy_(this.materialize());
  }

  /** `LazyTensor(dtype=torch.float32, shape=[2, 3])`. */
  toString(): string {
    return `LazyTensor(dtype=${this.dtype}, shape=[${this.dims.join(", ")}], storage='${this.handle.key}')`;
  }

  /** Python-style repr. */
  [pyReprSymbol](): string {
    return this.toString();
  }
}

/** True for lazy checkpoint tensors. */
export function isLazyTensor(value: unknown): value is LazyTensor {
  return value instanceof LazyTensor;
}
