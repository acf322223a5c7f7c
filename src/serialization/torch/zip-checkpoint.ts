/**
 * Reading the zip checkpoint format (PyTorch >= 1.6): find the archive folder, check `version`, honour `byteorder`,
 * unpickle `data.pkl`, then read each storage record straight into its storage's memory.
 */
import type { ZipEntry } from "../zip/directory.ts";
import { AsyncZipReader, ZipReader } from "../zip/reader.ts";
import type { AsyncByteSource, ByteSource } from "../../io/types.ts";
import { CheckpointError } from "./errors.ts";
import { type DecodeOptions, decodePickle, eagerTensor } from "./decode.ts";
import { LazyTensor, type StorageReader } from "./lazy-tensor.ts";
import type { TensorFactory } from "./load-globals.ts";
import { type StorageHandle, swapBytes } from "./storage-handle.ts";

/** Options of reading a zip checkpoint. */
export interface ZipLoadOptions extends DecodeOptions {
  /**
   * Byte order of files without a `byteorder` record (PyTorch < 2.1 on big-endian machines); default "little",
   * like `torch.serialization.set_default_load_endianness`.
   */
  byteorder?: "little" | "big";
}

/** What the archive's records say about the file. */
export interface ZipLayout {
  /** The archive folder (`model` for `model/data.pkl`). */
  prefix: string;
  /** The `version` record's value. */
  version: number;
  /** Byte order of the data records. */
  byteorder: "little" | "big";
  /** True when the `byteorder` record exists. */
  hasByteorderRecord: boolean;
}

const MAX_SUPPORTED_VERSION = 10;

interface RecordReader {
  get(name: string): ZipEntry | undefined;
  names(): string[];
}

/** Finds the archive folder and refuses archives that are not torch.save files. */
export function findPrefix(zip: RecordReader): string {
  const names = zip.names();
  if (names.length === 0) throw new CheckpointError("NOT_A_CHECKPOINT", "the zip archive is empty; expected a torch.save file with a data.pkl record");
  const slash = names[0].indexOf("/");
  if (slash < 0) throw new CheckpointError("NOT_A_CHECKPOINT", `zip entry '${names[0]}' is not inside a folder; expected '<archive>/data.pkl' as torch.save writes`);
  const prefix = names[0].slice(0, slash);
  if (zip.get(`${prefix}/constants.pkl`)) {
    throw new CheckpointError("TORCHSCRIPT_ARCHIVE", "this is a TorchScript archive (torch.jit.save: it has constants.pkl); tsorch reads torch.save files. Save a state_dict in Python with torch.save(model.state_dict(), path) instead");
  }
  if (!zip.get(`${prefix}/data.pkl`) && zip.get(`${prefix}/model.json`)) {
    throw new CheckpointError("TORCHSCRIPT_ARCHIVE", "this is a TorchScript archive of PyTorch 1.0/1.1 (torch.jit.save: model.json, no data.pkl); tsorch reads torch.save files, and PyTorch itself no longer reads this format. Load it with an old PyTorch and save a state_dict with torch.save(model.state_dict(), path)");
  }
  if (!zip.get(`${prefix}/data.pkl`)) {
    throw new CheckpointError("NOT_A_CHECKPOINT", `the zip archive has no '${prefix}/data.pkl' record; it is not a torch.save file (records: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""})`);
  }
  return prefix;
}

function parseVersion(text: string | undefined): number {
  if (text === undefined) throw new CheckpointError("NOT_A_CHECKPOINT", "the archive has no 'version' record");
  const version = Number(text.trim());
  if (!Number.isInteger(version) || version < 1 || version > MAX_SUPPORTED_VERSION) {
    throw new CheckpointError("UNSUPPORTED_VERSION", `Attempted to read a PyTorch file with version ${text.trim()}, but the maximum supported version for reading is ${MAX_SUPPORTED_VERSION}. Your PyTorch installation may be too old.`);
  }
  return version;
}

function parseByteorder(text: string | undefined, fallback: "little" | "big"): "little" | "big" {
  if (text === undefined) return fallback;
  const value = text.trim();
  if (value !== "little" && value !== "big") throw new CheckpointError("NOT_A_CHECKPOINT", `byteorder record must be 'little' or 'big', got '${value}'`);
  return value;
}

