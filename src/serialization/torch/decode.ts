/**
 * The part of torch.load shared by every container: unpickle `data.pkl` with the torch allowlist, turning each
 * persistent id into a StorageHandle (checked against the record sizes before anything is allocated).
 */
import { type GlobalTable, combineGlobals } from "../pickle/globals.ts";
import { Unpickler } from "../pickle/unpickler.ts";
import { UnpicklingError } from "../pickle/errors.ts";
import type { ByteSource } from "../../io/types.ts";
import { PyGlobal } from "../../python/global.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { CheckpointError } from "./errors.ts";
import { type LazyTensor } from "./lazy-tensor.ts";
import { LegacyStorageView, type TensorFactory, torchGlobals } from "./load-globals.ts";
import { type MapLocation, resolveLocation } from "./map-location.ts";
import { StorageHandle } from "./storage-handle.ts";
import { StorageKind } from "./storage-kinds.ts";
import { explainUnknownClass, legacyModuleClass, moduleGlobals } from "./module-unpickle.ts";
import type { ModuleClasses } from "./module-registry.ts";

/** Globals a user allowed beyond the built-in allowlist (`addSafeGlobals`). */
const userGlobals: GlobalTable[] = [];

/**
 * Allows more globals when loading (PyTorch's `torch.serialization.add_safe_globals`): a table from
 * `module.name` to a handler saying what GLOBAL, REDUCE, NEWOBJ and BUILD do with it. Use the pickle layer's
 * `opaqueGlobal` to keep instances as PyObjects that save back unchanged.
 */
export function addSafeGlobals(table: GlobalTable): void {
  userGlobals.push(table);
}

/** Removes every global added with addSafeGlobals (`torch.serialization.clear_safe_globals`). */
export function clearSafeGlobals(): void {
  userGlobals.length = 0;
}

/** Options that decide how storages are named, placed and built. */
export interface DecodeOptions {
  mapLocation?: MapLocation;
  /** Extra allowed globals for this load. */
  globals?: GlobalTable;
  /** Build LazyTensors instead of reading data. */
  lazy?: boolean;
  /** TypeScript classes for the Python classes of a whole-model file (torch.save(model); see module-registry.ts). */
  classes?: ModuleClasses;
}

/** What a storage's persistent id says, and how large its record may be. */
export interface StorageRecordInfo {
  /** Bytes available for this key, or undefined when the container cannot tell yet. */
  recordSize(key: string): number | undefined;
  /** Upper bound for any storage (the file size), to refuse absurd allocations. */
  maxBytes: number;
}

const HINT = 'tsorch never runs code from a file; to allow a global, pass it in { globals } or use torch.serialization.addSafeGlobals.';

/** Parses a `('storage', StorageKind, key, location, numel[, view_metadata])` persistent id. */
export function parseStoragePid(pid: unknown): { kind: StorageKind; key: string; location: string; numel: number; view: unknown } {
  if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== "storage") {
    throw new CheckpointError("BAD_PERSISTENT_ID", `persistent id must be a tuple ('storage', storage_type, key, location, numel), got ${JSON.stringify(pid)?.slice(0, 200)}`);
  }
  const [, kind, key, location, numel, view] = pid as unknown[];
  if (!(kind instanceof StorageKind)) {
    const name = kind instanceof PyGlobal ? kind.qualifiedName : String(kind);
    throw new CheckpointError("BAD_PERSISTENT_ID", `unknown storage type ${name} in persistent id`);
  }
  if (typeof key !== "string" && typeof key !== "number") throw new CheckpointError("BAD_PERSISTENT_ID", `storage key must be a str, got ${typeof key}`);
  if (typeof location !== "string") throw new CheckpointError("BAD_PERSISTENT_ID", `storage location must be a str, got ${typeof location}`);
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) {
    throw new CheckpointError("BAD_PERSISTENT_ID", `storage '${String(key)}' has an invalid size ${String(numel)}`);
  }
  return { kind, key: String(key), location, numel, view };
}

/** Unpickles a checkpoint's main pickle; returns the value and the storages it uses, in order of first use. */
export function decodePickle(
  source: Uint8Array | ByteSource,
  position: number,
  records: StorageRecordInfo,
  make: TensorFactory,
  options: DecodeOptions,
): { value: unknown; handles: Map<string, StorageHandle>; end: number } {
  const handles = new Map<string, StorageHandle>();
  const persistentLoad = (pid: unknown): unknown => {
    const moduleClass = legacyModuleClass(pid);
    if (moduleClass !== undefined) return moduleClass;
    const { kind, key, location, numel, view } = parseStoragePid(pid);
    let handle = handles.get(key);
    if (!handle) {
      const nbytes = kind.dtype ? numel * kind.dtype.itemsize : numel;
      const available = records.recordSize(key);
      if (!Number.isSafeInteger(nbytes) || nbytes > records.maxBytes || (available !== undefined && nbytes > available)) {
        throw new CheckpointError(
          "RECORD_TOO_SMALL",
          `storage '${key}' claims ${numel} elements (${nbytes} bytes) but its record holds ${available ?? records.maxBytes} bytes: the file is truncated or corrupt`,
        );
      }
      const info = { location, nbytes, key };
      let device: "cpu" | "meta" = "cpu";
      let placementError: Error | undefined;
      try {
        device = resolveLocation(options.mapLocation, info);
      } catch (error) {
        // A lazy load only reads metadata: report an unplaceable storage when its data is read.
        if (!options.lazy || !(error instanceof CheckpointError) || error.code !== "DEVICE_UNAVAILABLE") throw error;
        placementError = error;
      }
      handle = new StorageHandle(key, kind.dtype, nbytes, location, device, placementError);
      if (!options.lazy) handle.allocate();
      handles.set(key, handle);
    }
    if (Array.isArray(view) && view.length >= 2) return new LegacyStorageView(handle, Number(view[1]));
    return handle;
  };
  const unpickler = new Unpickler(source, {
    globals: combineGlobals(...(options.globals ? [options.globals] : []), ...userGlobals, torchGlobals(make), moduleGlobals(options.classes)),
    persistentLoad,
    unsupportedGlobalHint: HINT,
  }, position);
  try {
    const value = unpickler.load();
    return { value, handles, end: unpickler.position };
  } catch (error) {
    if (error instanceof UnpicklingError || error instanceof CheckpointError) throw explainUnknownClass(error, source) ?? error;
    throw new CheckpointError("NOT_A_CHECKPOINT", `could not read the checkpoint's pickle: ${(error as Error).message}`, { cause: error });
  }
}

/** The eager tensor factory: tensors view their handle's allocated storage. */
export const eagerTensor: TensorFactory = (handle, dtype, offset, size, stride, requiresGrad) => {
  const t = Tensor.fromStorage(handle.allocate(), dtype, size, stride, offset);
  if (requiresGrad && dtype.isFloatingPoint) t.requiresGrad = true;
  return t;
};

export type { LazyTensor };
