/**
 * A reference to a Python global (a class or function named `module.name`), as a pickle's GLOBAL
 * opcode names it. Loading `torch.FloatStorage` inside a persistent id, or a dtype such as
 * `torch.float32` stored as a value, yields one of these unless a handler maps it to something
 * else; the pickler writes it back as the same GLOBAL.
 */
export class PyGlobal {
  /**
   * @param module the module, e.g. `collections`
   * @param name the name inside the module, e.g. `OrderedDict`
   */
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  /** `module.name`, the key used by allowlists. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }

  /** True when this names `module.name`. */
  is(module: string, name: string): boolean {
    return this.module === module && this.name === name;
  }
}
