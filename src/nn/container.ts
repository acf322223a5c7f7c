/** Containers: Sequential, ModuleList, ModuleDict (children named "0", "1", ... or by key, as in PyTorch). */
import type { Tensor } from "../tensor/tensor.ts";
import { NNError } from "./errors.ts";
import { Module } from "./module.ts";

function indexError(message: string): NNError {
  return new NNError("ERR_NN_ARGUMENT", "IndexError", message);
}

/** Resolves a possibly negative index into `[0, size)`, raising PyTorch's IndexError. */
function absIndex(index: number, size: number): number {
  if (!Number.isInteger(index) || index < -size || index >= size) throw indexError(`index ${index} is out of range`);
  return index < 0 ? index + size : index;
}

/** Renames the children to "0", "1", ... in their current order (after a deletion). */
function renumber(module: Module): void {
  const children = [...module._modules.values()];
  module._modules.clear();
  children.forEach((m, i) => module._modules.set(String(i), m));
}

/** Start/end of a Python slice `[start:end]` over `size` items. */
function sliceBounds(size: number, start = 0, end = size): [number, number] {
  const clampIndex = (i: number): number => Math.min(size, Math.max(0, i < 0 ? i + size : i));
  return [clampIndex(start), clampIndex(end)];
}

/**
 * Runs its children in order, each one's output feeding the next (`nn.Sequential`). Children are named
 * "0", "1", ... unless built from a Map of names: `new nn.Sequential(new Map([["conv", conv], ["relu", relu]]))`.
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first instanceof Map) {
      for (const [key, module] of first) this.addModule(key, module);
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  /** Number of children. */
  get length(): number {
    return this._modules.size;
  }

  /** The child at `index` (negative counts from the end). */
  at(index: number): Module {
    const values = [...this._modules.values()];
    return values[absIndex(index, values.length)] as Module;
  }

  /** Replaces the child at `index` (keeping its name). */
  setAt(index: number, module: Module): void {
    const keys = [...this._modules.keys()];
    Reflect.set(this, keys[absIndex(index, keys.length)], module);
  }

  /** Removes the child at `index` and renumbers the rest "0", "1", ... */
  deleteAt(index: number): void {
    const keys = [...this._modules.keys()];
    this._modules.delete(keys[absIndex(index, keys.length)]);
    renumber(this);
  }

  /** A new Sequential of the children `[start, end)`, keeping their names (Python's `seq[start:end]`). */
  slice(start?: number, end?: number): Sequential {
    const entries = [...this._modules].filter((e): e is [string, Module] => e[1] !== null);
    const [s, e] = sliceBounds(entries.length, start, end);
    return new Sequential(new Map(entries.slice(s, e)));
  }

  /** Removes and returns the child at `index`. */
  pop(index: number): Module {
    const module = this.at(index);
    this.deleteAt(index);
    return module;
  }

  /** Adds `module` at the end (named by the current length); returns this. */
  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }

  /** Inserts `module` before `index`, shifting later children up; returns this. */
  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) throw new NNError("ERR_NN_ARGUMENT", "TypeError", "module should be of type: <class 'torch.nn.modules.module.Module'>");
    const n = this._modules.size;
    if (!(index >= -n && index <= n)) throw indexError(`Index out of range: ${index}`);
    const at = index < 0 ? index + n : index;
    for (let i = n; i > at; i--) this._modules.set(String(i), this._modules.get(String(i - 1)) ?? null);
    this._modules.set(String(at), module);
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Iterates over the children. */
  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }

  /**
   * Feeds `input` through every child in order. Typed Tensor -> Tensor, the common case; children may pass
   * other values along (a tuple, say) at runtime.
   */
  override forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const m of this) x = m.call(x);
    return x as Tensor;
  }
}