function layoutOf(zip: ZipReader, options: ZipLoadOptions): ZipLayout {
  const prefix = findPrefix(zip);
  const text = (name: string) => (zip.get(name) ? zip.readText(name) : undefined);
  const byteorderText = text(`${prefix}/byteorder`);
  return {
    prefix,
    version: parseVersion(text(`${prefix}/.data/version`) ?? text(`${prefix}/version`)),
    byteorder: parseByteorder(byteorderText, options.byteorder ?? "little"),
    hasByteorderRecord: byteorderText !== undefined,
  };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function needsSwap(layout: ZipLayout): boolean {
  return (layout.byteorder === "little") !== HOST_LITTLE_ENDIAN;
}

function recordOf(zip: RecordReader, layout: ZipLayout, key: string): ZipEntry {
  const entry = zip.get(`${layout.prefix}/data/${key}`);
  if (!entry) throw new CheckpointError("MISSING_RECORD", `the archive has no record '${layout.prefix}/data/${key}' for storage '${key}'`);
  if (entry.method !== 0) throw new CheckpointError("NOT_A_CHECKPOINT", `record '${entry.name}' is compressed (method ${entry.method}); torch.save stores records uncompressed`);
  return entry;
}

/** Reads storages of an open zip checkpoint (used eagerly and by LazyTensors). */
class ZipStorageReader implements StorageReader {
  constructor(private readonly zip: ZipReader, private readonly layout: ZipLayout) {}

  storage(handle: StorageHandle) {
    if (!handle.storage) {
      const storage = handle.allocate();
      if (storage.bytes) this.fill(handle, storage.bytes);
    }
    return handle.storage!;
  }

  fill(handle: StorageHandle, bytes: Uint8Array): void {
    this.zip.readRange(recordOf(this.zip, this.layout, handle.key), 0, handle.nbytes, bytes);
    if (needsSwap(this.layout) && handle.dtype) swapBytes(bytes, handle.dtype.itemsize);
  }

  readInto(handle: StorageHandle, byteOffset: number, into: Uint8Array): void {
    this.zip.readRange(recordOf(this.zip, this.layout, handle.key), byteOffset, into.length, into);
    if (needsSwap(this.layout) && handle.dtype) swapBytes(into, handle.dtype.itemsize);
  }
}

/** Loads a zip checkpoint from a synchronous source (a Node file or bytes). */
export function loadZipCheckpoint(source: ByteSource, options: ZipLoadOptions = {}): { value: unknown; layout: ZipLayout } {
  const zip = ZipReader.open(source);
  const layout = layoutOf(zip, options);
  const reader = new ZipStorageReader(zip, layout);
  const make: TensorFactory = options.lazy
    ? (handle, dtype, offset, size, stride, requiresGrad) => new LazyTensor(handle, dtype, size, stride, offset, requiresGrad, reader)
    : eagerTensor;
  const pickle = zip.read(`${layout.prefix}/data.pkl`);
  const { value, handles } = decodePickle(pickle, 0, { recordSize: (key) => recordOf(zip, layout, key).size, maxBytes: source.size }, make, options);
  if (!options.lazy) {
    for (const handle of handles.values()) {
      const bytes = handle.storage?.bytes;
      if (bytes) reader.fill(handle, bytes);
    }
  }
  return { value, layout };
}

/** Loads a zip checkpoint from an asynchronous source (a browser Blob): eager only. */
export async function loadZipCheckpointAsync(source: AsyncByteSource, options: ZipLoadOptions = {}): Promise<{ value: unknown; layout: ZipLayout }> {
  if (options.lazy) throw new CheckpointError("NOT_A_CHECKPOINT", "lazy loading needs a synchronous source (a path or bytes), not a Blob");
  const zip = await AsyncZipReader.open(source);
  const prefix = findPrefix(zip);
  const text = async (name: string) => (zip.get(name) ? await zip.readText(name) : undefined);
  const byteorderText = await text(`${prefix}/byteorder`);
  const layout: ZipLayout = {
    prefix,
    version: parseVersion((await text(`${prefix}/.data/version`)) ?? (await text(`${prefix}/version`))),
    byteorder: parseByteorder(byteorderText, options.byteorder ?? "little"),
    hasByteorderRecord: byteorderText !== undefined,
  };
  const pickle = await zip.read(`${prefix}/data.pkl`);
  const { value, handles } = decodePickle(pickle, 0, { recordSize: (key) => recordOf(zip, layout, key).size, maxBytes: source.size }, eagerTensor, options);
  for (const handle of handles.values()) {
    const bytes = handle.storage?.bytes;
    if (!bytes) continue;
    await zip.readRange(recordOf(zip, layout, handle.key), 0, handle.nbytes, bytes);
    if (needsSwap(layout) && handle.dtype) swapBytes(bytes, handle.dtype.itemsize);
  }
  return { value, layout };
}
