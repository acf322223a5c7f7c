/** One storage of a checkpoint as the loader tracks it: record key, dtype, size, location and (once read) data. */
import type { DType } from "../../tensor/dtype.ts";
import { CPU, META } from "../../tensor/device.ts";
import { Storage } from "../../tensor/storage.ts";

/** A storage named by a persistent id; its bytes are allocated eagerly or read lazily. */
export class StorageHandle {
  /** The storage tensors use (allocated when the checkpoint is read eagerly). */
  storage: Storage | null = null;
  /** Element type: from the storage class, or from the first tensor of an untyped storage. */
  dtype: DType | null;

  constructor(
    /** The record key (`data/<key>` in zip files). */
    readonly key: string,
    dtype: DType | null,
    /** Size in bytes. */
    readonly nbytes: number,
    /** The location written in the file. */
    readonly location: string,
    /** Where it goes after mapLocation. */
    readonly device: "cpu" | "meta",
    /**
     * Why the storage cannot be placed (a lazy load of a CUDA file without mapLocation): metadata stays readable,
     * reading the data throws this.
     */
    readonly placementError?: Error,
  ) {
    this.dtype = dtype;
  }

  /** Allocates the storage (zeroed; filled from the file afterwards). */
  allocate(): Storage {
    if (this.placementError) throw this.placementError;
    this.storage ??= Storage.allocate(this.nbytes, this.device === "meta" ? META : CPU);
    return this.storage;
  }
}

/** Swaps the bytes of every `itemsize`-byte element in place (big-endian files on little-endian hosts). */
export function swapBytes(bytes: Uint8Array, itemsize: number): void {
  if (itemsize === 1) return;
  for (let i = 0; i + itemsize <= bytes.length; i += itemsize) {
    for (let a = i, b = i + itemsize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}
