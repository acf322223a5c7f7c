/** Parsers for the text arguments of protocol-0 opcodes (INT, LONG, FLOAT, STRING, UNICODE, GET, PUT). */
import { UnpicklingError } from "./errors.ts";
import { pyIntFromBigInt } from "./long.ts";

/** Python's default limit on decimal digits in int(str) (sys.int_info.default_max_str_digits). */
export const MAX_DECIMAL_DIGITS = 4300;

function bad(message: string): UnpicklingError {
  return new UnpicklingError("BAD_VALUE", message);
}

/** Latin-1 text of bytes (every byte one char). */
export function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

const INT_TEXT = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0(?:_?0)*)$/;

/** Parses an int as Python's `int(text, 0)` (INT and LONG opcodes); number when safe, else bigint. */
export function parseIntText(text: string): number | bigint {
  const trimmed = text.trim();
  if (!INT_TEXT.test(trimmed)) throw bad(`invalid literal for int() with base 0: '${trimmed.slice(0, 40)}'`);
  const negative = trimmed.startsWith("-");
  let body = trimmed.replace(/^[+-]/, "").replace(/_/g, "");
  const decimal = !/^0[xXoObB]/.test(body);
  if (decimal && body.length > MAX_DECIMAL_DIGITS) {
    throw new UnpicklingError("TOO_LARGE", `Exceeds the limit (${MAX_DECIMAL_DIGITS} digits) for integer string conversion`);
  }
  if (!decimal) body = `0${body[1].toLowerCase()}${body.slice(2)}`;
  const magnitude = BigInt(body);
  return pyIntFromBigInt(negative ? -magnitude : magnitude);
}

const FLOAT_TEXT = /^[+-]?(?:(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/** Parses a float as Python's `float(text)` (FLOAT opcode): `1.5`, `1e-08`, `inf`, `-nan`. */
export function parseFloatText(text: string): number {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, "");
  const sign = lower.startsWith("-") ? -1 : 1;
  if (unsigned === "inf" || unsigned === "infinity") return sign * Infinity;
  if (unsigned === "nan") return NaN;
  if (!FLOAT_TEXT.test(trimmed) || !/\d/.test(trimmed.replace(/[eE].*$/, ""))) {
    throw bad(`could not convert string to float: '${trimmed.slice(0, 40)}'`);
  }
  return Number(trimmed.replace(/_/g, ""));
}

/** Parses the decimal memo index of GET/PUT. */
export function parseMemoIndex(text: string, opcode: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d{1,15}$/.test(trimmed)) throw bad(`invalid ${opcode} argument '${trimmed.slice(0, 40)}'`);
  const value = Number(trimmed);
  if (value < 0) throw bad(`negative ${opcode} argument`);
  return value;
}

/**
 * Python's `codecs.escape_decode` (the STRING opcode's quoted body): `\\n`, `\\x41`, `\\101`, ...
 * Unknown escapes stay as they are.
 */
export function escapeDecode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    if (i + 1 >= bytes.length) throw bad("Trailing \\ in string");
    const e = bytes[++i];
    const simple: Record<number, number> = { 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x61: 7, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11 };
    if (e in simple) out[n++] = simple[e];
    else if (e === 0x0a) continue;
    else if (e >= 0x30 && e <= 0x37) {
      let value = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < bytes.length && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x37; k++) {
        value = value * 8 + (bytes[++i] - 0x30);
      }
      out[n++] = value & 0xff;
    } else if (e === 0x78) {
      const hex = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw bad(`invalid \\x escape at position ${i - 1}`);
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = 0x5c;
      out[n++] = e;
    }
  }
  return out.slice(0, n);
}

/** Python's `raw-unicode-escape` decoding (the UNICODE opcode): latin-1 plus `\\uXXXX` and `\\UXXXXXXXX`. */
export function rawUnicodeEscapeDecode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x5c) {
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) break;
    const e = bytes[i + 1];
    if (e !== 0x75 && e !== 0x55) {
      i += 2; // "\\x" stays as it is; the second byte cannot start an escape
      continue;
    }
    const count = e === 0x75 ? 4 : 8;
    const hex = latin1(bytes.subarray(i + 2, i + 2 + count));
    if (hex.length < count || !/^[0-9a-fA-F]+$/.test(hex)) {
      throw bad(`truncated \\${count === 4 ? "uXXXX" : "UXXXXXXXX"} escape`);
    }
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw bad("\\Uxxxxxxxx out of range");
    parts.push(latin1(bytes.subarray(start, i)), String.fromCodePoint(code));
    i += 2 + count;
    start = i;
  }
  parts.push(latin1(bytes.subarray(start)));
  return parts.join("");
}
