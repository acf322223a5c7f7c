/**
 * Zip readers over random-access byte sources: `ZipReader` (synchronous: memory, Node files) and
 * `AsyncZipReader` (any source, e.g. Blobs). Opening reads the directory only; entry data is read
 * on demand, optionally straight into a caller's buffer (so a storage lands in tensor memory with
 * no intermediate copy). Stored entries are read as they are; deflated ones (TorchScript `code/`)
 * need an `inflate` function, so this module stays free of platform imports.
 */
import type { AsyncByteSource, ByteSource } from "../../io/types.ts";
import { FLAG_ENCRYPTED, METHOD_DEFLATE, METHOD_STORED } from "./constants.ts";
import { crc32 as jsCrc32 } from "./crc32.ts";
import { type DirectoryParser, type ZipDirectory, type ZipEntry, parseDirectory } from "./directory.ts";
import { ZipError, hex32 } from "./errors.ts";

/** Decompresses raw deflate data to `uncompressedSize` bytes. */
export type InflateFunction = (compressed: Uint8Array, uncompressedSize: number) => Uint8Array;
/** Decompresses raw deflate data, possibly asynchronously. */
export type AsyncInflateFunction = (compressed: Uint8Array, uncompressedSize: number) => Uint8Array | Promise<Uint8Array>;

/** Options of ZipReader. */
export interface ZipReaderOptions<Inflate = InflateFunction> {
  /** Decompressor for method 8 (deflate); without it deflated entries cannot be read. */
  inflate?: Inflate;
  /** Check the CRC-32 of every whole-entry read (default false: PyTorch does not either). */
  verifyCrc?: boolean;
  /** CRC-32 implementation (default: the JS one); Node callers may pass `zlib.crc32`. */
  crc32?: (data: Uint8Array, previous?: number) => number;
}

function entryWhere(entry: ZipEntry): string {
  return `'${entry.name}'`;
}

/** The directory part shared by both readers: entries and lookups. */
abstract class ZipIndex {
  /** Entries in central directory order. */
  readonly entries: readonly ZipEntry[];
  /** True when the archive has a zip64 end of central directory record. */
  readonly zip64: boolean;
  /** The archive comment. */
  readonly comment: Uint8Array;
  private readonly byName: Map<string, ZipEntry>;

  protected constructor(directory: ZipDirectory) {
    this.entries = directory.entries;
    this.zip64 = directory.zip64;
    this.comment = directory.comment;
    this.byName = new Map(directory.entries.map((entry) => [entry.name, entry]));
  }

  /** Entry names in central directory order. */
  names(): string[] {
    return this.entries.map((entry) => entry.name);
  }

  /** True when an entry of this name exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The entry of this name, or undefined. */
  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** The entry of this name; throws ZipError NOT_FOUND naming the archive's entries otherwise. */
  entry(name: string): ZipEntry {
    const entry = this.byName.get(name);
    if (entry) return entry;
    const names = this.names();
    const shown = names.slice(0, 10).join(", ") + (names.length > 10 ? `, ... (${names.length} entries)` : "");
    throw new ZipError("NOT_FOUND", `no entry named '${name}' in the archive; it has: ${shown}`);
  }

  protected resolve(entryOrName: ZipEntry | string): ZipEntry {
    return typeof entryOrName === "string" ? this.entry(entryOrName) : entryOrName;
  }

  /** Validates a whole-entry read; returns whether the entry is deflated. */
  protected planRead(entry: ZipEntry, into: Uint8Array | undefined, hasInflate: boolean): boolean {
    if (entry.flags & FLAG_ENCRYPTED) throw new ZipError("ENCRYPTED", `entry ${entryWhere(entry)} is encrypted; not supported`);
    if (into && into.length < entry.size) {
      throw new ZipError("SIZE_MISMATCH", `entry ${entryWhere(entry)} holds ${entry.size} bytes; the destination only ${into.length}`);
    }
    if (entry.method === METHOD_STORED) {
      if (entry.compressedSize !== entry.size) {
        throw new ZipError(
          "SIZE_MISMATCH",
          `stored entry ${entryWhere(entry)}: compressed size ${entry.compressedSize} differs from size ${entry.size}`,
        );
      }
      return false;
    }
    if (entry.method !== METHOD_DEFLATE) {
      throw new ZipError("UNSUPPORTED_METHOD", `entry ${entryWhere(entry)} uses compression method ${entry.method}; expected 0 (stored) or 8 (deflate)`);
    }
    if (!hasInflate) {
      throw new ZipError(
        "COMPRESSED",
        `entry ${entryWhere(entry)} is compressed (method 8, deflate); expected stored (method 0). Pass an inflate function to read it`,
      );
    }
    return true;
  }

  /** Validates a range read of a stored entry. */
  protected planRange(entry: ZipEntry, offset: number, length: number): void {
    this.planRead(entry, undefined, false);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > entry.size) {
      throw new ZipError("OUT_OF_BOUNDS", `range [${offset}, ${offset + length}) is outside entry ${entryWhere(entry)} of ${entry.size} bytes`);
    }
  }

  protected finishInflate(entry: ZipEntry, inflated: Uint8Array, into: Uint8Array | undefined): Uint8Array {
    if (inflated.length !== entry.size) {
      throw new ZipError("SIZE_MISMATCH", `entry ${entryWhere(entry)} inflated to ${inflated.length} bytes; the directory says ${entry.size}`);
    }
    if (!into) return inflated;
    const target = into.subarray(0, entry.size);
    target.set(inflated);
    return target;
  }

  protected checkCrc(entry: ZipEntry, data: Uint8Array, options: ZipReaderOptions<unknown>): void {
    if (!options.verifyCrc) return;
    const actual = (options.crc32 ?? jsCrc32)(data, 0) >>> 0;
    if (actual !== entry.crc32) {
      throw new ZipError("CRC_MISMATCH", `entry ${entryWhere(entry)}: CRC-32 is ${hex32(actual)}, the directory says ${hex32(entry.crc32)}`);
    }
  }
}

