/**
 * The unpickler's input: bytes in memory, or a ByteSource read through a window (legacy torch
 * files are a stream of pickles followed by raw storages; reading them never loads the whole file).
 * Every read checks the remaining length first, so hostile lengths fail before any allocation.
 */
import type { ByteSource } from "../../io/types.ts";
import { UnpicklingError } from "./errors.ts";

const WINDOW = 1 << 16;

/** A cursor over pickle bytes. Views it returns are valid until the next read. */
export class PickleInput {
  private buffer: Uint8Array;
  /** Absolute offset of `buffer[0]`. */
  private bufferStart: number;
  /** Index of the next byte in `buffer`. */
  private index: number;
  private readonly source: ByteSource | undefined;
  private readonly end: number;

  /**
   * @param input the bytes, or a source to read through a window
   * @param position absolute offset to start at
   */
  constructor(input: Uint8Array | ByteSource, position = 0) {
    if (input instanceof Uint8Array) {
      this.buffer = input;
      this.bufferStart = 0;
      this.source = undefined;
      this.end = input.length;
    } else {
      this.buffer = new Uint8Array(0);
      this.bufferStart = position;
      this.source = input;
      this.end = input.size;
    }
    if (!Number.isSafeInteger(position) || position < 0 || position > this.end) {
      throw new RangeError(`start position ${position} is outside the input (${this.end} bytes)`);
    }
    this.index = position - this.bufferStart;
  }

  /** Absolute offset of the next byte. */
  get position(): number {
    return this.bufferStart + this.index;
  }

  /** Bytes left in the input. */
  get remaining(): number {
    return this.end - this.position;
  }

  /** Throws TRUNCATED unless `n` more bytes exist; loads them into the window. */
  private need(n: number): void {
    if (this.buffer.length - this.index >= n) return;
    if (n > this.remaining) throw new UnpicklingError("TRUNCATED", "pickle data was truncated", this.position);
    const source = this.source;
    if (!source) throw new UnpicklingError("TRUNCATED", "pickle data was truncated", this.position);
    const start = this.position;
    const length = Math.min(Math.max(n, WINDOW), this.end - start);
    this.buffer = source.read(start, length);
    this.bufferStart = start;
    this.index = 0;
  }

  /** True when at least one more byte exists. */
  hasMore(): boolean {
    return this.remaining > 0;
  }

  /** One unsigned byte. */
  u8(): number {
    this.need(1);
    return this.buffer[this.index++];
  }

  /** Little-endian u16. */
  u16(): number {
    this.need(2);
    const b = this.buffer;
    const i = this.index;
    this.index += 2;
    return b[i] | (b[i + 1] << 8);
  }

  /** Little-endian u32. */
  u32(): number {
    return this.i32() >>> 0;
  }

  /** Little-endian i32. */
  i32(): number {
    this.need(4);
    const b = this.buffer;
    const i = this.index;
    this.index += 4;
    return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  }

  /** Little-endian u64 as a number; values above 2^53 come back as Infinity (callers treat them as too large). */
  u64(): number {
    const low = this.u32();
    const high = this.u32();
    return high >= 0x200000 ? Infinity : high * 0x100000000 + low;
  }

  /** Big-endian float64. */
  f64be(): number {
    const bytes = this.bytes(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, false);
  }

  /** A view of the next `n` bytes (copy it to keep it). `n` may be Infinity (always truncated). */
  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw new UnpicklingError("TRUNCATED", "pickle data was truncated", this.position);
    this.need(n);
    const view = this.buffer.subarray(this.index, this.index + n);
    this.index += n;
    return view;
  }

  /**
   * The next `n` bytes as a string when they are all ASCII and `n` is small (consumed); otherwise
   * undefined and nothing is consumed. Saves an allocation per short string, the common case.
   */
  asciiString(n: number): string | undefined {
    if (n > 64) return undefined;
    this.need(n);
    const b = this.buffer;
    const start = this.index;
    let text = "";
    for (let i = start; i < start + n; i++) {
      const c = b[i];
      if (c >= 0x80) return undefined;
      text += String.fromCharCode(c);
    }
    this.index = start + n;
    return text;
  }

  /** The bytes up to the next "\n" (excluded, consumed). */
  line(): Uint8Array {
    for (;;) {
      const found = this.buffer.indexOf(0x0a, this.index);
      if (found >= 0) {
        const view = this.buffer.subarray(this.index, found);
        this.index = found + 1;
        return view;
      }
      const available = this.buffer.length - this.index;
      if (available >= this.remaining) throw new UnpicklingError("TRUNCATED", "pickle data was truncated", this.position);
      this.need(Math.min(available * 2 + WINDOW, this.remaining));
    }
  }
}
