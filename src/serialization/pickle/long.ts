/** Python ints in pickles: LONG1/LONG4 two's-complement bytes, and the number-or-bigint rule. */

/** A Python int as JS holds it: a number when it is a safe integer, else a bigint. */
export function pyIntFromBigInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Decodes little-endian two's-complement bytes (pickle's `decode_long`); empty bytes are 0. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  const n = bytes.length;
  if (n === 0) return 0;
  if (n <= 6) {
    let value = 0;
    for (let i = n - 1; i >= 0; i--) value = value * 256 + bytes[i];
    if (bytes[n - 1] & 0x80) value -= 2 ** (8 * n);
    return value;
  }
  let hex = "";
  for (let i = n - 1; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, "0");
  let value = BigInt(`0x${hex}`);
  if (bytes[n - 1] & 0x80) value -= 1n << BigInt(8 * n);
  return pyIntFromBigInt(value);
}

/** Encodes an int as pickle's `encode_long`: the fewest little-endian two's-complement bytes; 0 is empty. */
export function encodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  // Bytes needed so that the sign bit is right: (bit_length >> 3) + 1, then trimmed as CPython does.
  const magnitude = value < 0n ? -value : value;
  let nbytes = (magnitude.toString(2).length >> 3) + 1;
  let twos = value < 0n ? (1n << BigInt(8 * nbytes)) + value : value;
  const out = new Uint8Array(nbytes);
  for (let i = 0; i < nbytes; i++) {
    out[i] = Number(twos & 0xffn);
    twos >>= 8n;
  }
  if (value < 0n && nbytes > 1 && out[nbytes - 1] === 0xff && (out[nbytes - 2] & 0x80) !== 0) nbytes -= 1;
  return out.subarray(0, nbytes);
}
