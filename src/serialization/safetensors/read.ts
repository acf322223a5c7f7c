/**
 * Reading safetensors from any ByteSource: the header first, then each tensor's bytes straight into a
 * storage of its own (one allocation per tensor, no copy of the whole file).
 */
import { MemorySource } from "../../io/memory.ts";
import type { ByteSource } from "../../io/types.ts";
import { Storage } from "../../tensor/storage.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { loadedDTypeFor } from "./dtypes.ts";
import { readHeader, type SafetensorsHeader, type SafetensorsTensorInfo, setOwn } from "./header.ts";

/** Options of `loadSafetensors`. */
export interface LoadSafetensorsOptions {
  /**
   * Recreate names dropped by `saveSafetensors(..., { dedupe: true })` (or the reference's `save_model`):
   * each `__metadata__` entry `{ alias: kept }` whose key is not a tensor and whose value is one adds
   * `tensors[alias] = tensors[kept]`, the same Tensor object. Default false.
   */
  restoreAliases?: boolean;
  /** Load U16 as int32 and U32 as int64 (lossless) instead of refusing them. Default false. */
  widenUnsigned?: boolean;
  /** Load only the tensors whose names pass this test (the others' bytes are not read). */
  filter?: (name: string) => boolean;
}

/** What a safetensors file holds. */
export interface SafetensorsContents {
  /** The tensors by name, in file order. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` map, or null when the file has none. */
  metadata: Record<string, string> | null;
}

const asSource = (input: Uint8Array | ByteSource): ByteSource => (input instanceof Uint8Array ? new MemorySource(input) : input);

/** Reads and validates just the header (names, dtypes, shapes, offsets, metadata) of safetensors bytes or a source. */
export function readSafetensorsHeaderFrom(input: Uint8Array | ByteSource): SafetensorsHeader {
  return readHeader(asSource(input));
}

/** Reads one tensor described by `info` from `source` into a new storage. */
export function readTensor(source: ByteSource, header: SafetensorsHeader, info: SafetensorsTensorInfo, widenUnsigned = false): Tensor {
  const { dtype, widenFrom } = loadedDTypeFor(info.dtype, info.name, widenUnsigned);
  const [begin, end] = info.dataOffsets;
  const nbytes = end - begin;
  const position = header.dataStart + begin;
  if (!widenFrom) {
    const storage = Storage.allocate(nbytes);
    if (nbytes > 0) source.read(position, nbytes, storage.bytes as Uint8Array);
    return Tensor.fromStorage(storage, dtype, info.shape);
  }
  const raw = nbytes > 0 ? source.read(position, nbytes, new Uint8Array(nbytes)) : new Uint8Array(0);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = Tensor.empty(info.shape, dtype);
  const dst = out.storageArray();
  if (widenFrom === "U16") for (let i = 0; i < dst.length; i++) (dst as Int32Array)[i] = view.getUint16(i * 2, true);
  else for (let i = 0; i < dst.length; i++) (dst as BigInt64Array)[i] = BigInt(view.getUint32(i * 4, true));
  return out;
}

/** Loads every tensor (or those `filter` selects) and the metadata from safetensors bytes or a ByteSource. */
export function loadSafetensorsFrom(input: Uint8Array | ByteSource, options: LoadSafetensorsOptions = {}): SafetensorsContents {
  const source = asSource(input);
  const header = readHeader(source);
  const tensors: Record<string, Tensor> = {};
  for (const info of header.tensors) {
    if (options.filter && !options.filter(info.name)) continue;
    setOwn(tensors, info.name, readTensor(source, header, info, options.widenUnsigned ?? false));
  }
  if (options.restoreAliases && header.metadata) {
    for (const [alias, kept] of Object.entries(header.metadata)) {
      if (!Object.hasOwn(tensors, alias) && Object.hasOwn(tensors, kept)) setOwn(tensors, alias, tensors[kept]);
    }
  }
  return { tensors, metadata: header.metadata };
}
