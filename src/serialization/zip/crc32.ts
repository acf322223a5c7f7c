/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zip stores it. Slicing-by-8: eight
 * 256-entry tables let the main loop consume 8 bytes per iteration with plain array lookups.
 */

const TABLES: Int32Array = (() => {
  const tables = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n];
    for (let t = 1; t < 8; t++) {
      c = tables[c & 0xff] ^ (c >>> 8);
      tables[t * 256 + n] = c;
    }
  }
  return tables;
})();

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The CRC-32 of `data`, continuing from `previous` (the CRC of the bytes before it; 0 to start):
 * `crc32(b, crc32(a)) === crc32(concat(a, b))`. Returns an unsigned 32-bit number.
 */
export function crc32(data: Uint8Array, previous = 0): number {
  const t = TABLES;
  let c = ~previous | 0;
  let i = 0;
  const n = data.length;
  if (LITTLE_ENDIAN && n >= 64) {
    // Align to 4 bytes, then read two 32-bit words per step through an Int32Array view.
    const head = (4 - (data.byteOffset & 3)) & 3;
    while (i < head) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
    const pairs = (n - i) >>> 3;
    const words = new Int32Array(data.buffer, data.byteOffset + i, pairs * 2);
    for (let k = 0; k < words.length; k += 2) {
      const a = c ^ words[k];
      const b = words[k + 1];
      c =
        t[1792 + (a & 0xff)] ^
        t[1536 + ((a >>> 8) & 0xff)] ^
        t[1280 + ((a >>> 16) & 0xff)] ^
        t[1024 + (a >>> 24)] ^
        t[768 + (b & 0xff)] ^
        t[512 + ((b >>> 8) & 0xff)] ^
        t[256 + ((b >>> 16) & 0xff)] ^
        t[b >>> 24];
    }
    i += pairs * 8;
  } else {
    const end8 = n - (n & 7);
    while (i < end8) {
      const a = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      c =
        t[1792 + (a & 0xff)] ^
        t[1536 + ((a >>> 8) & 0xff)] ^
        t[1280 + ((a >>> 16) & 0xff)] ^
        t[1024 + (a >>> 24)] ^
        t[768 + data[i + 4]] ^
        t[512 + data[i + 5]] ^
        t[256 + data[i + 6]] ^
        t[data[i + 7]];
      i += 8;
    }
  }
  while (i < n) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** A running CRC-32 over chunks: `update` each chunk, then read `value`. */
export class Crc32 {
  private state = 0;

  /** Adds `data` to the checksum. */
  update(data: Uint8Array): this {
    this.state = crc32(data, this.state);
    return this;
  }

  /** The CRC-32 of everything added so far (unsigned). */
  get value(): number {
    return this.state;
  }
}
