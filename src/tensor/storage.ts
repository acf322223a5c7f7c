/** Storage: the bytes behind one or more tensors (views share it), plus the device they live on. */
import { CPU, Device, META } from "./device.ts";

let nextStorageId = 1;

/**
 * A flat block of bytes. Tensors are (storage, offset, shape, strides, dtype) views of it; tied weights
 * and views share one Storage, which is what `torch.save` writes once.
 */
export class Storage {
  /** A unique id, stable for the life of the storage (serves as `data_ptr` identity). */
  readonly id = nextStorageId++;

  /** @internal use Storage.allocate / Storage.fromBytes */
  constructor(
    /** The bytes (null on the meta device). Offset-aligned to 8 bytes. */
    readonly bytes: Uint8Array | null,
    /** Size in bytes (also set for meta storages). */
    readonly nbytes: number,
    /** Where the data lives. */
    readonly device: Device,
  ) {}

  /** A zero-filled storage of `nbytes` on `device` (meta: no memory). */
  static allocate(nbytes: number, device: Device = CPU): Storage {
    if (device.type === "meta") return new Storage(null, nbytes, META);
    if (device.type !== "cpu") throw new Error(`tsorch cannot allocate memory on device '${device}'; only cpu and meta are supported`);
    return new Storage(new Uint8Array(nbytes), nbytes, CPU);
  }

  /** Wraps existing bytes without copying (they must be aligned to the element size of their users). */
  static fromBytes(bytes: Uint8Array, device: Device = CPU): Storage {
    return new Storage(bytes, bytes.byteLength, device);
  }

  /** True for meta storages (no data). */
  get isMeta(): boolean {
    return this.bytes === null;
  }
}
