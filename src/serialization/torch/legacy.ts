/**
 * Reading the legacy stream format of PyTorch < 1.6: magic number, protocol version 1001, sys_info, the main
 * pickle, the sorted list of storage keys, then each storage as an int64 element count and its raw bytes.
 */
import { Unpickler } from "../pickle/unpickler.ts";
import { UnpicklingError } from "../pickle/errors.ts";
import type { ByteSource } from "../../io/types.ts";
import { isDict, dictEntries } from "../../python/dict.ts";
import { CheckpointError } from "./errors.ts";
import { type DecodeOptions, decodePickle, eagerTensor } from "./decode.ts";
import { swapBytes } from "./storage-handle.ts";

/** The magic number that starts legacy files. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The protocol version legacy files write. */
export const LEGACY_PROTOCOL_VERSION = 1001;

/** What the legacy header says. */
export interface LegacyLayout {
  /** sys_info's little_endian flag. */
  littleEndian: boolean;
  /** sys_info as read. */
  sysInfo: unknown;
}

function isTar(source: ByteSource): boolean {
  if (source.size < 512) return false;
  const magic = source.read(257, 5);
  return String.fromCharCode(...magic) === "ustar";
}

function readHeaderPickle(unpickler: Unpickler, what: string): unknown {
  try {
    return unpickler.load();
  } catch (error) {
    if (error instanceof UnpicklingError) {
      throw new CheckpointError("NOT_A_CHECKPOINT", `not a PyTorch checkpoint: neither a zip archive nor the legacy format (${what}: ${error.message})`, { cause: error });
    }
    throw error;
  }
}

/** Loads a legacy-format checkpoint. Storages are read after the pickle, straight into their memory. */
export function loadLegacyCheckpoint(source: ByteSource, options: DecodeOptions = {}): { value: unknown; layout: LegacyLayout } {
  if (isTar(source)) {
    throw new CheckpointError("LEGACY_FORMAT", "this is a tar checkpoint of PyTorch < 0.4 (members 'storages', 'tensors', 'pickle'); tsorch reads the zip format and the legacy stream format of PyTorch 0.4-1.5. Re-save it with a newer PyTorch.");
  }
  const header = new Unpickler(source, { builtinGlobals: false });
  const magic = readHeaderPickle(header, "magic number");
  if (typeof magic !== "bigint" || magic !== LEGACY_MAGIC) throw new CheckpointError("NOT_A_CHECKPOINT", "Invalid magic number; corrupt file?");
  const protocol = readHeaderPickle(header, "protocol version");
  if (protocol !== LEGACY_PROTOCOL_VERSION) throw new CheckpointError("UNSUPPORTED_VERSION", `Invalid protocol version: ${String(protocol)}`);
  const sysInfo = readHeaderPickle(header, "sys_info");
  let littleEndian = true;
  if (isDict(sysInfo)) {
    for (const [k, v] of dictEntries(sysInfo)) if (k === "little_endian") littleEndian = v !== false;
  }
  const { value, handles, end } = decodePickle(source, header.position, { recordSize: () => undefined, maxBytes: source.size }, eagerTensor, { ...options, lazy: false });
  const keysReader = new Unpickler(source, { builtinGlobals: false }, end);
  const keys = readHeaderPickle(keysReader, "storage keys");
  if (!Array.isArray(keys)) throw new CheckpointError("NOT_A_CHECKPOINT", "legacy checkpoint: expected a list of storage keys after the main pickle");
  let position = keysReader.position;
  for (const rawKey of keys) {
    const key = String(rawKey);
    const handle = handles.get(key);
    if (!handle) throw new CheckpointError("MISSING_RECORD", `legacy checkpoint lists storage '${key}' that the pickle never used`);
    if (position + 8 > source.size) throw new CheckpointError("RECORD_TOO_SMALL", `legacy checkpoint is truncated before storage '${key}'`);
    const countBytes = source.read(position, 8);
    const count = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, littleEndian);
    const itemsize = handle.dtype?.itemsize ?? 1;
    const nbytes = Number(count) * itemsize;
    if (nbytes !== handle.nbytes) {
      throw new CheckpointError("RECORD_TOO_SMALL", `legacy storage '${key}' holds ${count} elements but the pickle says ${handle.nbytes / itemsize}`);
    }
    position += 8;
    if (position + nbytes > source.size) throw new CheckpointError("RECORD_TOO_SMALL", `legacy checkpoint is truncated inside storage '${key}' (needs ${nbytes} bytes at ${position}, file has ${source.size})`);
    const bytes = handle.storage?.bytes;
    if (bytes) {
      source.read(position, nbytes, bytes);
      if (!littleEndian) swapBytes(bytes, itemsize);
    }
    position += nbytes;
  }
  return { value, layout: { littleEndian, sysInfo } };
}
