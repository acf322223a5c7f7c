/**
 * Python dicts in JS. A dict whose keys are all strings, none of them a canonical array index
 * ("0", "12": JS would reorder those) nor "__proto__", is a plain object (insertion order is kept);
 * any other dict is a `Map` (int keys stay numbers). `collections.OrderedDict`-ness is a
 * non-enumerable marker on either form; attributes that Python set on an OrderedDict (state dicts
 * carry `_metadata`) are non-enumerable properties, so `Object.entries(sd)` shows only the items.
 */

/** A Python dict as JS holds it: a plain object or a Map. */
export type PyDict = Record<string, unknown> | Map<unknown, unknown>;

const ORDERED_DICT = Symbol.for("tsorch.python.OrderedDict");
const MAX_ARRAY_INDEX = 2 ** 32 - 2;

/** Marks a plain object or Map as a Python `collections.OrderedDict` (non-enumerable); returns it. */
export function markOrderedDict<T extends object>(dict: T): T {
  Object.defineProperty(dict, ORDERED_DICT, { value: true, enumerable: false, configurable: true });
  return dict;
}

/** True when `value` was marked as a `collections.OrderedDict`. */
export function isOrderedDict(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.hasOwn(value, ORDERED_DICT);
}

/** True for objects whose prototype is `Object.prototype` or null (the objects that are dicts). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for the JS forms of a Python dict: plain objects and Maps. */
export function isDict(value: unknown): value is PyDict {
  return value instanceof Map || isPlainObject(value);
}

/** True for strings that JS objects would reorder as integer keys: "0", "1", "4294967294"; not "01" or "-1". */
export function isCanonicalArrayIndex(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 10) return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(key) <= MAX_ARRAY_INDEX;
}

/** True when a dict with these keys can be a plain object without reordering or losing keys. */
export function keysFitPlainObject(keys: Iterable<unknown>): boolean {
  for (const key of keys) {
    if (typeof key !== "string" || key === "__proto__" || isCanonicalArrayIndex(key)) return false;
  }
  return true;
}

/**
 * Builds a Python dict by the rule above: a plain object when the keys allow it, else a Map.
 * `dictFromEntries([[0, 'a']])` is a Map; `dictFromEntries([['lr', 0.1]])` is `{lr: 0.1}`.
 */
export function dictFromEntries(
  entries: Iterable<readonly [unknown, unknown]>,
  options: { ordered?: boolean } = {},
): PyDict {
  const map = new Map<unknown, unknown>();
  for (const [key, value] of entries) map.set(key, value);
  const dict = dictFromMap(map);
  return options.ordered ? markOrderedDict(dict) : dict;
}

/** Like `dictFromEntries`, taking ownership of `map` (returned itself when it must stay a Map). */
export function dictFromMap(map: Map<unknown, unknown>): PyDict {
  if (!keysFitPlainObject(map.keys())) return map;
  const object: Record<string, unknown> = {};
  for (const [key, value] of map) object[key as string] = value;
  return object;
}

/** A new empty `collections.OrderedDict` (a marked plain object), optionally filled. */
export function orderedDict(entries: Iterable<readonly [unknown, unknown]> = []): PyDict {
  return dictFromEntries(entries, { ordered: true });
}

/** The items of a dict in order, for either form. */
export function dictEntries(dict: PyDict): Array<[unknown, unknown]> {
  return dict instanceof Map ? [...dict.entries()] : Object.entries(dict);
}

/** The number of items of a dict, for either form. */
export function dictSize(dict: PyDict): number {
  return dict instanceof Map ? dict.size : Object.keys(dict).length;
}

/**
 * Sets a Python attribute on a dict (non-enumerable, writable), as BUILD does for
 * `OrderedDict.__dict__`: `setPyAttribute(sd, '_metadata', meta)`.
 */
export function setPyAttribute(dict: object, name: string, value: unknown): void {
  Object.defineProperty(dict, name, { value, enumerable: false, writable: true, configurable: true });
}

/** The Python attributes of a dict: its own non-enumerable string-keyed properties, in order. */
export function pyAttributes(dict: object): Array<[string, unknown]> {
  const result: Array<[string, unknown]> = [];
  for (const name of Object.getOwnPropertyNames(dict)) {
    const descriptor = Object.getOwnPropertyDescriptor(dict, name);
    if (descriptor && !descriptor.enumerable && "value" in descriptor) result.push([name, descriptor.value]);
  }
  return result;
}
