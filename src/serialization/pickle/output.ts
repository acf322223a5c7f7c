/** A growable byte buffer for the pickler (amortized doubling; one copy at the end). */
export class PickleOutput {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(n: number): void {
    const needed = this.length + n;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  /** One byte. */
  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** An opcode byte followed by a one-byte argument. */
  op1(code: number, value: number): void {
    this.reserve(2);
    this.buffer[this.length++] = code;
    this.buffer[this.length++] = value;
  }

  /** Little-endian u16. */
  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  /** Little-endian i32 or u32 (written from the low 32 bits). */
  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value >>> 0, true);
    this.length += 4;
  }

  /** Little-endian u64. */
  u64(value: number): void {
    this.u32(value % 0x100000000);
    this.u32(Math.floor(value / 0x100000000));
  }

  /** Big-endian float64. */
  f64be(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
  }

  /** Raw bytes. */
  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** ASCII text (for GLOBAL names the caller has validated). */
  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buffer[this.length++] = text.charCodeAt(i);
  }

  /** The bytes written, trimmed. */
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
