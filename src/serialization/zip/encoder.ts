/**
 * The bytes of a zip archive as PyTorch (miniz, `caffe2/serialize/inline_container.cc`) writes them,
 * independent of where they go (writer.ts sends them to sinks):
 * - every entry stored (method 0); version fields, times and dates 0;
 * - local header flags 0x0808 (data descriptor + UTF-8 name) with CRC and sizes 0, then after the
 *   data a descriptor `PK\x07\x08 crc size size` (32-bit sizes, or 64-bit when the entry has a
 *   zip64 extra field); an empty entry has flags 0x0800 and no descriptor, as miniz writes it;
 * - the data of every entry aligned (64 bytes) by an `FB` extra field: "FB", u16 length, 'Z' * length;
 * - a zip64 extra field (local and central) for an entry whose size or local header offset is at
 *   least the zip64 threshold (0xFFFFFFFF; lower it in tests), the central fields then read 0xFFFFFFFF;
 * - a zip64 end of central directory record and locator always (miniz with MZ_ZIP_FLAG_WRITE_ZIP64),
 *   then the classic end record with values capped at 0xFFFF / 0xFFFFFFFF.
 */
import {
  CENTRAL_HEADER_SIGNATURE,
  CENTRAL_HEADER_SIZE,
  DATA_DESCRIPTOR_SIGNATURE,
  END_SIGNATURE,
  END_SIZE,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  LOCAL_HEADER_SIGNATURE,
  LOCAL_HEADER_SIZE,
  PADDING_EXTRA_ID,
  ZIP64_END_SIGNATURE,
  ZIP64_END_SIZE,
  ZIP64_EXTRA_ID,
  ZIP64_LOCATOR_SIGNATURE,
  ZIP64_LOCATOR_SIZE,
  ZIP64_MARKER_16,
  ZIP64_MARKER_32,
} from "./constants.ts";
import { crc32 as jsCrc32 } from "./crc32.ts";
import { ZipError } from "./errors.ts";

/** Options of the zip writers. */
export interface ZipWriterOptions {
  /** Data alignment in bytes, a power of two (default 64, as PyTorch). */
  alignment?: number;
  /** Sizes and offsets at or above this get zip64 fields (default 0xFFFFFFFF; lower it to test zip64). */
  zip64Threshold?: number;
  /** CRC-32 implementation (default: the JS one); Node callers may pass `zlib.crc32`. */
  crc32?: (data: Uint8Array, previous?: number) => number;
}

/** Where an entry landed. */
export interface WrittenEntry {
  readonly name: string;
  readonly localHeaderOffset: number;
  readonly dataOffset: number;
  readonly size: number;
  readonly crc32: number;
  /** Whether the entry carries zip64 extra fields. */
  readonly zip64: boolean;
}

interface OpenEntry {
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly localHeaderOffset: number;
  readonly dataOffset: number;
  readonly size: number;
  readonly zip64Size: boolean;
  readonly zip64Offset: boolean;
  written: number;
  crc: number;
}

const encoder = new TextEncoder();

/** Little-endian field writer over a fixed-size buffer. */
class Fields {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private p = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(value: number): this {
    this.view.setUint16(this.p, value, true);
    this.p += 2;
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.p, value >>> 0, true);
    this.p += 4;
    return this;
  }

  u64(value: number): this {
    return this.u32(value % 0x100000000).u32(Math.floor(value / 0x100000000));
  }

  raw(data: Uint8Array): this {
    this.bytes.set(data, this.p);
    this.p += data.length;
    return this;
  }

  fill(byte: number, count: number): this {
    this.bytes.fill(byte, this.p, this.p + count);
    this.p += count;
    return this;
  }
}

function zip64ExtraLength(sizeBig: boolean, offsetBig: boolean): number {
  if (!sizeBig && !offsetBig) return 0;
  return 4 + (sizeBig ? 16 : 0) + (offsetBig ? 8 : 0);
}

function writeZip64Extra(out: Fields, entry: OpenEntry, size: number): void {
  if (!entry.zip64Size && !entry.zip64Offset) return;
  out.u16(ZIP64_EXTRA_ID).u16(zip64ExtraLength(entry.zip64Size, entry.zip64Offset) - 4);
  if (entry.zip64Size) out.u64(size).u64(size);
  if (entry.zip64Offset) out.u64(entry.localHeaderOffset);
}

