/**
 * Reading the legacy stream format of PyTorch < 1.6 (or `_use_new_zipfile_serialization=False`): magic number,
 * protocol version 1001, sys_info, the main pickle, the sorted list of storage keys, then each storage as an
 * int64 element count and its raw bytes. The storages are indexed first (only their 8-byte counts are read), so
 * the same code serves eager loads (each storage then read straight into its memory) and lazy ones.
 *
 * Layout: torch/serialization.py `_legacy_save` / `_legacy_load`.
 */
import type { ByteSource } from "../../io/types.ts";
import { UnpicklingError } from "../pickle/errors.ts";
import { Unpickler } from "../pickle/unpickler.ts";
import { dictEntries, isDict } from "../../python/dict.ts";
import { type DecodeOptions, decodePickle, eagerTensor } from "./decode.ts";
import { CheckpointError } from "./errors.ts";
import { LazyTensor, type StorageReader } from "./lazy-tensor.ts";
import { type StorageHandle, swapBytes } from "./storage-handle.ts";

/** The magic number that starts legacy files. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The protocol version legacy files write. */
export const LEGACY_PROTOCOL_VERSION = 1001;

/** What the header and the storage table of a legacy file say. */
export interface LegacyFileInfo {
  /** The magic number as written (always LEGACY_MAGIC when reading succeeded). */
  magic: bigint;
  /** The protocol version (1001). */
  protocolVersion: number;
  /** sys_info as read (a dict: protocol_version, little_endian, type_sizes). */
  sysInfo: unknown;
  /** sys_info's little_endian flag. */
  littleEndian: boolean;
  /** Where each storage's bytes start in the file, by key, in the file's order. */
  storageOffsets: Map<string, number>;
  /** Byte offset where the main pickle starts. */
  pickleOffset: number;
}

/** The result of opening a legacy file lazily. */
export interface LegacyLoad {
  value: unknown;
  info: LegacyFileInfo;
  /** Storages in order of first use in the pickle. */
  handles: Map<string, StorageHandle>;
}

function isTar(source: ByteSource): boolean {
  if (source.size < 512) return false;
  return String.fromCharCode(...source.read(257, 5)) === "ustar";
}

function loadHeaderPickle(unpickler: Unpickler, what: string): unknown {
  try {
    return unpickler.load();
  } catch (error) {
    if (error instanceof UnpicklingError) {
      throw new CheckpointError("NOT_A_CHECKPOINT", `not a PyTorch checkpoint: neither a zip archive nor the legacy format (${what}: ${error.message})`, { cause: error });
    }
    throw error;
  }
}

/** Reads storages of a legacy file at the offsets found after the main pickle. */
class LegacyStorageReader implements StorageReader {
  constructor(private readonly source: ByteSource, private readonly info: LegacyFileInfo) {}

  private offsetOf(handle: StorageHandle): number {
    const offset = this.info.storageOffsets.get(handle.key);
    if (offset === undefined) throw new CheckpointError("MISSING_RECORD", `legacy checkpoint has no data for storage '${handle.key}'`);
    return offset;
  }

  storage(handle: StorageHandle) {
    if (!handle.storage) {
      const storage = handle.allocate();
      if (storage.bytes) this.readInto(handle, 0, storage.bytes.subarray(0, handle.nbytes));
    }
    return handle.storage!;
  }

  readInto(handle: StorageHandle, byteOffset: number, into: Uint8Array): void {
    this.source.read(this.offsetOf(handle) + byteOffset, into.length, into);
    if (!this.info.littleEndian && handle.dtype) swapBytes(into, handle.dtype.itemsize);
  }
}

/**
 * Opens a legacy checkpoint. With `lazy` (the default here) no storage data is read: tensors are LazyTensors that
 * read from `source` (which must stay open while they are used); with `lazy: false` every storage is read.
 */
