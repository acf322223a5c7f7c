/**
 * Python's `repr()` for the JS forms of Python values (see README.md), as CPython 3.11 prints them:
 * `{'lr': 0.001, 'betas': (0.9, 0.999), 'params': [0, 1]}`, `OrderedDict([('a', 1)])`, `1e-08`.
 */
import { PyByteArray } from "./bytes.ts";
import { PyComplex } from "./complex.ts";
import { isOrderedDict, isPlainObject } from "./dict.ts";
import { PyFloat } from "./float.ts";
import { PyGlobal } from "./global.ts";
import { PyObject } from "./object.ts";
import { FrozenSet } from "./set.ts";
import { Tuple } from "./tuple.ts";

/**
 * Objects with a method under this symbol print themselves: `[pyReprSymbol](repr)` returns the
 * text, calling `repr` for nested values (tensors print `tensor([1., 2.])` this way).
 */
export const pyReprSymbol: unique symbol = Symbol.for("tsorch.pyRepr");

/** An object that prints itself through `pyRepr`. */
export interface PyReprable {
  [pyReprSymbol](repr: (value: unknown) => string): string;
}

const MAX_DEPTH = 1000;

/** Python's `repr(value)`: `pyRepr(new Map([[0, tuple(1.5)]]))` is `'{0: (1.5,)}'`. */
export function pyRepr(value: unknown): string {
  const active = new Set<object>();
  const repr = (v: unknown): string => {
    if (typeof v !== "object" || v === null) return scalarRepr(v);
    if (active.has(v)) return recursionMarker(v);
    if (active.size >= MAX_DEPTH) throw new RangeError(`pyRepr: nesting deeper than ${MAX_DEPTH} levels`);
    active.add(v);
    try {
      return objectRepr(v, repr);
    } finally {
      active.delete(v);
    }
  };
  return repr(value);
}

function scalarRepr(value: unknown): string {
  switch (typeof value) {
    case "boolean":
      return value ? "True" : "False";
    case "number":
      return Number.isInteger(value) && !Object.is(value, -0) ? intRepr(value) : floatRepr(value);
    case "bigint":
      return value.toString();
    case "string":
      return strRepr(value);
    case "undefined":
      return "<undefined>";
    case "function":
      return `<function ${value.name || "<anonymous>"}>`;
    case "symbol":
      return `<${value.toString()}>`;
    default:
      return value === null ? "None" : String(value);
  }
}

function recursionMarker(value: object): string {
  if (Array.isArray(value) && !(value instanceof Tuple)) return "[...]";
  if ((value instanceof Map || isPlainObject(value)) && !isOrderedDict(value)) return "{...}";
  return "...";
}

function objectRepr(value: object, repr: (v: unknown) => string): string {
  if (hasOwnRepr(value)) return value[pyReprSymbol](repr);
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (value instanceof Tuple) {
    if (value.length === 1) return `(${repr(value[0])},)`;
    return `(${value.map(repr).join(", ")})`;
  }
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`;
  if (value instanceof PyByteArray) return `bytearray(${bytesRepr(value)})`;
  if (value instanceof Uint8Array) return bytesRepr(value);
  if (value instanceof Map || isPlainObject(value)) {
    const entries: Array<[unknown, unknown]> = value instanceof Map ? [...value] : Object.entries(value);
    if (isOrderedDict(value)) {
      if (entries.length === 0) return "OrderedDict()";
      return `OrderedDict([${entries.map(([k, v]) => `(${repr(k)}, ${repr(v)})`).join(", ")}])`;
    }
    return `{${entries.map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;
  }
  if (value instanceof FrozenSet) return value.size === 0 ? "frozenset()" : `frozenset({${[...value].map(repr).join(", ")}})`;
  if (value instanceof Set) return value.size === 0 ? "set()" : `{${[...value].map(repr).join(", ")}}`;
  if (value instanceof PyComplex) return complexRepr(value);
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof PyObject) {
    const call = value.creation === "newobj" ? `${value.qualifiedName}.__new__` : value.qualifiedName;
    const args = value.args.map(repr);
    if (value.kwargs) args.push(`**${repr(value.kwargs)}`);
    const state = value.state === undefined ? "" : `, state=${repr(value.state)}`;
    return `<${call}(${args.join(", ")})${state}>`;
  }
  const name = value.constructor?.name ?? "Object";
  return `<${name}>`;
}

function hasOwnRepr(value: object): value is PyReprable {
  return typeof (value as Partial<PyReprable>)[pyReprSymbol] === "function";
}

/** Python's repr of an int given as a JS number (exact digits even beyond 2^53). */
export function intRepr(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/**
 * Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents -4..15,
 * else `d.ddde+XX` (two exponent digits at least): `1e-08`, `0.0001`, `1e+16`, `1.0`, `-0.0`, `inf`, `nan`.
 */
export function floatRepr(value: number): string {
  return formatFloat(value, true);
}

function formatFloat(value: number, addDotZero: boolean): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? (addDotZero ? "-0.0" : "-0") : addDotZero ? "0.0" : "0";
  const sign = value < 0 ? "-" : "";
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intDigits = digits.length > exponent + 1 ? digits.slice(0, exponent + 1) : digits.padEnd(exponent + 1, "0");
  const fracDigits = digits.slice(exponent + 1);
  if (fracDigits) return `${sign}${intDigits}.${fracDigits}`;
  return addDotZero ? `${sign}${intDigits}.0` : `${sign}${intDigits}`;
}

/** Python's `repr(complex)`: `(1+2j)`, `2j`, `(-0+2j)`, `(1-0j)`. */
export function complexRepr(value: PyComplex): string {
  const { real, imag } = value;
  const imagText = formatFloat(imag, false);
  if (real === 0 && !Object.is(real, -0)) return `${imagText}j`;
  const imagSigned = imagText.startsWith("-") ? imagText : `+${imagText}`;
  return `(${formatFloat(real, false)}${imagSigned}j)`;
}

const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Python's `repr(str)`: single quotes unless the text has `'` and no `"`; escapes like CPython. */
export function strRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f) out += ch;
    else if (!NON_PRINTABLE.test(ch)) out += ch;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

/** Python's `repr(bytes)`: `b'ab\x00'`, double quotes when the bytes hold `'` and no `"`. */
export function bytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? 0x22 : 0x27;
  const parts: string[] = ["b", String.fromCharCode(quote)];
  for (const c of bytes) {
    if (c === quote || c === 0x5c) parts.push(`\\${String.fromCharCode(c)}`);
    else if (c === 0x09) parts.push("\\t");
    else if (c === 0x0a) parts.push("\\n");
    else if (c === 0x0d) parts.push("\\r");
    else if (c < 0x20 || c >= 0x7f) parts.push(`\\x${hex(c, 2)}`);
    else parts.push(String.fromCharCode(c));
  }
  parts.push(String.fromCharCode(quote));
  return parts.join("");
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}
