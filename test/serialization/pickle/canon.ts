/**
 * The TS side of test/scripts/pickle_canon.py: a canonical JSON form of unpickled values, so tests
 * can compare what tsorch builds with what CPython builds, type for type.
 */
import {
  FrozenSet,
  PyByteArray,
  PyComplex,
  PyFloat,
  PyGlobal,
  PyObject,
  Tuple,
  floatRepr,
  isOrderedDict,
  isPlainObject,
  pyAttributes,
} from "../../../src/python/index.ts";
import { toHex } from "../../scripts/python.ts";

/** A persistent id as the test persistentLoad returns it. */
export class Pid {
  constructor(readonly pid: unknown) {}
}

/** Canonical JSON-able form (see pickle_canon.py). */
export function canon(value: unknown, active: Set<object> = new Set()): unknown {
  if (value === null) return ["none"];
  if (typeof value === "boolean") return ["bool", value];
  if (typeof value === "bigint") return ["int", value.toString()];
  if (typeof value === "number") {
    return Number.isInteger(value) && !Object.is(value, -0) ? ["int", BigInt(value).toString()] : ["float", floatRepr(value)];
  }
  if (typeof value === "string") return ["str", value];
  if (typeof value !== "object") throw new TypeError(`cannot canonicalize ${typeof value}`);
  if (active.has(value)) return ["cycle"];
  const inner = new Set(active).add(value);
  const c = (v: unknown) => canon(v, inner);
  if (value instanceof PyFloat) return ["float", floatRepr(value.value)];
  if (value instanceof PyByteArray) return ["bytearray", toHex(value)];
  if (value instanceof Uint8Array) return ["bytes", toHex(value)];
  if (value instanceof PyComplex) return ["complex", floatRepr(value.real), floatRepr(value.imag)];
  if (value instanceof Tuple) return ["tuple", value.map(c)];
  if (Array.isArray(value)) return ["list", value.map(c)];
  if (value instanceof Map || isPlainObject(value)) {
    const entries: Array<[unknown, unknown]> = value instanceof Map ? [...value] : Object.entries(value);
    const items = entries.map(([k, v]) => [c(k), c(v)]);
    if (isOrderedDict(value)) return ["odict", items, pyAttributes(value).map(([k, v]) => [k, c(v)])];
    return ["dict", items, []];
  }
  if (value instanceof Set) {
    const kind = value instanceof FrozenSet ? "frozenset" : "set";
    return [kind, [...value].map((v) => pyJson(c(v))).sort()];
  }
  if (value instanceof Pid) return ["pid", c(value.pid)];
  if (value instanceof PyGlobal) return ["global", value.qualifiedName];
  if (value instanceof PyObject) {
    return ["obj", value.qualifiedName, value.creation, c(value.args), value.state === undefined ? null : c(value.state)];
  }
  throw new TypeError(`cannot canonicalize ${value.constructor?.name}`);
}

/** JSON text as Python's json.dumps writes it (", " and ": " separators, ASCII escapes), for sorting set items alike. */
export function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  if (value === null) return "null";
  return JSON.stringify(value);
}
