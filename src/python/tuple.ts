/**
 * Python `tuple`. An Array subclass, so a tuple indexes, iterates and spreads like an array while
 * staying distinguishable from a Python `list` (a plain JS array): `instanceof Tuple`.
 */
export class Tuple<T = unknown> extends Array<T> {
  /** Arrays derived from a tuple (`map`, `slice`, `filter`, ...) are plain arrays, i.e. Python lists. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** Builds a tuple: `tuple(0.9, 0.999)` is Python's `(0.9, 0.999)`; mixed items give a tuple of their union. */
export function tuple<Items extends readonly unknown[]>(...items: Items): Tuple<Items[number]> {
  return tupleFrom(items);
}

/** Builds a tuple from any iterable (no argument-count limit, unlike `tuple(...items)`). */
export function tupleFrom<T>(items: Iterable<T>): Tuple<T> {
  if (Array.isArray(items)) {
    // Preallocating and assigning is several times faster than push() on an Array subclass.
    const n = items.length;
    const result = new Tuple<T>(n);
    for (let i = 0; i < n; i++) result[i] = items[i];
    return result;
  }
  const result = new Tuple<T>();
  for (const item of items) result.push(item);
  return result;
}

/** True for Python tuples (and only for them: plain arrays are lists). */
export function isTuple(value: unknown): value is Tuple<unknown> {
  return value instanceof Tuple;
}
