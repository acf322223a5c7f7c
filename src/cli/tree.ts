/**
 * The structure of a loaded checkpoint as the command line shows it: a tree of dicts, lists and leaves whose
 * tensor leaves point into a flat list of tensors, each named by its key path (`model_state_dict.conv1.weight`,
 * `optimizer_state_dict.state.0.momentum_buffer`).
 */
import { isOrderedDict, isPlainObject, pyRepr, PyFloat, Tuple, FrozenSet, isPyInt } from "../python/index.ts";
import { pyTypeName } from "../python/types.ts";
import { strRepr } from "../python/repr.ts";
import { DType } from "../tensor/dtype.ts";
import { Device } from "../tensor/device.ts";
import { Size } from "../tensor/size.ts";
import { Module } from "../nn/module.ts";

/** One step of a key path: a dict key (str or int) or a list index. */
export type PathPart = string | number;

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A node of the structure tree (also its JSON form; see README.md). */
export type StructureNode =
  | { kind: "dict"; type: string; tensors: number; elements: number; items: DictItem[] }
  | { kind: "list"; type: string; tensors: number; elements: number; items: StructureNode[] }
  | { kind: "tensor"; index: number; key: string }
  | { kind: "value"; type: string; repr: string; value?: Json };

/** One entry of a dict node. */
export interface DictItem {
  /** The key: a str or an int as in Python; other key types as their repr (then `keyType` says which). */
  key: string | number;
  keyType?: string;
  value: StructureNode;
}

/** Joins a key path with dots, as flattened state dicts name tensors: `['state', 0, 'exp_avg']` -> `state.0.exp_avg`. */
export function keyOf(path: readonly PathPart[]): string {
  return path.map(String).join(".");
}

/** How a key path is shown: the dotted key, or `<root>` for the value itself. */
export function displayKey(key: string): string {
  return key === "" ? "<root>" : key;
}

/** Python-style repr that also knows tsorch's own value types (dtypes, devices, sizes). */
export function reprOf(value: unknown): string {
  if (value instanceof DType) return `torch.${value.name}`;
  if (value instanceof Device) return value.index === null ? `device(type='${value.type}')` : `device(type='${value.type}', index=${value.index})`;
  try {
    return pyRepr(value);
  } catch (error) {
    return `<unprintable ${pyTypeName(value)}: ${(error as Error).message}>`;
  }
}

/** The Python type name used in structure nodes. */
export function typeOf(value: unknown): string {
  if (value instanceof DType) return "torch.dtype";
  if (value instanceof Device) return "torch.device";
  if (value instanceof Size) return "torch.Size";
  const name = pyTypeName(value);
  return name === "collections.OrderedDict" ? "OrderedDict" : name;
}

/** The JSON form of a leaf when it is exact (ints within 2^53, finite floats, str, bool, None), else undefined. */
export function jsonOf(value: unknown): Json | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0) ? value : undefined;
  if (value instanceof PyFloat) return Number.isFinite(value.value) && !Object.is(value.value, -0) ? value.value : undefined;
  if (value instanceof Size) return [...value];
  return undefined;
}

function isDictValue(value: unknown): value is Record<string, unknown> | Map<unknown, unknown> {
  return value instanceof Map || isPlainObject(value);
}

function isSequence(value: unknown): value is unknown[] | Set<unknown> {
  if (value instanceof Size) return false;
  return Array.isArray(value) || value instanceof Set;
}

/** What the walk records for each tensor leaf: its path, key, and the classifier's description. */
export interface TensorVisit<T> {
  path: PathPart[];
  key: string;
  tensor: T;
}

/**
 * Walks a loaded value, building the structure tree. `asTensor` picks out tensor leaves (returning a
 * description of the tensor and its element count, or undefined); they are numbered in walk order (depth
 * first, dict order). A value reached again while inside itself (a recursive list) shows as `[...]`.
 */
