/** In-memory byte source and sink. */
import { type ByteSink, type ByteSource, checkReadRange } from "./types.ts";

/** A ByteSource over a Uint8Array. Reads without `into` return views of it (no copy). */
export class MemorySource implements ByteSource {
  /** @param bytes the data; not copied */
  constructor(readonly bytes: Uint8Array) {}

  /** The length of the array. */
  get size(): number {
    return this.bytes.length;
  }

  /** A view of `[offset, offset + length)`, or a copy into `into`. */
  read(offset: number, length: number, into?: Uint8Array): Uint8Array {
    checkReadRange(this.bytes.length, offset, length, into);
    const view = this.bytes.subarray(offset, offset + length);
    if (!into) return view;
    const target = into.length === length ? into : into.subarray(0, length);
    target.set(view);
    return target;
  }
}

/** A ByteSink that collects everything in memory: `sink.bytes()` returns what was written. */
export class MemorySink implements ByteSink {
  private buffer: Uint8Array;
  private length = 0;

  /** @param initialCapacity bytes to reserve up front */
  constructor(initialCapacity = 1 << 16) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  /** Appends a copy of `bytes`. */
  write(bytes: Uint8Array): void {
    const needed = this.length + bytes.length;
    if (needed > this.buffer.length) {
      let capacity = this.buffer.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length = needed;
  }

  /** A view of the bytes written so far (valid until the next write). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** A copy of the bytes written so far, trimmed to size. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
