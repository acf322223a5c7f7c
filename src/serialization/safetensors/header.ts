/**
 * The safetensors header: an 8-byte little-endian length N, then N bytes of JSON
 * `{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}}`,
 * then the data, tensor bytes at `8 + N + begin`. Spec: https://github.com/huggingface/safetensors#format
 * Validation follows the reference `SafeTensors::read_metadata` / `Metadata::validate`.
 */
import type { ByteSource } from "../../io/types.ts";
import { SAFETENSORS_DTYPE_CODES, safetensorsItemsize } from "./dtypes.ts";
import { SafetensorsError } from "./errors.ts";

/** The reference's upper bound on the header length (`MAX_HEADER_SIZE`). */
export const MAX_HEADER_LENGTH = 100_000_000;

/** One tensor entry of a header. */
export interface SafetensorsTensorInfo {
  /** The tensor's name (its key in the header). */
  name: string;
  /** The safetensors dtype code, e.g. `F32`. */
  dtype: string;
  /** Dimension lengths (empty for a scalar). */
  shape: number[];
  /** `[begin, end)` of the tensor's bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

/** A parsed and validated header. */
export interface SafetensorsHeader {
  /** N: the length of the JSON header in bytes (including any padding). */
  headerLength: number;
  /** Where the data section starts in the file (8 + N). */
  dataStart: number;
  /** Length of the data section in bytes. */
  dataLength: number;
  /** The `__metadata__` map, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** Tensor entries in file order (by data offset). */
  tensors: SafetensorsTensorInfo[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Reads and validates the header of a safetensors file held by `source` (reads only the header bytes). */
export function readHeader(source: ByteSource): SafetensorsHeader {
  const size = source.size;
  if (size < 8) throw new SafetensorsError("HEADER_TOO_SMALL", `a safetensors file starts with an 8-byte header length, but the input is only ${size} bytes`);
  const prefix = source.read(0, 8);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_LENGTH)) {
    throw new SafetensorsError("HEADER_TOO_LARGE", `header length ${n} (bytes 0-7) is over the limit of ${MAX_HEADER_LENGTH} bytes; this is probably not a safetensors file`);
  }
  const headerLength = Number(n);
  if (8 + headerLength > size) {
    throw new SafetensorsError("INVALID_HEADER_LENGTH", `header length ${headerLength} (bytes 0-7) runs past the end of the input: 8 + ${headerLength} > ${size} bytes`);
  }
  return parseHeader(source.read(8, headerLength), size);
}

/** Parses the JSON header bytes (the N bytes after the length) of a file of `fileSize` bytes, and validates it. */
export function parseHeader(json: Uint8Array, fileSize: number): SafetensorsHeader {
  const headerLength = json.length;
  const dataStart = 8 + headerLength;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(json);
  } catch {
    throw new SafetensorsError("INVALID_HEADER", `the ${headerLength}-byte header is not valid UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError("INVALID_JSON", `the header is not valid JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!isObject(parsed)) {
    throw new SafetensorsError("INVALID_JSON", `the header must be a JSON object, got ${Array.isArray(parsed) ? "an array" : String(parsed === null ? "null" : typeof parsed)}`);
  }
  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === "__metadata__") metadata = parseMetadata(entry);
    else tensors.push(parseTensorInfo(name, entry));
  }
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  const dataLength = fileSize - dataStart;
  checkOffsets(tensors, dataLength);
  return { headerLength, dataStart, dataLength, metadata, tensors };
}

function parseMetadata(entry: unknown): Record<string, string> | null {
  if (entry === null) return null;
  if (!isObject(entry)) throw new SafetensorsError("INVALID_METADATA", `__metadata__ must be an object of strings, got ${Array.isArray(entry) ? "an array" : typeof entry}`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== "string") {
      throw new SafetensorsError("INVALID_METADATA", `__metadata__ values must be strings, but '${key}' is ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value} (${JSON.stringify(value)})`);
    }
    setOwn(out, key, value);
  }
  return out;
}

