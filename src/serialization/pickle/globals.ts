/**
 * How the unpickler turns GLOBAL names into behaviour: only through handlers that a table names.
 * Nothing is imported or evaluated; a name that no table lists is an error, and the modules
 * `sys`, `os`, `posix` and `nt` are refused even when a table lists them (as PyTorch does).
 */
import { PyByteArray } from "../../python/bytes.ts";
import { PyComplex } from "../../python/complex.ts";
import { type PyDict, dictEntries, isDict } from "../../python/dict.ts";
import { PyFloat } from "../../python/float.ts";
import type { PyGlobal } from "../../python/global.ts";
import { PyObject } from "../../python/object.ts";
import { FrozenSet } from "../../python/set.ts";
import { type Tuple } from "../../python/tuple.ts";
import { pyTypeName } from "../../python/types.ts";
import { DictBuilder } from "./dict-builder.ts";
import { UnpicklingError } from "./errors.ts";
import { encodeUtf8 } from "./utf8.ts";

/**
 * What an allowlisted global does. Every member is optional: an opcode that needs a missing one
 * is refused with an error naming the global.
 */
export interface GlobalHandler {
  /** What GLOBAL pushes (e.g. a dtype object for `torch.float32`); default: a `PyGlobal`. */
  readonly value?: unknown;
  /** REDUCE, INST, OBJ: the result of `global(*args)`. */
  call?(args: Tuple<unknown>, global: PyGlobal): unknown;
  /** NEWOBJ, NEWOBJ_EX: the result of `cls.__new__(cls, *args, **kwargs)`. */
  construct?(args: Tuple<unknown>, kwargs: PyDict | undefined, global: PyGlobal): unknown;
  /** BUILD on an object that `call`/`construct` returned: `obj.__setstate__(state)`. */
  setState?(object: unknown, state: unknown): void;
}

/** Looks up a handler by module and name; undefined means "not allowed". */
export type GlobalResolver = (module: string, name: string) => GlobalHandler | undefined;

/** A table of handlers keyed `module.name`, or a resolver function. */
export type GlobalTable = GlobalResolver | Readonly<Record<string, GlobalHandler>>;

/** Modules refused whatever the tables say (PyTorch's `_blocklisted_modules`), with their submodules. */
export const BLOCKED_MODULES: readonly string[] = ["sys", "os", "posix", "nt"];

/** True when `module` is one of BLOCKED_MODULES or inside one (`os.path`). */
export function isBlockedModule(module: string): boolean {
  return BLOCKED_MODULES.some((blocked) => module === blocked || module.startsWith(`${blocked}.`));
}

/** Python 2 module names that protocols 0-2 use (pickle's `fix_imports`). */
export const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: "builtins", copy_reg: "copyreg" };

/** Turns a table into a resolver (own keys only: `constructor` or `__proto__` never match). */
export function toResolver(table: GlobalTable): GlobalResolver {
  if (typeof table === "function") return table;
  const map = new Map(Object.entries(table));
  return (module, name) => map.get(`${module}.${name}`);
}

/** A resolver that asks each table in turn. */
export function combineGlobals(...tables: GlobalTable[]): GlobalResolver {
  const resolvers = tables.map(toResolver);
  return (module, name) => {
    for (const resolve of resolvers) {
      const handler = resolve(module, name);
      if (handler) return handler;
    }
    return undefined;
  };
}

/**
 * A handler for classes to keep as opaque `PyObject`s: allow `argparse.Namespace` with
 * `{ 'argparse.Namespace': opaqueGlobal }` and it loads as a PyObject that saves back unchanged.
 */
export const opaqueGlobal: GlobalHandler = {
  call: (args, global) => new PyObject(global.module, global.name, args, "reduce"),
  construct: (args, kwargs, global) => new PyObject(global.module, global.name, args, "newobj", kwargs),
  setState: (object, state) => {
    (object as PyObject).state = state;
  },
};

function bad(message: string): UnpicklingError {
  return new UnpicklingError("BAD_VALUE", message);
}

function expectArgs(args: Tuple<unknown>, min: number, max: number, what: string): void {
  if (args.length < min || args.length > max) {
    const range = min === max ? `${min}` : `${min} to ${max}`;
    throw bad(`${what} takes ${range} arguments, got ${args.length}`);
  }
}

function iterableItems(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (isDict(value)) return dictEntries(value).map(([key]) => key);
  throw bad(`${what} expects a list, tuple or set, got ${pyTypeName(value)}`);
}

