/**
 * Helpers for warm-starting from a checkpoint of a different model: rename keys by a regular expression
 * (and `_metadata` with them), and keep only the entries whose shapes fit a target module (fine-tuning with
 * a new classifier head, which `loadStateDict(sd, { strict: false })` alone rejects with a size mismatch).
 * Prefix stripping (`module.` from DataParallel) is `utils.consumePrefixInStateDictIfPresent`.
 *
 * ```ts
 * const renamed = renameStateDictKeys(sd, /^backbone\./, "features.");
 * const { stateDict, skipped } = filterStateDictByShape(renamed, model);
 * model.loadStateDict(stateDict, { strict: false });
 * ```
 */
import { dictFromMap, markOrderedDict } from "../python/index.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { Module } from "./module.ts";
import {
  type StateDictLike, type StateDictMetadata, getStateDictMetadata, setStateDictMetadata, stateDictEntries,
} from "./state-dict.ts";

/** A replacement as `String.prototype.replace` takes it: a string with `$1`, or a function of the match. */
export type KeyReplacement = string | ((match: string, ...groups: any[]) => string);

/** A state-dict entry left out by `filterStateDictByShape` because its shape does not fit. */
export interface ShapeMismatch {
  /** The state-dict key (`"fc3.weight"`). */
  key: string;
  /** The shape in the state dict. */
  shape: number[];
  /** The shape the target module has under that key. */
  expectedShape: number[];
}

/**
 * A copy of `stateDict` with every key passed through `key.replace(pattern, replacement)` (use a `g` flag to
 * replace every occurrence). Tensors are shared, not copied; order is kept. `_metadata` prefixes are renamed
 * the same way (a prefix `p` is renamed as `p + "."`, then the trailing dot is dropped), so version-dependent
 * loading (BatchNorm's) still finds each module's version. Throws when two keys would get the same name.
 */
export function renameStateDictKeys<T extends StateDictLike>(stateDict: T, pattern: RegExp, replacement: KeyReplacement): T {
  const rename = (key: string): string => key.replace(pattern, replacement as string);
  const renamed = new Map<unknown, unknown>();
  for (const [key, value] of stateDictEntries(stateDict)) {
    const newKey = rename(key);
    if (renamed.has(newKey)) throw new Error(`renameStateDictKeys: two keys would be renamed to '${newKey}' (the second is '${key}')`);
    renamed.set(newKey, value);
  }
  const out = (stateDict instanceof Map ? renamed : dictFromMap(renamed)) as T;
  markOrderedDict(out);
  const metadata = getStateDictMetadata(stateDict);
  if (metadata) {
    const renamedMetadata: StateDictMetadata = markOrderedDict(new Map());
    for (const [prefix, value] of metadata) {
      let newPrefix = prefix === "" ? "" : rename(`${prefix}.`);
      if (newPrefix.endsWith(".")) newPrefix = newPrefix.slice(0, -1);
      if (!renamedMetadata.has(newPrefix)) renamedMetadata.set(newPrefix, value);
    }
    setStateDictMetadata(out, renamedMetadata);
  }
  return out;
}

/**
 * Splits `stateDict` by whether each entry fits `module`: the returned `stateDict` keeps the entries whose key
 * the module does not have (so `loadStateDict(..., { strict: false })` reports them as unexpected) and those
 * whose tensor has the module's shape under that key; `skipped` lists the entries whose shape differs (a
 * classifier head with another number of classes). `_metadata` is kept. Tensors are shared, not copied.
 */
export function filterStateDictByShape<T extends StateDictLike>(stateDict: T, module: Module): { stateDict: T; skipped: ShapeMismatch[] } {
  const target = module.stateDict({ keepVars: true });
  const kept = new Map<unknown, unknown>();
  const skipped: ShapeMismatch[] = [];
  for (const [key, value] of stateDictEntries(stateDict)) {
    const expected = Object.hasOwn(target, key) ? target[key] : undefined;
    const dims = dimsOf(value);
    if (expected instanceof Tensor && dims && !sameShape(dims, expected.dims)) {
      skipped.push({ key, shape: [...dims], expectedShape: [...expected.dims] });
      continue;
    }
    kept.set(key, value);
  }
  const out = (stateDict instanceof Map ? kept : dictFromMap(kept)) as T;
  markOrderedDict(out);
  const metadata = getStateDictMetadata(stateDict);
  if (metadata) setStateDictMetadata(out, metadata);
  return { stateDict: out, skipped };
}

/** The shape of a tensor or of a tensor-like value with `dims` (a `LazyTensor` from `torch.load(..., { lazy: true })`). */
function dimsOf(value: unknown): readonly number[] | undefined {
  if (value instanceof Tensor) return value.dims;
  const dims: unknown = typeof value === "object" && value !== null ? (value as { dims?: unknown }).dims : undefined;
  return Array.isArray(dims) && dims.every((d) => typeof d === "number") ? (dims as number[]) : undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