/** Sets an own enumerable property (safe for keys such as `__proto__`). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function parseTensorInfo(name: string, entry: unknown): SafetensorsTensorInfo {
  const bad = (what: string): never => {
    throw new SafetensorsError("INVALID_TENSOR_INFO", `tensor '${name}': ${what}, got ${JSON.stringify(entry)}`);
  };
  if (!isObject(entry)) return bad("expected an object with dtype, shape and data_offsets");
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string") return bad("dtype must be a string such as \"F32\"");
  if (!Array.isArray(shape) || !shape.every(isCount)) return bad("shape must be an array of non-negative integers");
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) return bad("data_offsets must be [begin, end] with non-negative integers");
  const itemsize = safetensorsItemsize(dtype);
  if (itemsize === undefined) {
    throw new SafetensorsError("UNKNOWN_DTYPE", `tensor '${name}' has unknown dtype '${dtype}'; safetensors dtypes are ${SAFETENSORS_DTYPE_CODES.join(", ")}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) throw new SafetensorsError("INVALID_OFFSET", `tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
  let nbytes = itemsize;
  for (const d of shape as number[]) nbytes *= d;
  if (!Number.isSafeInteger(nbytes)) throw new SafetensorsError("INVALID_TENSOR_INFO", `tensor '${name}': shape [${shape.join(", ")}] of ${dtype} overflows`);
  if (end - begin !== nbytes) {
    throw new SafetensorsError("INVALID_TENSOR_INFO", `tensor '${name}': ${dtype} [${shape.join(", ")}] needs ${nbytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], dataOffsets: [begin, end] };
}

/** Tensors (sorted by offset) must tile the data section exactly: from 0, no gaps, no overlaps, ending at its end. */
function checkOffsets(tensors: readonly SafetensorsTensorInfo[], dataLength: number): void {
  let expected = 0;
  let previous = "";
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < expected) {
      throw new SafetensorsError("INVALID_OFFSET", `tensor '${t.name}': data_offsets [${begin}, ${end}] overlap the data of '${previous}', which ends at ${expected}`);
    }
    if (begin > expected) {
      throw new SafetensorsError("INVALID_OFFSET", `tensor '${t.name}': data_offsets begin at ${begin}, leaving a gap after ${previous ? `'${previous}', which ends at ${expected}` : "the start of the data"}`);
    }
    if (end > dataLength) {
      throw new SafetensorsError("INVALID_OFFSET", `tensor '${t.name}': data_offsets [${begin}, ${end}] point past the end of the data section (${Math.max(dataLength, 0)} bytes; file truncated?)`);
    }
    expected = end;
    previous = t.name;
  }
  if (expected !== dataLength) {
    throw new SafetensorsError("INCOMPLETE_BUFFER", `the tensors cover ${expected} bytes of data, but the file holds ${dataLength} bytes after the header`);
  }
}

/** A tensor entry to encode: name, dtype code, shape, and byte length. */
export interface HeaderEntry {
  /** The tensor's name. */
  name: string;
  /** Its safetensors dtype code. */
  dtype: string;
  /** Its shape. */
  shape: readonly number[];
  /** Its data's length in bytes. */
  nbytes: number;
}

/**
 * Encodes the 8-byte length and the JSON header for entries laid out in the given order, padded with spaces
 * to a multiple of 8 as the reference writer does (`__metadata__` first, then the tensors in data order).
 */
export function encodeHeader(entries: readonly HeaderEntry[], metadata: Record<string, string> | null): { bytes: Uint8Array; dataLength: number } {
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const e of entries) {
    const info = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.nbytes] };
    parts.push(`${JSON.stringify(e.name)}:${JSON.stringify(info)}`);
    offset += e.nbytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, 8);
  return { bytes, dataLength: offset };
}
