/**
 * Reading a zip's directory: end of central directory (and the zip64 record through its locator),
 * the central directory, and each entry's local header (the data offset is 30 + name length +
 * extra length *of the local header*, which PyTorch pads; the central directory does not).
 *
 * The parser is a generator that yields the byte ranges it needs and receives their bytes, so one
 * implementation serves synchronous and asynchronous sources (see reader.ts). It reads only the
 * tail, the central directory and the local headers, never entry data.
 */
import {
  CENTRAL_HEADER_SIGNATURE,
  CENTRAL_HEADER_SIZE,
  END_SIGNATURE,
  END_SIZE,
  FLAG_UTF8,
  LOCAL_HEADER_SIGNATURE,
  LOCAL_HEADER_SIZE,
  MAX_COMMENT,
  ZIP64_END_SIGNATURE,
  ZIP64_END_SIZE,
  ZIP64_EXTRA_ID,
  ZIP64_LOCATOR_SIGNATURE,
  ZIP64_LOCATOR_SIZE,
  ZIP64_MARKER_16,
  ZIP64_MARKER_32,
} from "./constants.ts";
import { ZipError, hex32 } from "./errors.ts";

/** One entry (record) of a zip archive. */
export interface ZipEntry {
  /** Name as stored (UTF-8 when flag 0x800 is set, else CP437). */
  readonly name: string;
  /** Compression method: 0 stored, 8 deflate. */
  readonly method: number;
  /** General purpose flags from the central directory. */
  readonly flags: number;
  /** CRC-32 of the uncompressed data, from the central directory. */
  readonly crc32: number;
  /** Bytes of (possibly compressed) data in the file. */
  readonly compressedSize: number;
  /** Bytes after decompression. */
  readonly size: number;
  /** Offset of the local file header. */
  readonly localHeaderOffset: number;
  /** Offset of the first data byte (from the local header's own name and extra lengths). */
  readonly dataOffset: number;
  /** Index in the central directory. */
  readonly index: number;
}

/** What the directory parser found. */
export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  /** True when the archive has a zip64 end of central directory record. */
  readonly zip64: boolean;
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  /** The archive comment (usually empty). */
  readonly comment: Uint8Array;
}

/** A byte range the parser needs. */
export interface ReadRequest {
  readonly offset: number;
  readonly length: number;
}

/** The parser: yields ReadRequests, receives their bytes, returns the directory. */
export type DirectoryParser = Generator<ReadRequest, ZipDirectory, Uint8Array>;

