/**
 * Python `bytearray`: a mutable byte string. A Uint8Array subclass; a plain `Uint8Array` (or a
 * Node `Buffer`) is Python `bytes`.
 */
export class PyByteArray extends Uint8Array {}

/** True for Python `bytes`: a Uint8Array that is not a PyByteArray. */
export function isPyBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && !(value instanceof PyByteArray);
}
