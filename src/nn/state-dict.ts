/**
 * State dicts as JS values: a plain object `{ "conv1.weight": Tensor, ... }` (insertion order is PyTorch's
 * key order) marked as a Python `collections.OrderedDict`, carrying a non-enumerable `_metadata`
 * property: a `Map` from module prefix (`""` for the root, `"conv1"`, `"layer1.0.bn1"`) to
 * `{ version: N }`. A Map, not an object, because Sequential prefixes such as `"0"` are
 * array-index-like keys that a plain object would move to the front.
 */
import { markOrderedDict, pyRepr, setPyAttribute } from "../python/index.ts";
import { Tensor } from "../tensor/tensor.ts";

/** A module's state: parameter and buffer names to tensors (and `_extra_state` values, if any). */
export type StateDict = Record<string, Tensor>;

/** The per-module entry of `_metadata`: `{ version: 1 }` (BatchNorm: 2). */
export interface ModuleMetadata {
  version?: number;
  [key: string]: unknown;
}

/** `state_dict._metadata`: module prefix -> metadata, in module order (root first). */
export type StateDictMetadata = Map<string, ModuleMetadata>;

/** A state dict as accepted by `loadStateDict`: a plain object or a Map (from `torch.load`, say). */
export type StateDictLike = Record<string, unknown> | Map<string, unknown>;

/** A new empty state dict: an OrderedDict-marked object with an empty `_metadata` Map. */
export function emptyStateDict(): StateDict {
  const sd: StateDict = markOrderedDict({});
  setStateDictMetadata(sd, markOrderedDict(new Map()));
  return sd;
}

/** The `_metadata` of a state dict (a Map; a plain-object `_metadata` from a loader is read too), or undefined. */
export function getStateDictMetadata(sd: object): StateDictMetadata | undefined {
  const meta: unknown = (sd as { _metadata?: unknown })._metadata;
  if (meta === undefined || meta === null) return undefined;
  if (meta instanceof Map) return meta as StateDictMetadata;
  if (typeof meta === "object") return new Map(Object.entries(meta as Record<string, ModuleMetadata>));
  return undefined;
}

/** Sets `sd._metadata` (non-enumerable, so `Object.keys(sd)` lists only the tensors). */
export function setStateDictMetadata(sd: object, metadata: StateDictMetadata): void {
  setPyAttribute(sd, "_metadata", metadata);
}

/** The entries of a state dict given as a plain object or a Map, in order. */
export function stateDictEntries(sd: StateDictLike): [string, unknown][] {
  return sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
}

/**
 * A deep copy of a state dict: every tensor cloned (detached, own storage), `_metadata` copied.
 * Use it to snapshot weights: `stateDict()` values share memory with the module, so a later
 * optimizer step changes them too (as in PyTorch, where `copy.deepcopy(model.state_dict())` is the cure).
 */
export function cloneStateDict<T extends StateDictLike>(sd: T): T {
  const copy = (v: unknown): unknown => (v instanceof Tensor ? v.detach().clone() : v);
  let out: StateDictLike;
  if (sd instanceof Map) out = new Map([...sd].map(([k, v]) => [k, copy(v)]));
  else out = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, copy(v)]));
  markOrderedDict(out);
  const meta = getStateDictMetadata(sd);
  if (meta) setStateDictMetadata(out, markOrderedDict(new Map([...meta].map(([k, v]) => [k, { ...v }]))));
  return out as T;
}

/**
 * What `loadStateDict` returns: the keys it could not match. Prints `<All keys matched successfully>`
 * when both lists are empty, like PyTorch's `_IncompatibleKeys`.
 */
export class IncompatibleKeys {
  constructor(
    /** Keys the module has but the state dict lacked. */
    readonly missingKeys: string[],
    /** Keys of the state dict the module has no place for. */
    readonly unexpectedKeys: string[],
  ) {}

  /** PyTorch's repr: `<All keys matched successfully>` or `_IncompatibleKeys(missing_keys=[...], unexpected_keys=[...])`. */
  toString(): string {
    if (this.missingKeys.length === 0 && this.unexpectedKeys.length === 0) return "<All keys matched successfully>";
    return `_IncompatibleKeys(missing_keys=${pyRepr(this.missingKeys)}, unexpected_keys=${pyRepr(this.unexpectedKeys)})`;
  }

  /** Node's util.inspect prints the PyTorch form. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