function u16(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function u64(b: Uint8Array, i: number, what: string): number {
  const low = u32(b, i);
  const high = u32(b, i + 4);
  if (high > 0x1fffff) throw new ZipError("TOO_LARGE", `${what} is ${high} * 2^32 + ${low}, beyond 2^53 bytes`);
  return high * 0x100000000 + low;
}

const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes an entry name as Python's zipfile does: UTF-8 when flag 0x800 is set, else CP437. */
export function decodeEntryName(bytes: Uint8Array, flags: number): string {
  if (flags & FLAG_UTF8) {
    try {
      return utf8.decode(bytes);
    } catch (cause) {
      throw new ZipError("BAD_NAME", "entry name is flagged UTF-8 but is not valid UTF-8", { cause });
    }
  }
  let name = "";
  for (const byte of bytes) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return name;
}

function checkRange(offset: number, length: number, limit: number, what: string): void {
  if (offset + length > limit) {
    throw new ZipError("OUT_OF_BOUNDS", `${what} [${offset}, ${offset + length}) extends past ${limit}`);
  }
}

/** Finds the end of central directory record in the file's tail; returns its index in `tail`. */
function findEndRecord(tail: Uint8Array): number {
  // Prefer a record whose comment ends exactly at the end of the file; accept trailing bytes as Python does.
  let fallback = -1;
  for (let i = tail.length - END_SIZE; i >= 0; i--) {
    if (tail[i] !== 0x50 || u32(tail, i) !== END_SIGNATURE) continue;
    const end = i + END_SIZE + u16(tail, i + 20);
    if (end === tail.length) return i;
    if (end < tail.length && fallback < 0) fallback = i;
  }
  return fallback;
}

/** The directory parser for a source of `size` bytes. Drive it with reader.ts's runners. */
export function* parseDirectory(size: number): DirectoryParser {
  if (size < END_SIZE) {
    throw new ZipError("NOT_A_ZIP", `not a zip archive: ${size} bytes, expected at least ${END_SIZE} (the end of central directory record)`);
  }
  const tailLength = Math.min(size, END_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
  const tailStart = size - tailLength;
  const tail = yield { offset: tailStart, length: tailLength };
  const endIndex = findEndRecord(tail);
  if (endIndex < 0) {
    throw new ZipError(
      "NOT_A_ZIP",
      `not a zip archive (or truncated): no end of central directory signature ${hex32(END_SIGNATURE)} in the last ${tailLength} bytes`,
    );
  }
  const endOffset = tailStart + endIndex;
  let disk = u16(tail, endIndex + 4);
  let centralDisk = u16(tail, endIndex + 6);
  let entriesOnDisk = u16(tail, endIndex + 8);
  let entryCount = u16(tail, endIndex + 10);
  let centralSize = u32(tail, endIndex + 12);
  let centralOffset = u32(tail, endIndex + 16);
  const comment = tail.slice(endIndex + END_SIZE, endIndex + END_SIZE + u16(tail, endIndex + 20));
  let zip64 = false;
  let recordsStart = endOffset;

  const locatorIndex = endIndex - ZIP64_LOCATOR_SIZE;
  if (locatorIndex >= 0 && u32(tail, locatorIndex) === ZIP64_LOCATOR_SIGNATURE) {
    const locatorOffset = tailStart + locatorIndex;
    const zip64Offset = u64(tail, locatorIndex + 8, "zip64 end record offset");
    checkRange(zip64Offset, ZIP64_END_SIZE, locatorOffset, "zip64 end of central directory record");
    const record = yield { offset: zip64Offset, length: ZIP64_END_SIZE };
    if (u32(record, 0) !== ZIP64_END_SIGNATURE) {
      throw new ZipError(
        "BAD_SIGNATURE",
        `zip64 end of central directory record at ${zip64Offset}: expected signature ${hex32(ZIP64_END_SIGNATURE)}, got ${hex32(u32(record, 0))}`,
      );
    }
    zip64 = true;
    disk = u32(record, 16);
    centralDisk = u32(record, 20);
    entriesOnDisk = u64(record, 24, "zip64 entry count");
    entryCount = u64(record, 32, "zip64 entry count");
    centralSize = u64(record, 40, "central directory size");
    centralOffset = u64(record, 48, "central directory offset");
    recordsStart = zip64Offset;
  }
  if (disk !== 0 || centralDisk !== 0 || entriesOnDisk !== entryCount) {
    throw new ZipError("MULTI_DISK", `split (multi-disk) archives are not supported: disk ${disk}, central directory on disk ${centralDisk}`);
  }
  if (entryCount * CENTRAL_HEADER_SIZE > centralSize) {
    throw new ZipError(
      "BAD_CENTRAL_DIRECTORY",
      `central directory of ${centralSize} bytes cannot hold ${entryCount} entries (${CENTRAL_HEADER_SIZE} bytes each at least)`,
    );
  }
  checkRange(centralOffset, centralSize, recordsStart, "central directory");

  const central = yield { offset: centralOffset, length: centralSize };
  const partial = parseCentralDirectory(central, entryCount, centralOffset);

  const entries: ZipEntry[] = [];
  for (const item of partial) {
    checkRange(item.localHeaderOffset, LOCAL_HEADER_SIZE + item.nameBytes.length, centralOffset, `local header of '${item.name}'`);
    const header = yield { offset: item.localHeaderOffset, length: LOCAL_HEADER_SIZE + item.nameBytes.length };
    const signature = u32(header, 0);
    if (signature !== LOCAL_HEADER_SIGNATURE) {
      throw new ZipError(
        "BAD_SIGNATURE",
        `local header of '${item.name}' at ${item.localHeaderOffset}: expected signature ${hex32(LOCAL_HEADER_SIGNATURE)}, got ${hex32(signature)}`,
      );
    }
    const localName = header.subarray(LOCAL_HEADER_SIZE);
    if (u16(header, 26) !== item.nameBytes.length || !localName.every((byte, i) => byte === item.nameBytes[i])) {
      throw new ZipError("NAME_MISMATCH", `local header at ${item.localHeaderOffset} does not name '${item.name}' as the central directory does`);
    }
    const dataOffset = item.localHeaderOffset + LOCAL_HEADER_SIZE + u16(header, 26) + u16(header, 28);
    if (dataOffset + item.compressedSize > centralOffset) {
      throw new ZipError(
        "TRUNCATED",
        `data of '${item.name}' [${dataOffset}, ${dataOffset + item.compressedSize}) runs past the central directory at ${centralOffset}`,
      );
    }
    const { nameBytes: _, ...entry } = item;
    entries.push({ ...entry, dataOffset });
  }
  return { entries, zip64, centralDirectoryOffset: centralOffset, centralDirectorySize: centralSize, comment };
}

interface PartialEntry extends Omit<ZipEntry, "dataOffset"> {
  readonly nameBytes: Uint8Array;
}

function parseCentralDirectory(central: Uint8Array, entryCount: number, centralOffset: number): PartialEntry[] {
  const entries: PartialEntry[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let index = 0; index < entryCount; index++) {
    if (p + CENTRAL_HEADER_SIZE > central.length) {
      throw new ZipError("BAD_CENTRAL_DIRECTORY", `central directory ends inside entry ${index} of ${entryCount}`);
    }
    const signature = u32(central, p);
    if (signature !== CENTRAL_HEADER_SIGNATURE) {
      throw new ZipError(
        "BAD_SIGNATURE",
        `central directory entry ${index} at ${centralOffset + p}: expected signature ${hex32(CENTRAL_HEADER_SIGNATURE)}, got ${hex32(signature)}`,
      );
    }
    const flags = u16(central, p + 8);
    const method = u16(central, p + 10);
    const crc = u32(central, p + 16);
    let compressedSize = u32(central, p + 20);
    let size = u32(central, p + 24);
    const nameLength = u16(central, p + 28);
    const extraLength = u16(central, p + 30);
    const commentLength = u16(central, p + 32);
    const diskStart = u16(central, p + 34);
    let localHeaderOffset = u32(central, p + 42);
    const end = p + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (end > central.length) {
      throw new ZipError("BAD_CENTRAL_DIRECTORY", `central directory entry ${index}: name, extra and comment run past the directory's end`);
    }
    const nameBytes = central.slice(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLength);
    const name = decodeEntryName(nameBytes, flags);
    const extra = central.subarray(p + CENTRAL_HEADER_SIZE + nameLength, p + CENTRAL_HEADER_SIZE + nameLength + extraLength);
    // Zip64 extended information: 8-byte values for exactly the fields set to 0xFFFFFFFF, in this order.
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = u16(extra, e);
      const length = u16(extra, e + 2);
      if (e + 4 + length > extra.length) {
        throw new ZipError("BAD_CENTRAL_DIRECTORY", `entry '${name}': extra field 0x${id.toString(16)} runs past the extra data`);
      }
      if (id === ZIP64_EXTRA_ID) {
        const field = extra.subarray(e + 4, e + 4 + length);
        let q = 0;
        const next = (what: string): number => {
          if (q + 8 > field.length) throw new ZipError("BAD_CENTRAL_DIRECTORY", `entry '${name}': zip64 extra field lacks the ${what}`);
          const value = u64(field, q, `entry '${name}' ${what}`);
          q += 8;
          return value;
        };
        if (size === ZIP64_MARKER_32) size = next("size");
        if (compressedSize === ZIP64_MARKER_32) compressedSize = next("compressed size");
        if (localHeaderOffset === ZIP64_MARKER_32) localHeaderOffset = next("local header offset");
      }
      e += 4 + length;
    }
    if (diskStart !== 0 && diskStart !== ZIP64_MARKER_16) {
      throw new ZipError("MULTI_DISK", `entry '${name}' starts on disk ${diskStart}; split archives are not supported`);
    }
    if (seen.has(name)) throw new ZipError("DUPLICATE_NAME", `the archive holds two entries named '${name}'`);
    seen.add(name);
    entries.push({ name, nameBytes, method, flags, crc32: crc, compressedSize, size, localHeaderOffset, index });
    p = end;
  }
  return entries;
}