export function walkValue<T>(root: unknown, asTensor: (value: unknown) => { tensor: T; elements: number } | undefined): { structure: StructureNode; tensors: TensorVisit<T>[] } {
  const tensors: TensorVisit<T>[] = [];
  const elements: number[] = [];
  const active = new Set<object>();
  const visit = (value: unknown, path: PathPart[]): StructureNode => {
    const found = asTensor(value);
    if (found !== undefined) {
      const key = keyOf(path);
      tensors.push({ path, key, tensor: found.tensor });
      elements.push(found.elements);
      return { kind: "tensor", index: tensors.length - 1, key };
    }
    if (typeof value === "object" && value !== null && (isDictValue(value) || isSequence(value) || value instanceof Module)) {
      if (active.has(value)) return { kind: "value", type: typeOf(value), repr: Array.isArray(value) ? "[...]" : "{...}" };
      active.add(value);
      try {
        return container(value, path);
      } finally {
        active.delete(value);
      }
    }
    const node: StructureNode = { kind: "value", type: typeOf(value), repr: reprOf(value) };
    const json = jsonOf(value);
    if (json !== undefined) node.value = json;
    return node;
  };
  const container = (value: object, path: PathPart[]): StructureNode => {
    const before = tensors.length;
    let node: StructureNode & { kind: "dict" | "list" };
    if (value instanceof Module) {
      // a module of a whole-model file (torch.save(model)): shown as its state dict
      const sd = value.stateDict({ keepVars: true }) as unknown as Record<string, unknown> | Map<unknown, unknown>;
      const entries: [unknown, unknown][] = sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
      const items: DictItem[] = entries.map(([k, v]) => ({ key: String(k), value: visit(v, [...path, String(k)]) }));
      node = { kind: "dict", type: `${value.constructor.name} (nn.Module)`, tensors: 0, elements: 0, items };
    } else if (isDictValue(value)) {
      const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.entries(value);
      const items: DictItem[] = entries.map(([k, v]) => {
        const simple = typeof k === "string" || (typeof k === "number" && isPyInt(k));
        const part: PathPart = simple ? (k as string | number) : reprOf(k);
        const item: DictItem = { key: part, value: visit(v, [...path, part]) };
        if (!simple) item.keyType = typeOf(k);
        return item;
      });
      node = { kind: "dict", type: isOrderedDict(value) ? "OrderedDict" : "dict", tensors: 0, elements: 0, items };
    } else {
      const list = [...(value as Iterable<unknown>)];
      const type = value instanceof Tuple ? "tuple" : value instanceof FrozenSet ? "frozenset" : value instanceof Set ? "set" : "list";
      node = { kind: "list", type, tensors: 0, elements: 0, items: list.map((v, i) => visit(v, [...path, i])) };
    }
    node.tensors = tensors.length - before;
    for (let i = before; i < tensors.length; i++) node.elements += elements[i];
    return node;
  };
  const structure = visit(root, []);
  return { structure, tensors };
}

/** A Python-like repr of a structure node (containers without tensors print inline this way). */
export function nodeRepr(node: StructureNode): string {
  switch (node.kind) {
    case "value":
      return node.repr;
    case "tensor":
      return "tensor(...)";
    case "list": {
      const items = node.items.map(nodeRepr);
      if (node.type === "tuple") return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
      if (node.type === "set" || node.type === "frozenset") {
        const body = items.length === 0 ? "" : `{${items.join(", ")}}`;
        return node.type === "set" ? body || "set()" : `frozenset(${body})`;
      }
      return `[${items.join(", ")}]`;
    }
    case "dict": {
      const key = (k: string | number, keyType?: string) => (typeof k === "number" || keyType ? String(k) : strRepr(k));
      if (node.type === "OrderedDict") {
        return node.items.length === 0 ? "OrderedDict()" : `OrderedDict([${node.items.map((i) => `(${key(i.key, i.keyType)}, ${nodeRepr(i.value)})`).join(", ")}])`;
      }
      return `{${node.items.map((i) => `${key(i.key, i.keyType)}: ${nodeRepr(i.value)}`).join(", ")}}`;
    }
  }
}
