/**
 * Byte sources and sinks: the only way the serialization layers touch storage. Sources are
 * random-access (read by offset, never whole files); sinks are append-only.
 */

/** Random-access bytes, read synchronously (in-memory arrays, Node files). */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads exactly `length` bytes starting at `offset`. With `into`, fills `into[0..length)` and
   * returns that view (so a caller can read straight into tensor memory); without it, returns new
   * bytes or, for in-memory sources, a view of the source's memory (do not write to it).
   * Throws a RangeError when the range is not inside `[0, size]`.
   */
  read(offset: number, length: number, into?: Uint8Array): Uint8Array;
}

/** Random-access bytes, read asynchronously (Blobs, HTTP range requests). Same contract as ByteSource. */
export interface AsyncByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Like `ByteSource.read`, resolved asynchronously. */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
}

/** An append-only destination for bytes, written synchronously. It must not keep `bytes` (the caller may reuse it). */
export interface ByteSink {
  /** Appends `bytes`. */
  write(bytes: Uint8Array): void;
}

/** An append-only destination that may write asynchronously (streams, browser file handles). */
export interface AsyncByteSink {
  /** Appends `bytes`; the caller awaits the result before reusing `bytes`. */
  write(bytes: Uint8Array): void | Promise<void>;
}

/** Throws the RangeError that sources use for reads outside `[0, size]`. */
export function checkReadRange(size: number, offset: number, length: number, into?: Uint8Array): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`read(${offset}, ${length}): offset and length must be non-negative integers`);
  }
  if (offset + length > size) {
    throw new RangeError(`read(${offset}, ${length}) ends at ${offset + length}, past the end of the source (${size} bytes)`);
  }
  if (into && into.length < length) {
    throw new RangeError(`read(${offset}, ${length}): destination holds only ${into.length} bytes`);
  }
}
