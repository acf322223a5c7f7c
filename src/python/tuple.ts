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

/** Builds a tuple: `tuple(0.9, 0.999)` is Python's `(0.9, 0.999)`. */
export function tuple<T>(...items: T[]): Tuple<T> {
  return tupleFrom(items);
}

/** Builds a tuple from any iterable (no argument-count limit, unlike `tuple(...items)`). */
export function tupleFrom<T>(items: Iterable<T>): Tuple<T> {
  const result = new Tuple<T>();
  for (const item of items) result.push(item);
  return result;
}

/** True for Python tuples (and only for them: plain arrays are lists). */
export function isTuple(value: unknown): value is Tuple<unknown> {
  return value instanceof Tuple;
}
