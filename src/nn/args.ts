/**
 * PyTorch-style argument passing for layer constructors and init functions: optional parameters may be
 * given positionally (`new nn.Conv2d(3, 6, 3, 2, 1)`) or by name in one trailing options object
 * (`new nn.Conv2d(3, 6, 3, { stride: 2, padding: 1 })`), or both (`new nn.MaxPool2d(3, 2, { padding: 1 })`).
 */
import { isPlainObject } from "../python/index.ts";
import type { DeviceLike } from "../tensor/device.ts";
import type { DTypeLike } from "../tensor/dtype.ts";
import { NNError } from "./errors.ts";

type Prefixes<P extends unknown[]> = P extends [...infer Init, unknown] ? P | Prefixes<Init> : [];

/**
 * The rest-parameter type of such a constructor: a prefix of the positional parameters `P`, then
 * optionally the options object `O`. `PositionalOrOptions<[stride: number, padding: number], Opts>` accepts
 * `[]`, `[opts]`, `[2]`, `[2, opts]`, `[2, 1]`, `[2, 1, opts]`.
 */
export type PositionalOrOptions<P extends unknown[], O> = Prefixes<P> extends infer X
  ? X extends unknown[] ? [...X, O?] : never
  : never;

/** Options every layer that creates tensors accepts (PyTorch's factory kwargs). */
export interface FactoryOptions {
  /** Where to create parameters and buffers: `"cpu"` (default) or `"meta"` (no memory). */
  device?: DeviceLike;
  /** Floating dtype of parameters (default float32). */
  dtype?: DTypeLike;
}

/** No factory options given: the defaults to spread into a layer's defaults. */
export const NO_FACTORY: FactoryOptions = {};

/**
 * Resolves `args` (positional values for `names`, in order, then maybe an options object) against
 * `defaults`. Options may also name the keyword-only parameters `keywordOnly`. Errors read like Python's.
 */
export function parseArgs<T extends object>(
  fn: string,
  names: readonly (keyof T & string)[],
  args: readonly unknown[],
  defaults: T,
  keywordOnly: readonly string[] = ["device", "dtype"],
): T {
  let positional = args;
  let options: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (args.length > 0 && isPlainObject(last)) {
    positional = args.slice(0, -1);
    options = last;
  }
  if (positional.length > names.length) {
    throw new NNError("ERR_NN_ARGUMENT", "TypeError", `${fn}() takes at most ${names.length} optional positional arguments but ${positional.length} were given`);
  }
  const result: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  positional.forEach((value, i) => {
    if (value !== undefined) result[names[i]] = value;
  });
  for (const [key, value] of Object.entries(options)) {
    const index = (names as readonly string[]).indexOf(key);
    if (index < 0 && !keywordOnly.includes(key)) {
      throw new NNError("ERR_NN_ARGUMENT", "TypeError", `${fn}() got an unexpected keyword argument '${key}'`);
    }
    if (index >= 0 && index < positional.length && positional[index] !== undefined) {
      throw new NNError("ERR_NN_ARGUMENT", "TypeError", `${fn}() got multiple values for argument '${key}'`);
    }
    if (value !== undefined) result[key] = value;
  }
  return result as T;
}
