/**
 * Streaming zip writers: `ZipWriter` for synchronous sinks (memory, Node files) and
 * `AsyncZipWriter` for sinks that may write asynchronously. Entries are written whole (`add`) or
 * in chunks of a declared total size (`begin` ... `write` ... `end`, for multi-GB storages), the
 * CRC-32 computed on the fly. The layout is PyTorch's (see encoder.ts). Nothing is buffered beyond
 * the central directory: entry bytes go straight to the sink.
 */
import type { AsyncByteSink, ByteSink } from "../../io/types.ts";
import { type WrittenEntry, ZipEncoder, type ZipWriterOptions } from "./encoder.ts";

export type { WrittenEntry, ZipWriterOptions } from "./encoder.ts";

const textEncoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? textEncoder.encode(data) : data;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An entry being written in chunks (from `ZipWriter.begin`). */
export interface ZipEntryWriter {
  /** Appends a chunk of the entry's data. */
  write(chunk: Uint8Array): void;
  /** Ends the entry; the chunks must add up to the declared size. */
  end(): WrittenEntry;
}

/** An entry being written in chunks (from `AsyncZipWriter.begin`). */
export interface AsyncZipEntryWriter {
  /** Appends a chunk of the entry's data. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the entry; the chunks must add up to the declared size. */
  end(): Promise<WrittenEntry>;
}

/**
 * Writes a zip archive to a synchronous sink.
 *
 * ```ts
 * const zip = new ZipWriter(new NodeFileSink("model.pt"));
 * zip.add("model/data.pkl", pickleBytes);
 * const entry = zip.begin("model/data/0", storage.byteLength);
 * for (const chunk of chunks) entry.write(chunk);
 * entry.end();
 * zip.finish();
 * ```
 */
export class ZipWriter {
  private readonly encoder: ZipEncoder;

  /**
   * @param sink where the bytes go (not closed by `finish`)
   * @param options alignment, zip64 threshold, CRC function
   */
  constructor(
    private readonly sink: ByteSink,
    options: ZipWriterOptions = {},
  ) {
    this.encoder = new ZipEncoder(options);
  }

  /** Bytes written so far. */
  get position(): number {
    return this.encoder.position;
  }

  private emit(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    try {
      this.sink.write(bytes);
    } catch (error) {
      this.encoder.fail(describe(error));
      throw error;
    }
  }

  /** Writes a whole entry (a string is written as UTF-8). */
  add(name: string, data: Uint8Array | string): WrittenEntry {
    const bytes = toBytes(data);
    const entry = this.begin(name, bytes.length);
    entry.write(bytes);
    return entry.end();
  }

  /** Starts an entry of exactly `size` bytes to be written in chunks. */
  begin(name: string, size: number): ZipEntryWriter {
    this.emit(this.encoder.begin(name, size));
    return {
      write: (chunk) => {
        this.encoder.update(chunk);
        this.emit(chunk);
      },
      end: () => {
        const { descriptor, entry } = this.encoder.end();
        this.emit(descriptor);
        return entry;
      },
    };
  }

  /** Writes the central directory and end records. The sink stays open. */
  finish(): void {
    this.emit(this.encoder.finish());
  }
}

/** Writes a zip archive to a sink that may be asynchronous; same API as ZipWriter, returning promises. */
export class AsyncZipWriter {
  private readonly encoder: ZipEncoder;

  /**
   * @param sink where the bytes go (not closed by `finish`)
   * @param options alignment, zip64 threshold, CRC function
   */
  constructor(
    private readonly sink: AsyncByteSink,
    options: ZipWriterOptions = {},
  ) {
    this.encoder = new ZipEncoder(options);
  }

  /** Bytes written so far. */
  get position(): number {
    return this.encoder.position;
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    try {
      await this.sink.write(bytes);
    } catch (error) {
      this.encoder.fail(describe(error));
      throw error;
    }
  }

  /** Writes a whole entry (a string is written as UTF-8). */
  async add(name: string, data: Uint8Array | string): Promise<WrittenEntry> {
    const bytes = toBytes(data);
    const entry = await this.begin(name, bytes.length);
    await entry.write(bytes);
    return entry.end();
  }

  /** Starts an entry of exactly `size` bytes to be written in chunks. */
  async begin(name: string, size: number): Promise<AsyncZipEntryWriter> {
    await this.emit(this.encoder.begin(name, size));
    return {
      write: async (chunk) => {
        this.encoder.update(chunk);
        await this.emit(chunk);
      },
      end: async () => {
        const { descriptor, entry } = this.encoder.end();
        await this.emit(descriptor);
        return entry;
      },
    };
  }

  /** Writes the central directory and end records. The sink stays open. */
  async finish(): Promise<void> {
    await this.emit(this.encoder.finish());
  }
}
