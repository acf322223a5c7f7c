/**
 * Copies of optimizer state the way `Optimizer.load_state_dict` makes them: `copy.deepcopy` of the whole state
 * dict, then `_cast` of each parameter's state to the parameter's dtype and device.
 */
import { noGrad } from "../autograd/grad-mode.ts";
import { isOrderedDict, isPlainObject, markOrderedDict } from "../python/dict.ts";
import { Tuple } from "../python/tuple.ts";
import { Tensor } from "../tensor/tensor.ts";

/**
 * `copy.deepcopy`: tensors are cloned (dtype, shape and requiresGrad kept), Maps, plain objects, lists, tuples and
 * sets are rebuilt, everything else (numbers, strings, PyFloat, other objects) is shared. Objects referenced twice
 * are copied once, as deepcopy's memo does.
 */
export function deepCopy<T>(value: T, memo = new Map<unknown, unknown>()): T {
  if (typeof value !== "object" || value === null) return value;
  const seen = memo.get(value);
  if (seen !== undefined) return seen as T;
  if (value instanceof Tensor) {
    const copy = noGrad(() => value.clone());
    if (value.requiresGrad && value.isLeaf) copy.requiresGrad = true;
    memo.set(value, copy);
    return copy as T;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    memo.set(value, copy);
    for (const [k, v] of value) copy.set(deepCopy(k, memo), deepCopy(v, memo));
    return (isOrderedDict(value) ? markOrderedDict(copy) : copy) as T;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = value instanceof Tuple ? new Tuple() : [];
    memo.set(value, copy);
    for (const v of value) copy.push(deepCopy(v, memo));
    return copy as T;
  }
  if (value instanceof Set) {
    const copy = new (value.constructor as SetConstructor)();
    memo.set(value, copy);
    for (const v of value) copy.add(deepCopy(v, memo));
    return copy as T;
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
    memo.set(value, copy);
    for (const [k, v] of Object.entries(value)) copy[k] = deepCopy(v, memo);
    return (isOrderedDict(value) ? markOrderedDict(copy) : copy) as T;
  }
  return value;
}

/**
 * 1.13's `_cast(param, value, key)`: tensors go to the param's device, and floating ones to its dtype when the param
 * is floating, except under the key `step` (pytorch#74424); dicts and lists are rebuilt around cast values.
 * Dicts come back as plain dicts (an OrderedDict marker is dropped, as Python's dict comprehension does).
 */
export function castState(param: Tensor, value: unknown, key?: unknown): unknown {
  if (value instanceof Tensor) {
    if (key === "step") return value;
    let out = value;
    if (param.isFloatingPoint()) out = out.to(param.dtype);
    return out.to(param.device);
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, castState(param, v, k));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = castState(param, v, k);
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = value instanceof Tuple ? new Tuple() : [];
    for (const v of value) out.push(castState(param, v));
    return out;
  }
  if (value instanceof Set) {
    const out = new (value.constructor as SetConstructor)();
    for (const v of value) out.add(castState(param, v));
    return out;
  }
  return value;
}
