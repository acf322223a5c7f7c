/**
 * Reading safetensors from an AsyncByteSource (a Blob or File, an HTTP range source): the header first, then
 * each chosen tensor's bytes straight into a storage of its own, as read.ts does for synchronous sources.
 * Validation is read.ts's and header.ts's: the bytes they need are fetched first and served to them.
 */
import { blobSource } from "../../io/browser.ts";
import { MemorySource } from "../../io/memory.ts";
import type { AsyncByteSource, ByteSource } from "../../io/types.ts";
import { checkReadRange } from "../../io/types.ts";
import { Storage } from "../../tensor/storage.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { loadedDTypeFor } from "./dtypes.ts";
import { MAX_HEADER_LENGTH, readHeader, type SafetensorsHeader, setOwn } from "./header.ts";
import { type LoadSafetensorsOptions, readTensor, type SafetensorsContents } from "./read.ts";

/** A ByteSource of `size` bytes that holds only `[start, start + bytes.length)` (what was fetched). */
function windowSource(bytes: Uint8Array, start: number, size: number): ByteSource {
  return {
    size,
    read(offset: number, length: number, into?: Uint8Array): Uint8Array {
      checkReadRange(size, offset, length, into);
      if (offset < start || offset + length > start + bytes.length) {
        throw new RangeError(`read(${offset}, ${length}) is outside the fetched window [${start}, ${start + bytes.length})`);
      }
      const view = bytes.subarray(offset - start, offset - start + length);
      if (!into) return view;
      const target = into.subarray(0, length);
      target.set(view);
      return target;
    },
  };
}

/** Reads and validates just the header of safetensors held by an asynchronous source (only the header's bytes). */
export async function readSafetensorsHeaderFromAsync(source: AsyncByteSource): Promise<SafetensorsHeader> {
  const size = source.size;
  const prefix = size >= 8 ? await source.read(0, 8) : new Uint8Array(0);
  let headerLength = 0;
  if (size >= 8) {
    const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
    // Out-of-range lengths are left for readHeader to report; fetch nothing more for them.
    if (n <= BigInt(MAX_HEADER_LENGTH) && 8 + Number(n) <= size) headerLength = Number(n);
  }
  const head = new Uint8Array(prefix.length + headerLength);
  head.set(prefix);
  if (headerLength > 0) await source.read(8, headerLength, head.subarray(8));
  return readHeader(windowSource(head, 0, size));
}

/** Loads every tensor (or those `filter` selects; the others' bytes are not read) and the metadata from an asynchronous source. */
export async function loadSafetensorsFromAsync(source: AsyncByteSource, options: LoadSafetensorsOptions = {}): Promise<SafetensorsContents> {
  const header = await readSafetensorsHeaderFromAsync(source);
  const widen = options.widenUnsigned ?? false;
  const tensors: Record<string, Tensor> = {};
  for (const info of header.tensors) {
    if (options.filter && !options.filter(info.name)) continue;
    const { dtype, widenFrom } = loadedDTypeFor(info.dtype, info.name, widen);
    const [begin, end] = info.dataOffsets;
    const nbytes = end - begin;
    const position = header.dataStart + begin;
    let tensor: Tensor;
    if (!widenFrom) {
      const storage = Storage.allocate(nbytes);
      if (nbytes > 0) await source.read(position, nbytes, storage.bytes as Uint8Array);
      tensor = Tensor.fromStorage(storage, dtype, info.shape);
    } else {
      const raw = nbytes > 0 ? await source.read(position, nbytes) : new Uint8Array(0);
      tensor = readTensor(windowSource(raw, position, source.size), header, info, true);
    }
    setOwn(tensors, info.name, tensor);
  }
  if (options.restoreAliases && header.metadata) {
    for (const [alias, kept] of Object.entries(header.metadata)) {
      if (!Object.hasOwn(tensors, alias) && Object.hasOwn(tensors, kept)) setOwn(tensors, alias, tensors[kept]);
    }
  }
  return { tensors, metadata: header.metadata };
}

/** What the async loaders take: a Blob or File, an asynchronous source, or bytes. */
export type AsyncSafetensorsInput = Blob | AsyncByteSource | Uint8Array | ArrayBuffer;

const isBlob = (value: unknown): value is Blob => typeof Blob !== "undefined" && value instanceof Blob;

function toAsyncSource(input: AsyncSafetensorsInput): AsyncByteSource {
  if (typeof input === "string") throw new TypeError("loadSafetensorsAsync: expected a Blob, File, byte source, ArrayBuffer or Uint8Array, not a string");
  if (isBlob(input)) return blobSource(input);
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const memory = new MemorySource(input instanceof Uint8Array ? input : new Uint8Array(input));
    return { size: memory.size, read: async (offset, length, into) => memory.read(offset, length, into) };
  }
  return input;
}

/**
 * Loads safetensors from a Blob or File (read by ranges: the header, then each chosen tensor), an
 * asynchronous source such as `httpRangeSource(url)`, or bytes.
 *
 * ```ts
 * const { tensors } = await safetensors.loadSafetensorsAsync(fileInput.files[0], { filter: (name) => name.startsWith("encoder.") });
 * ```
 */
export function loadSafetensorsAsync(input: AsyncSafetensorsInput, options: LoadSafetensorsOptions = {}): Promise<SafetensorsContents> {
  return loadSafetensorsFromAsync(toAsyncSource(input), options);
}

/** Reads and validates only the header of safetensors in a Blob or File, an asynchronous source, or bytes. */
export function readSafetensorsHeaderAsync(input: AsyncSafetensorsInput): Promise<SafetensorsHeader> {
  return readSafetensorsHeaderFromAsync(toAsyncSource(input));
}
