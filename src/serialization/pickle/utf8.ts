/**
 * UTF-8 with Python's "surrogatepass" error handler, which pickle uses for `str`: lone surrogates
 * (legal in both Python and JS strings) are encoded as their 3-byte forms instead of being replaced.
 */

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
const SURROGATE = /[\uD800-\uDFFF]/;

/** Decodes UTF-8 (surrogatepass); returns undefined when the bytes are not valid. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (bytes.length <= 32) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return decodeWithSurrogates(bytes);
  }
}

function decodeWithSurrogates(bytes: Uint8Array): string | undefined {
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i += 1;
      continue;
    }
    const need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 ? 1 : -1;
    if (need < 0 || b > 0xf4 || i + need >= bytes.length) return undefined;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return undefined;
      code = (code << 6) | (c & 0x3f);
    }
    const minimum = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
    if (code < minimum || code > 0x10ffff) return undefined;
    if (code >= 0x10000) {
      code -= 0x10000;
      units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
    } else {
      units.push(code);
    }
    i += need + 1;
  }
  let out = "";
  for (let j = 0; j < units.length; j += 8192) out += String.fromCharCode(...units.slice(j, j + 8192));
  return out;
}

/** Encodes a JS string as UTF-8 (surrogatepass: lone surrogates become 3-byte sequences). */
export function encodeUtf8(text: string): Uint8Array {
  if (!SURROGATE.test(text)) return encoder.encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}