export function loadLegacyLazy(source: ByteSource, options: DecodeOptions = {}): LegacyLoad {
  if (isTar(source)) {
    throw new CheckpointError("LEGACY_FORMAT", "this is a tar checkpoint of PyTorch < 0.4 (members 'storages', 'tensors', 'pickle'); tsorch reads the zip format and the legacy stream format of PyTorch 0.4-1.5. Re-save it with a newer PyTorch.");
  }
  const header = new Unpickler(source, { builtinGlobals: false });
  const magic = loadHeaderPickle(header, "magic number");
  if (typeof magic !== "bigint" || magic !== LEGACY_MAGIC) throw new CheckpointError("NOT_A_CHECKPOINT", "Invalid magic number; corrupt file?");
  const protocol = loadHeaderPickle(header, "protocol version");
  if (protocol !== LEGACY_PROTOCOL_VERSION) throw new CheckpointError("UNSUPPORTED_VERSION", `Invalid protocol version: ${String(protocol)}`);
  const sysInfo = loadHeaderPickle(header, "sys_info");
  let littleEndian = true;
  if (isDict(sysInfo)) for (const [k, v] of dictEntries(sysInfo)) if (k === "little_endian") littleEndian = v !== false;
  const info: LegacyFileInfo = { magic, protocolVersion: protocol, sysInfo, littleEndian, storageOffsets: new Map(), pickleOffset: header.position };
  const reader = new LegacyStorageReader(source, info);
  const { value, handles, end } = decodePickle(
    source,
    header.position,
    { recordSize: () => undefined, maxBytes: source.size },
    options.lazy === false ? eagerTensor : (handle, dtype, offset, size, stride, requiresGrad) => new LazyTensor(handle, dtype, size, stride, offset, requiresGrad, reader),
    { ...options, lazy: options.lazy !== false },
  );
  const keysReader = new Unpickler(source, { builtinGlobals: false }, end);
  const keys = loadHeaderPickle(keysReader, "storage keys");
  if (!Array.isArray(keys)) throw new CheckpointError("NOT_A_CHECKPOINT", "legacy checkpoint: expected a list of storage keys after the main pickle");
  let position = keysReader.position;
  for (const rawKey of keys) {
    const key = String(rawKey);
    const handle = handles.get(key);
    if (!handle) throw new CheckpointError("MISSING_RECORD", `legacy checkpoint lists storage '${key}' that the pickle never used`);
    if (position + 8 > source.size) throw new CheckpointError("RECORD_TOO_SMALL", `legacy checkpoint is truncated before storage '${key}' (at byte ${position} of ${source.size})`);
    const countBytes = source.read(position, 8);
    const count = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, littleEndian);
    const itemsize = handle.dtype?.itemsize ?? 1;
    const nbytes = Number(count) * itemsize;
    if (nbytes !== handle.nbytes) {
      throw new CheckpointError("RECORD_TOO_SMALL", `legacy storage '${key}' holds ${count} elements but the pickle says ${handle.nbytes / itemsize}`);
    }
    position += 8;
    if (position + nbytes > source.size) {
      throw new CheckpointError("RECORD_TOO_SMALL", `legacy checkpoint is truncated inside storage '${key}' (needs ${nbytes} bytes at ${position}, the file has ${source.size})`);
    }
    info.storageOffsets.set(key, position);
    position += nbytes;
  }
  for (const key of handles.keys()) {
    if (!info.storageOffsets.has(key)) throw new CheckpointError("MISSING_RECORD", `legacy checkpoint: storage '${key}' is used by the pickle but not listed after it`);
  }
  if (options.lazy === false) {
    for (const handle of handles.values()) {
      const bytes = handle.storage?.bytes;
      if (bytes) reader.readInto(handle, 0, bytes.subarray(0, handle.nbytes));
    }
  }
  return { value, info, handles };
}

/** What the legacy header says (kept for inspection). */
export type LegacyLayout = LegacyFileInfo;

/** Loads a legacy-format checkpoint: eagerly (storages read straight into their memory) or lazily. */
export function loadLegacyCheckpoint(source: ByteSource, options: DecodeOptions = {}): { value: unknown; layout: LegacyLayout } {
  const { value, info } = loadLegacyLazy(source, { ...options, lazy: options.lazy ?? false });
  return { value, layout: info };
}
