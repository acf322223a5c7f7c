/** Node.js file source and sink: positioned reads and appending writes, never whole-file reads. */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { type ByteSink, type ByteSource, checkReadRange } from "./types.ts";

/** A ByteSource over a file, read with `fs.readSync` at offsets. Call `close()` when done. */
export class NodeFileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;

  /** Opens `path` for reading. */
  constructor(readonly path: string) {
    this.fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  /** Reads `[offset, offset + length)` into `into` or a new array. */
  read(offset: number, length: number, into?: Uint8Array): Uint8Array {
    if (this.fd === undefined) throw new Error(`NodeFileSource: ${this.path} is closed`);
    checkReadRange(this.size, offset, length, into);
    const target = into ? into.subarray(0, length) : new Uint8Array(length);
    let done = 0;
    while (done < length) {
      // readSync takes at most 2 GiB per call.
      const chunk = Math.min(length - done, 0x40000000);
      const n = readSync(this.fd, target, done, chunk, offset + done);
      if (n === 0) throw new RangeError(`${this.path}: unexpected end of file at ${offset + done} (file shrank?)`);
      done += n;
    }
    return target;
  }

  /** Closes the file descriptor (idempotent). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A ByteSink writing to a file (created or truncated). Call `close()` when done. */
export class NodeFileSink implements ByteSink {
  private fd: number | undefined;
  private written = 0;

  /** Opens `path` for writing, truncating it. */
  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  /** Bytes written so far. */
  get size(): number {
    return this.written;
  }

  /** Appends `bytes` (synchronously; `bytes` is not kept). */
  write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`NodeFileSink: ${this.path} is closed`);
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(this.fd, bytes, done, Math.min(bytes.length - done, 0x40000000));
    }
    this.written += bytes.length;
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