function inflateError(entry: ZipEntry, cause: unknown): ZipError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ZipError("BAD_DATA", `entry ${entryWhere(entry)}: inflate failed: ${detail}`, { cause });
}

/** Runs the directory parser against a synchronous source. */
function runSync(parser: DirectoryParser, source: ByteSource): ZipDirectory {
  let step = parser.next();
  while (!step.done) step = parser.next(source.read(step.value.offset, step.value.length));
  return step.value;
}

/** Runs the directory parser against any source. */
async function runAsync(parser: DirectoryParser, source: ByteSource | AsyncByteSource): Promise<ZipDirectory> {
  let step = parser.next();
  while (!step.done) step = parser.next(await source.read(step.value.offset, step.value.length));
  return step.value;
}

/**
 * Reads a zip archive from a synchronous ByteSource.
 *
 * ```ts
 * const zip = ZipReader.open(new NodeFileSource("model.pt"));
 * const pkl = zip.read("model/data.pkl");
 * zip.read("model/data/0", new Uint8Array(tensorMemory.buffer)); // straight into place
 * ```
 */
export class ZipReader extends ZipIndex {
  private constructor(
    directory: ZipDirectory,
    /** The source the archive is read from. */
    readonly source: ByteSource,
    private readonly options: ZipReaderOptions,
  ) {
    super(directory);
  }

  /** Parses the archive's directory (tail, central directory, local headers). */
  static open(source: ByteSource, options: ZipReaderOptions = {}): ZipReader {
    return new ZipReader(runSync(parseDirectory(source.size), source), source, options);
  }

  /** The whole (decompressed) data of an entry, into `into` when given (which must hold `entry.size` bytes). */
  read(entryOrName: ZipEntry | string, into?: Uint8Array): Uint8Array {
    const entry = this.resolve(entryOrName);
    const inflate = this.options.inflate;
    let data: Uint8Array;
    if (this.planRead(entry, into, inflate !== undefined) && inflate) {
      const compressed = this.source.read(entry.dataOffset, entry.compressedSize);
      let inflated: Uint8Array;
      try {
        inflated = inflate(compressed, entry.size);
      } catch (cause) {
        throw inflateError(entry, cause);
      }
      data = this.finishInflate(entry, inflated, into);
    } else {
      data = this.source.read(entry.dataOffset, entry.size, into);
    }
    this.checkCrc(entry, data, this.options);
    return data;
  }

  /** `length` bytes of a stored entry starting at `offset` within it (no CRC check). */
  readRange(entryOrName: ZipEntry | string, offset: number, length: number, into?: Uint8Array): Uint8Array {
    const entry = this.resolve(entryOrName);
    this.planRange(entry, offset, length);
    return this.source.read(entry.dataOffset + offset, length, into);
  }

  /** An entry decoded as UTF-8 text (`version` -> "3\n"). */
  readText(entryOrName: ZipEntry | string): string {
    return new TextDecoder().decode(this.read(entryOrName));
  }
}

/** Reads a zip archive from an asynchronous (or synchronous) source; same API, returning promises. */
export class AsyncZipReader extends ZipIndex {
  private constructor(
    directory: ZipDirectory,
    /** The source the archive is read from. */
    readonly source: ByteSource | AsyncByteSource,
    private readonly options: ZipReaderOptions<AsyncInflateFunction>,
  ) {
    super(directory);
  }

  /** Parses the archive's directory. */
  static async open(source: ByteSource | AsyncByteSource, options: ZipReaderOptions<AsyncInflateFunction> = {}): Promise<AsyncZipReader> {
    return new AsyncZipReader(await runAsync(parseDirectory(source.size), source), source, options);
  }

  /** Like `ZipReader.read`. */
  async read(entryOrName: ZipEntry | string, into?: Uint8Array): Promise<Uint8Array> {
    const entry = this.resolve(entryOrName);
    const inflate = this.options.inflate;
    let data: Uint8Array;
    if (this.planRead(entry, into, inflate !== undefined) && inflate) {
      const compressed = await this.source.read(entry.dataOffset, entry.compressedSize);
      let inflated: Uint8Array;
      try {
        inflated = await inflate(compressed, entry.size);
      } catch (cause) {
        throw inflateError(entry, cause);
      }
      data = this.finishInflate(entry, inflated, into);
    } else {
      data = await this.source.read(entry.dataOffset, entry.size, into);
    }
    this.checkCrc(entry, data, this.options);
    return data;
  }

  /** Like `ZipReader.readRange`. */
  async readRange(entryOrName: ZipEntry | string, offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const entry = this.resolve(entryOrName);
    this.planRange(entry, offset, length);
    return this.source.read(entry.dataOffset + offset, length, into);
  }

  /** Like `ZipReader.readText`. */
  async readText(entryOrName: ZipEntry | string): Promise<string> {
    return new TextDecoder().decode(await this.read(entryOrName));
  }
}
