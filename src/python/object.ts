import type { PyDict } from "./dict.ts";
import type { Tuple } from "./tuple.ts";

/**
 * An instance of a Python class that an allowlist accepted without knowing how to build it
 * (see `opaqueGlobal` in the pickle layer). It records how the pickle made it, so the pickler can
 * write it back unchanged: `module.name(*args)` (REDUCE) or `module.name.__new__(cls, *args)`
 * (NEWOBJ), then `__setstate__(state)` (BUILD) when `state` is not undefined.
 */
export class PyObject {
  /**
   * @param module the callable's module
   * @param name the callable's name
   * @param args the positional arguments
   * @param creation `reduce` for REDUCE (`f(*args)`), `newobj` for NEWOBJ / NEWOBJ_EX (`cls.__new__`)
   * @param kwargs keyword arguments (NEWOBJ_EX only)
   * @param state the BUILD state, `undefined` when the pickle had no BUILD for it
   */
  constructor(
    readonly module: string,
    readonly name: string,
    public args: Tuple<unknown>,
    readonly creation: "reduce" | "newobj" = "reduce",
    public kwargs: PyDict | undefined = undefined,
    public state: unknown = undefined,
  ) {}

  /** `module.name`. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}
