/** Raw-deflate decompression on Node, for the zip reader's `inflate` option (TorchScript `code/` records). */
import { inflateRawSync } from "node:zlib";

/** Inflates raw deflate data (zip method 8) with node:zlib. */
export function nodeInflateRaw(compressed: Uint8Array, uncompressedSize: number): Uint8Array {
  const out = inflateRawSync(compressed, { maxOutputLength: Math.max(uncompressedSize, 1) });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