/** A list of modules, registered as children "0", "1", ... (`nn.ModuleList`); it has no forward. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this._modules.size;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    return this._modules.get(String(absIndex(index, this.length))) as Module;
  }

  /** Replaces the module at `index`. */
  setAt(index: number, module: Module): void {
    Reflect.set(this, String(absIndex(index, this.length)), module);
  }

  /** Removes the module at `index` and renumbers the rest. */
  deleteAt(index: number): void {
    this._modules.delete(String(absIndex(index, this.length)));
    renumber(this);
  }

  /** A new ModuleList of the modules `[start, end)` (Python's `list[start:end]`). */
  slice(start?: number, end?: number): ModuleList {
    const [s, e] = sliceBounds(this.length, start, end);
    return new ModuleList([...this].slice(s, e));
  }

  /** Removes and returns the module at `index`. */
  pop(index: number): Module {
    const module = this.at(index);
    this.deleteAt(index);
    return module;
  }

  /** Adds `module` at the end; returns this. */
  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Partial<Iterable<Module>>)[Symbol.iterator] !== "function") {
      throw new NNError("ERR_NN_ARGUMENT", "TypeError", `ModuleList.extend should be called with an iterable, but got ${typeof modules}`);
    }
    const offset = this.length;
    let i = 0;
    for (const m of modules) this.addModule(String(offset + i++), m);
    return this;
  }

  /** Inserts `module` before `index`. */
  insert(index: number, module: Module): void {
    const n = this._modules.size;
    for (let i = n; i > index; i--) this._modules.set(String(i), this._modules.get(String(i - 1)) ?? null);
    this._modules.set(String(index), module);
  }

  /** Iterates over the modules. */
  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }
}

/** Modules by string key, registered as children of those names (`nn.ModuleDict`); it has no forward. */
export class ModuleDict extends Module {
  constructor(modules?: Map<string, Module> | Record<string, Module> | Iterable<readonly [string, Module]>) {
    super();
    if (modules !== undefined) this.update(modules);
  }

  /** Number of modules. */
  get size(): number {
    return this._modules.size;
  }

  /** The module under `key` (undefined when absent). */
  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }

  /** Adds or replaces the module under `key`. */
  set(key: string, module: Module): this {
    this.addModule(key, module);
    return this;
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes `key`; true when it was present. */
  delete(key: string): boolean {
    return this._modules.delete(key);
  }

  /** Removes every module. */
  clear(): void {
    this._modules.clear();
  }

  /** Removes and returns the module under `key`. */
  pop(key: string): Module {
    const m = this._modules.get(key);
    if (!this._modules.has(key) || !m) throw new NNError("ERR_NN_ARGUMENT", "KeyError", `'${key}'`);
    this._modules.delete(key);
    return m;
  }

  /** The keys, in order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** The modules, in order. */
  values(): Module[] {
    return [...this._modules.values()].filter((m): m is Module => m !== null);
  }

  /** `[key, module]` pairs, in order. */
  items(): [string, Module][] {
    return [...this._modules].filter((e): e is [string, Module] => e[1] !== null);
  }

  /** Adds the entries of a Map, a plain object or an iterable of pairs. */
  update(modules: Map<string, Module> | Record<string, Module> | Iterable<readonly [string, Module]>): void {
    let entries: Iterable<readonly [string, Module]>;
    if (modules instanceof Map || modules instanceof ModuleDict) entries = modules instanceof ModuleDict ? modules.items() : modules;
    else if (typeof (modules as Partial<Iterable<unknown>>)[Symbol.iterator] === "function") entries = modules as Iterable<readonly [string, Module]>;
    else entries = Object.entries(modules as Record<string, Module>);
    let j = 0;
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new NNError("ERR_NN_ARGUMENT", "ValueError", `ModuleDict update sequence element #${j} has length ${Array.isArray(entry) ? entry.length : 1}; 2 is required`);
      }
      this.set(entry[0], entry[1]);
      j++;
    }
  }

  /** Iterates over the keys (like a Python dict). */
  *[Symbol.iterator](): Iterator<string> {
    yield* this._modules.keys();
  }
}
