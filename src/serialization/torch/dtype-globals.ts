/**
 * DTypes inside saved values: PyTorch pickles a `torch.dtype` as the bare GLOBAL `torch.float32` (`dtype.__reduce__`
 * returns its name). The pickler writes a `PyGlobal` that way, but its `reduceValue` hook can only describe calls, so
 * torch.save swaps every DType for its PyGlobal before pickling. Only the containers on a path to a DType are copied
 * (shared and cyclic ones stay shared and cyclic, OrderedDict markers and attributes are kept); a value without
 * DTypes is returned as it is.
 */
import { isOrderedDict, isPlainObject, markOrderedDict, pyAttributes, setPyAttribute } from "../../python/dict.ts";
import { PyGlobal } from "../../python/global.ts";
import { PyObject } from "../../python/object.ts";
import { FrozenSet } from "../../python/set.ts";
import { Tuple } from "../../python/tuple.ts";
import { DType } from "../../tensor/dtype.ts";
import { Size } from "../../tensor/size.ts";

type Container = unknown[] | Map<unknown, unknown> | Record<string, unknown> | Set<unknown> | PyObject;

function isContainer(value: unknown): value is Container {
  if (typeof value !== "object" || value === null || value instanceof Size) return false;
  return Array.isArray(value) || value instanceof Map || value instanceof Set || value instanceof PyObject || isPlainObject(value);
}

/** What the pickler visits inside a container: items, keys, OrderedDict attributes, PyObject parts. */
function children(c: Container): unknown[] {
  if (Array.isArray(c)) return c;
  if (c instanceof Set) return [...c];
  if (c instanceof PyObject) return [c.args, c.kwargs, c.state];
  const entries = c instanceof Map ? [...c].flat() : Object.values(c);
  return isOrderedDict(c) ? [...entries, ...pyAttributes(c).map(([, v]) => v)] : entries;
}

/** The GLOBAL PyTorch writes for a dtype. */
export function dtypeGlobal(dtype: DType): PyGlobal {
  return new PyGlobal("torch", dtype.name);
}

/** Replaces DTypes with their GLOBALs, sharing copies between calls (one instance per torch.save). */
export class DTypeGlobals {
  private readonly copies = new Map<object, unknown>();

  /** `value` with every DType reachable through containers replaced by `PyGlobal('torch', name)`. */
  apply(value: unknown): unknown {
    if (value instanceof DType) return dtypeGlobal(value);
    if (!isContainer(value)) return value;
    const dirty = this.containersReachingDType(value);
    if (dirty.size === 0) return value;
    for (const c of dirty) if (!this.copies.has(c)) this.copies.set(c, emptyLike(c));
    for (const c of dirty) fill(c, this.copies.get(c) as Container, (v) => this.replacement(v));
    return this.replacement(value);
  }

  private replacement(v: unknown): unknown {
    if (v instanceof DType) return dtypeGlobal(v);
    return typeof v === "object" && v !== null && this.copies.has(v) ? this.copies.get(v) : v;
  }

  /** Containers (not yet copied) from which a DType is reachable. */
  private containersReachingDType(root: Container): Set<Container> {
    const parents = new Map<Container, Container[]>();
    const seen = new Set<Container>([root]);
    const stack: Container[] = [root];
    const dirty = new Set<Container>();
    while (stack.length > 0) {
      const c = stack.pop()!;
      for (const child of children(c)) {
        if (child instanceof DType || (typeof child === "object" && child !== null && this.copies.has(child))) dirty.add(c);
        else if (isContainer(child)) {
          const list = parents.get(child);
          if (list) list.push(c);
          else parents.set(child, [c]);
          if (!seen.has(child)) {
            seen.add(child);
            stack.push(child);
          }
        }
      }
    }
    const queue = [...dirty];
    while (queue.length > 0) {
      for (const parent of parents.get(queue.pop()!) ?? []) {
        if (!dirty.has(parent)) {
          dirty.add(parent);
          queue.push(parent);
        }
      }
    }
    return dirty;
  }
}

function emptyLike(c: Container): Container {
  let copy: Container;
  if (c instanceof Tuple) copy = new Tuple();
  else if (Array.isArray(c)) copy = [];
  else if (c instanceof FrozenSet) copy = new FrozenSet();
  else if (c instanceof Set) copy = new Set();
  else if (c instanceof Map) copy = new Map();
  else if (c instanceof PyObject) copy = new PyObject(c.module, c.name, new Tuple(), c.creation);
  else copy = Object.create(Object.getPrototypeOf(c)) as Record<string, unknown>;
  if (isOrderedDict(c)) markOrderedDict(copy);
  return copy;
}

function fill(from: Container, to: Container, swap: (v: unknown) => unknown): void {
  if (Array.isArray(from)) for (const v of from) (to as unknown[]).push(swap(v));
  else if (from instanceof Set) for (const v of from) (to as Set<unknown>).add(swap(v));
  else if (from instanceof PyObject) {
    const target = to as PyObject;
    target.args = swap(from.args) as Tuple<unknown>;
    target.kwargs = swap(from.kwargs) as PyObject["kwargs"];
    target.state = swap(from.state);
  } else if (from instanceof Map) for (const [k, v] of from) (to as Map<unknown, unknown>).set(swap(k), swap(v));
  else for (const [k, v] of Object.entries(from)) (to as Record<string, unknown>)[k] = swap(v);
  if (isOrderedDict(from)) for (const [name, v] of pyAttributes(from)) setPyAttribute(to, name, swap(v));
}