/** Produces the bytes of an archive, entry by entry; tracks offsets and the central directory. */
export class ZipEncoder {
  private readonly alignment: number;
  private readonly threshold: number;
  private readonly crc32: (data: Uint8Array, previous?: number) => number;
  private offset = 0;
  private readonly central: Uint8Array[] = [];
  private readonly names = new Set<string>();
  private open: OpenEntry | undefined;
  private finished = false;
  private failed: string | undefined;

  /** @param options alignment, zip64 threshold, CRC function */
  constructor(options: ZipWriterOptions = {}) {
    this.alignment = options.alignment ?? 64;
    if (!Number.isInteger(this.alignment) || this.alignment < 1 || this.alignment > 0x8000 || (this.alignment & (this.alignment - 1)) !== 0) {
      throw new RangeError(`alignment must be a power of two from 1 to 32768, got ${this.alignment}`);
    }
    this.threshold = options.zip64Threshold ?? ZIP64_MARKER_32;
    this.crc32 = options.crc32 ?? jsCrc32;
  }

  /** Bytes produced so far. */
  get position(): number {
    return this.offset;
  }

  private state(expectOpen: boolean, action: string): void {
    if (this.failed) throw new ZipError("WRITER_STATE", `cannot ${action}: an earlier write failed (${this.failed})`);
    if (this.finished) throw new ZipError("WRITER_STATE", `cannot ${action}: the archive is finished`);
    if (expectOpen && !this.open) throw new ZipError("WRITER_STATE", `cannot ${action}: no entry is open`);
    if (!expectOpen && this.open) throw new ZipError("WRITER_STATE", `cannot ${action}: entry '${this.open.name}' is still open`);
  }

  /** Marks the encoder unusable (a sink failed mid-entry). */
  fail(reason: string): void {
    this.failed ??= reason;
  }

  /** Starts an entry of exactly `size` bytes; returns its local header (with name and extras). */
  begin(name: string, size: number): Uint8Array {
    this.state(false, `begin '${name}'`);
    const nameBytes = encoder.encode(name);
    if (nameBytes.length === 0 || nameBytes.length > 0xffff) {
      throw new ZipError("BAD_NAME", `entry name must be 1 to 65535 UTF-8 bytes, got ${nameBytes.length}`);
    }
    if (this.names.has(name)) throw new ZipError("DUPLICATE_NAME", `entry '${name}' was already written`);
    if (!Number.isSafeInteger(size) || size < 0) throw new ZipError("SIZE_MISMATCH", `entry '${name}': size must be a non-negative integer, got ${size}`);
    const localHeaderOffset = this.offset;
    const zip64Size = size >= this.threshold;
    const zip64Offset = localHeaderOffset >= this.threshold;
    const zip64Length = zip64ExtraLength(zip64Size, zip64Offset);
    const unpadded = localHeaderOffset + LOCAL_HEADER_SIZE + nameBytes.length + zip64Length + 4;
    const padding = (this.alignment - (unpadded % this.alignment)) % this.alignment;
    const extraLength = zip64Length + 4 + padding;
    const entry: OpenEntry = {
      name,
      nameBytes,
      localHeaderOffset,
      dataOffset: unpadded + padding,
      size,
      zip64Size,
      zip64Offset,
      written: 0,
      crc: 0,
    };
    const out = new Fields(LOCAL_HEADER_SIZE + nameBytes.length + extraLength);
    out.u32(LOCAL_HEADER_SIGNATURE).u16(0).u16(this.flags(size)).u16(0).u16(0).u16(0);
    out.u32(0).u32(0).u32(0).u16(nameBytes.length).u16(extraLength).raw(nameBytes);
    writeZip64Extra(out, entry, size);
    out.u16(PADDING_EXTRA_ID).u16(padding).fill(0x5a, padding);
    this.names.add(name);
    this.open = entry;
    this.offset += out.bytes.length;
    return out.bytes;
  }

  private flags(size: number): number {
    return size > 0 ? FLAG_DATA_DESCRIPTOR | FLAG_UTF8 : FLAG_UTF8;
  }

