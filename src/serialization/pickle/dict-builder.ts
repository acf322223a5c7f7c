/**
 * A Python dict while the unpickler fills it. Whether it becomes a plain object or a Map depends on
 * its keys, which are known only once it is complete; the unpickler resolves a builder to its JS
 * dict when the dict is first used as a value (put into a container, passed to a handler, returned).
 * A later SETITEM on the same dict (only cyclic pickles do that) writes through to the JS dict.
 */
import { type PyDict, dictFromMap, isCanonicalArrayIndex, markOrderedDict, setPyAttribute } from "../../python/dict.ts";
import { pyRepr } from "../../python/repr.ts";
import { UnpicklingError } from "./errors.ts";

/** A dict under construction (internal to the unpickler and its built-in globals). */
export class DictBuilder {
  /** Items until the dict is finished (allocated on first use: most dicts in checkpoints are empty hooks). */
  private items: Map<unknown, unknown> | undefined;
  private attributes: Array<[string, unknown]> | undefined;
  private result: PyDict | undefined;

  /** @param ordered whether this is a `collections.OrderedDict` */
  constructor(readonly ordered: boolean) {}

  /** `dict[key] = value`. */
  set(key: unknown, value: unknown): void {
    if (this.result) setDictItem(this.result, key, value);
    else (this.items ??= new Map()).set(key, value);
  }

  /** `dict.__dict__[name] = value` (BUILD on an OrderedDict). */
  setAttribute(name: string, value: unknown): void {
    if (this.result) setPyAttribute(this.result, name, value);
    else (this.attributes ??= []).push([name, value]);
  }

  /** The JS dict (made on the first call, the same object afterwards). */
  finish(): PyDict {
    if (this.result) return this.result;
    const dict: PyDict = this.items ? dictFromMap(this.items) : {};
    if (this.ordered) markOrderedDict(dict);
    for (const [name, value] of this.attributes ?? []) setPyAttribute(dict, name, value);
    this.result = dict;
    this.items = undefined;
    this.attributes = undefined;
    return dict;
  }
}

/** `dict[key] = value` on a finished JS dict; a plain object accepts only keys that fit it. */
export function setDictItem(dict: PyDict, key: unknown, value: unknown): void {
  if (dict instanceof Map) {
    dict.set(key, value);
    return;
  }
  if (typeof key !== "string" || key === "__proto__" || isCanonicalArrayIndex(key)) {
    const shown = typeof key === "string" ? pyRepr(key) : `a key of type ${typeof key}`;
    throw new UnpicklingError(
      "BAD_VALUE",
      `cannot add ${shown} to a dict that was already used with string keys only (it is a plain object now)`,
    );
  }
  dict[key] = value;
}
