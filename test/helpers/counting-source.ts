/** A ByteSource that counts and records what is read through it (for "reads no tensor data" tests). */
import { MemorySource } from "../../src/io/memory.ts";
import type { ByteSource } from "../../src/io/types.ts";

/** Wraps a source (or bytes) and records every read as a [begin, end) range. */
export class CountingSource implements ByteSource {
  /** Total bytes read. */
  bytesRead = 0;
  /** Number of reads. */
  reads = 0;
  /** Every range read, in order. */
  readonly ranges: [number, number][] = [];
  private readonly inner: ByteSource;

  constructor(inner: ByteSource | Uint8Array) {
    this.inner = inner instanceof Uint8Array ? new MemorySource(inner) : inner;
  }

  get size(): number {
    return this.inner.size;
  }

  read(offset: number, length: number, into?: Uint8Array): Uint8Array {
    this.bytesRead += length;
    this.reads++;
    this.ranges.push([offset, offset + length]);
    return this.inner.read(offset, length, into);
  }
}