function bytesFromArgs(args: Tuple<unknown>, what: string): Uint8Array {
  expectArgs(args, 0, 3, what);
  if (args.length === 0) return new Uint8Array(0);
  const [source, encoding] = args;
  if (typeof source === "string") {
    if (typeof encoding !== "string") throw bad(`${what}(str) needs an encoding`);
    return encodeText(source, encoding, what);
  }
  if (source instanceof Uint8Array) return source.slice();
  if (Array.isArray(source)) {
    const out = new Uint8Array(source.length);
    source.forEach((item, i) => {
      if (typeof item !== "number" || !Number.isInteger(item) || item < 0 || item > 255) {
        throw bad(`${what}: list items must be ints in range(0, 256)`);
      }
      out[i] = item;
    });
    return out;
  }
  // bytes(n) / bytearray(n) would allocate n zero bytes on request: refuse, no pickler emits it.
  throw bad(`${what} expects bytes, a str with an encoding, or a list of ints; got ${pyTypeName(source)}`);
}

function encodeText(text: string, encoding: string, what: string): Uint8Array {
  const normalized = encoding.toLowerCase().replace(/[-_ ]/g, "");
  if (normalized === "latin1" || normalized === "iso88591" || normalized === "ascii") {
    const limit = normalized === "ascii" ? 0x80 : 0x100;
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= limit) throw bad(`${what}: character U+${code.toString(16).padStart(4, "0")} cannot be encoded as ${encoding}`);
      out[i] = code;
    }
    return out;
  }
  if (normalized === "utf8") return encodeUtf8(text);
  throw bad(`${what}: unsupported encoding '${encoding}' (latin1 and utf-8 only)`);
}

function realPart(value: unknown): number {
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  throw bad(`complex() arguments must be numbers, got ${pyTypeName(value)}`);
}

function orderedDictFrom(args: Tuple<unknown>): DictBuilder {
  expectArgs(args, 0, 1, "OrderedDict()");
  const dict = new DictBuilder(true);
  if (args.length === 0) return dict;
  const source = args[0];
  if (isDict(source)) {
    for (const [key, value] of dictEntries(source)) dict.set(key, value);
    return dict;
  }
  if (!Array.isArray(source)) throw bad(`OrderedDict() expects a dict or a list of pairs, got ${pyTypeName(source)}`);
  for (const pair of source) {
    if (!Array.isArray(pair) || pair.length !== 2) throw bad("OrderedDict(): every item must be a (key, value) pair");
    dict.set(pair[0], pair[1]);
  }
  return dict;
}

/**
 * The built-in handlers, the Python part of PyTorch's weights-only allowlist:
 * `collections.OrderedDict`, `builtins.set`, `builtins.frozenset`, `builtins.bytearray`,
 * `builtins.bytes` (CPython writes `b''` with it), `builtins.complex`, `_codecs.encode`
 * (how protocol 2 writes bytes; latin1 / utf-8 / ascii only).
 */
export const builtinGlobals: Readonly<Record<string, GlobalHandler>> = Object.freeze({
  "collections.OrderedDict": { call: orderedDictFrom, construct: orderedDictFrom },
  "builtins.set": {
    call: (args) => {
      expectArgs(args, 0, 1, "set()");
      return new Set(args.length ? iterableItems(args[0], "set()") : []);
    },
  },
  "builtins.frozenset": {
    call: (args) => {
      expectArgs(args, 0, 1, "frozenset()");
      return new FrozenSet(args.length ? iterableItems(args[0], "frozenset()") : []);
    },
  },
  "builtins.bytearray": {
    call: (args) => {
      const bytes = bytesFromArgs(args, "bytearray()");
      const result = new PyByteArray(bytes.length);
      result.set(bytes);
      return result;
    },
  },
  "builtins.bytes": { call: (args) => bytesFromArgs(args, "bytes()") },
  "builtins.complex": {
    call: (args) => {
      expectArgs(args, 0, 2, "complex()");
      return new PyComplex(args.length > 0 ? realPart(args[0]) : 0, args.length > 1 ? realPart(args[1]) : 0);
    },
  },
  "_codecs.encode": {
    call: (args) => {
      expectArgs(args, 1, 3, "_codecs.encode()");
      const [text, encoding = "utf-8"] = args;
      if (typeof text !== "string" || typeof encoding !== "string") {
        throw bad(`_codecs.encode() expects (str, str), got (${args.map(pyTypeName).join(", ")})`);
      }
      return encodeText(text, encoding, "_codecs.encode()");
    },
  },
});
