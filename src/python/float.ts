/**
 * A Python `float` whose value is integral (`1.0`, `-0.0`, `1e16`). Plain JS numbers that are
 * integers stand for Python ints, so integral floats need this wrapper to survive a round trip.
 * `valueOf()` makes arithmetic and `Number(x)` work: `new PyFloat(2) * 3 === 6`.
 */
export class PyFloat {
  /** @param value the float's value (any number; integral ones are the reason this class exists). */
  constructor(readonly value: number) {}

  /** The plain number, so `+x`, `x * 2` and `Number(x)` work. */
  valueOf(): number {
    return this.value;
  }

  /** JSON has no int/float distinction: serializes as the number. */
  toJSON(): number {
    return this.value;
  }
}

/**
 * The canonical JS form of a Python float: a `PyFloat` when the value is integral (or -0),
 * else the plain number. `pyFloat(1) -> PyFloat(1)`, `pyFloat(0.5) -> 0.5`.
 */
export function pyFloat(value: number): number | PyFloat {
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

/** True when a JS value stands for a Python int: an integer number other than -0, or a bigint. */
export function isPyInt(value: unknown): value is number | bigint {
  if (typeof value === "bigint") return true;
  return typeof value === "number" && Number.isInteger(value) && !Object.is(value, -0);
}

/** True when a JS value stands for a Python float: a PyFloat, or a number that is not a Python int. */
export function isPyFloat(value: unknown): value is number | PyFloat {
  if (value instanceof PyFloat) return true;
  return typeof value === "number" && !isPyInt(value);
}

/**
 * The JS number of a Python int or float (`number`, `PyFloat`, or `bigint`, the latter possibly
 * rounded). Throws a TypeError for anything else.
 */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`expected a Python int or float, got ${typeof value}`);
}
