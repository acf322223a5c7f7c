/** Python `frozenset`. A Set subclass (immutability is not enforced); a plain `Set` is a Python `set`. */
export class FrozenSet<T = unknown> extends Set<T> {}
