/** Python type names of JS values, for error messages that name what came. */
import { PyByteArray } from "./bytes.ts";
import { PyComplex } from "./complex.ts";
import { isOrderedDict, isPlainObject } from "./dict.ts";
import { PyFloat } from "./float.ts";
import { PyGlobal } from "./global.ts";
import { PyObject } from "./object.ts";
import { FrozenSet } from "./set.ts";
import { Tuple } from "./tuple.ts";

/** The Python type name of a JS value: `int`, `float`, `str`, `tuple`, `collections.OrderedDict`, ... */
export function pyTypeName(value: unknown): string {
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) && !Object.is(value, -0) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "str";
    case "undefined":
      return "undefined";
    case "function":
      return "function";
    case "symbol":
      return "symbol";
  }
  if (value === null) return "NoneType";
  if (value instanceof PyFloat) return "float";
  if (value instanceof Tuple) return "tuple";
  if (Array.isArray(value)) return "list";
  if (value instanceof PyByteArray) return "bytearray";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof Map || isPlainObject(value)) return isOrderedDict(value) ? "collections.OrderedDict" : "dict";
  if (value instanceof FrozenSet) return "frozenset";
  if (value instanceof Set) return "set";
  if (value instanceof PyComplex) return "complex";
  if (value instanceof PyGlobal) return `global ${value.qualifiedName}`;
  if (value instanceof PyObject) return `opaque ${value.qualifiedName} object`;
  return (value as object).constructor?.name ?? "object";
}