  /** Accounts for a chunk of the open entry's data (which the caller writes as it is). */
  update(chunk: Uint8Array): void {
    this.state(true, "write data");
    const entry = this.open as OpenEntry;
    if (entry.written + chunk.length > entry.size) {
      throw new ZipError(
        "SIZE_MISMATCH",
        `entry '${entry.name}' was declared with ${entry.size} bytes; writing ${chunk.length} more after ${entry.written} exceeds it`,
      );
    }
    entry.crc = this.crc32(chunk, entry.crc) >>> 0;
    entry.written += chunk.length;
    this.offset += chunk.length;
  }

  /** Ends the open entry; returns its data descriptor (empty for an empty entry) and where it landed. */
  end(): { descriptor: Uint8Array; entry: WrittenEntry } {
    this.state(true, "end the entry");
    const entry = this.open as OpenEntry;
    if (entry.written !== entry.size) {
      throw new ZipError("SIZE_MISMATCH", `entry '${entry.name}' was declared with ${entry.size} bytes but ${entry.written} were written`);
    }
    const wide = entry.zip64Size || entry.zip64Offset;
    let descriptor: Uint8Array = new Uint8Array(0);
    if (entry.size > 0) {
      const out = new Fields(wide ? 24 : 16).u32(DATA_DESCRIPTOR_SIGNATURE).u32(entry.crc);
      if (wide) out.u64(entry.size).u64(entry.size);
      else out.u32(entry.size).u32(entry.size);
      descriptor = out.bytes;
    }
    this.central.push(this.centralRecord(entry));
    this.offset += descriptor.length;
    this.open = undefined;
    const written: WrittenEntry = {
      name: entry.name,
      localHeaderOffset: entry.localHeaderOffset,
      dataOffset: entry.dataOffset,
      size: entry.size,
      crc32: entry.crc,
      zip64: wide,
    };
    return { descriptor, entry: written };
  }

  private centralRecord(entry: OpenEntry): Uint8Array {
    const zip64Length = zip64ExtraLength(entry.zip64Size, entry.zip64Offset);
    const out = new Fields(CENTRAL_HEADER_SIZE + entry.nameBytes.length + zip64Length);
    const size32 = entry.zip64Size ? ZIP64_MARKER_32 : entry.size;
    out.u32(CENTRAL_HEADER_SIGNATURE).u16(0).u16(0).u16(this.flags(entry.size)).u16(0).u16(0).u16(0);
    out.u32(entry.crc).u32(size32).u32(size32).u16(entry.nameBytes.length).u16(zip64Length).u16(0);
    out.u16(0).u16(0).u32(0).u32(entry.zip64Offset ? ZIP64_MARKER_32 : entry.localHeaderOffset);
    out.raw(entry.nameBytes);
    writeZip64Extra(out, entry, entry.size);
    return out.bytes;
  }

  /** Ends the archive: central directory, zip64 end record and locator, end record. */
  finish(): Uint8Array {
    this.state(false, "finish");
    const centralOffset = this.offset;
    const centralSize = this.central.reduce((sum, record) => sum + record.length, 0);
    const count = this.central.length;
    const zip64EndOffset = centralOffset + centralSize;
    const out = new Fields(centralSize + ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE + END_SIZE);
    for (const record of this.central) out.raw(record);
    out.u32(ZIP64_END_SIGNATURE).u64(ZIP64_END_SIZE - 12).u16(0x031e).u16(0x002d).u32(0).u32(0);
    out.u64(count).u64(count).u64(centralSize).u64(centralOffset);
    out.u32(ZIP64_LOCATOR_SIGNATURE).u32(0).u64(zip64EndOffset).u32(1);
    const count16 = Math.min(count, ZIP64_MARKER_16);
    const cap = (value: number): number => (value >= this.threshold ? ZIP64_MARKER_32 : value);
    out.u32(END_SIGNATURE).u16(0).u16(0).u16(count16).u16(count16).u32(cap(centralSize)).u32(cap(centralOffset)).u16(0);
    this.finished = true;
    this.offset += out.bytes.length;
    return out.bytes;
  }
}
