/** Tensor creation: tensor, zeros, ones, full, arange, linspace, rand, randn, randint, eye and the *Like forms. */
import { CPU, type DeviceLike, toDevice } from "../tensor/device.ts";
import { type DType, type DTypeLike, bool, float32, int64, toDType } from "../tensor/dtype.ts";
import { globalGenerator } from "../tensor/random.ts";
import { Tensor } from "../tensor/tensor.ts";
import { fromNumbers } from "./convert.ts";
import { shapeArgs } from "./shape-ops.ts";

/** Options shared by creation functions. */
export interface CreationOptions {
  dtype?: DTypeLike;
  device?: DeviceLike;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers or booleans. */
export type NestedData = number | boolean | readonly NestedData[];

function finish(t: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function shapeAndOptions(args: unknown[]): [number[], CreationOptions] {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && typeof last === "object" && !Array.isArray(last);
  const dims = (hasOptions ? args.slice(0, -1) : args) as number[] | [readonly number[]];
  return [shapeArgs(dims), hasOptions ? (last as CreationOptions) : {}];
}

function inferDtype(data: NestedData): DType {
  let sawFloat = false;
  let sawBool = false;
  const visit = (x: NestedData): void => {
    if (typeof x === "boolean") sawBool = true;
    else if (typeof x === "number") { if (!Number.isInteger(x)) sawFloat = true; }
    else x.forEach(visit);
  };
  visit(data);
  return sawFloat ? float32 : sawBool ? bool : int64;
}

/**
 * A tensor from nested arrays (dtype inferred as PyTorch does: floats give float32, ints int64, booleans bool),
 * or from a typed array with a shape (`torch.tensor(new Float32Array(...), { shape: [2, 3] })`).
 */
export function tensor(data: NestedData | ArrayLike<number>, options: CreationOptions & { shape?: readonly number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const arr = data as unknown as ArrayLike<number>;
    const dtype = options.dtype ? toDType(options.dtype) : data instanceof Float64Array ? toDType("float64") : float32;
    return finish(fromNumbers(Array.from(arr), options.shape ?? [arr.length], dtype), options);
  }
  const shape: number[] = [];
  let probe: NestedData = data as NestedData;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedData;
    if (probe === undefined) break;
  }
  const flat: number[] = [];
  const walk = (x: NestedData, d: number): void => {
    if (Array.isArray(x)) {
      if (x.length !== shape[d]) throw new RangeError(`expected sequence of length ${shape[d]} at dim ${d} (got ${x.length})`);
      x.forEach((y) => walk(y, d + 1));
    } else {
      if (d !== shape.length) throw new RangeError(`expected a sequence at dim ${d}`);
      flat.push(typeof x === "boolean" ? Number(x) : (x as number));
    }
  };
  walk(data as NestedData, 0);
  const dtype = options.dtype ? toDType(options.dtype) : inferDtype(data as NestedData);
  return finish(fromNumbers(flat, shape, dtype), options);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, options: CreationOptions = {}): Tensor {
  const dtype = options.dtype ? toDType(options.dtype) : typeof value === "boolean" ? bool : Number.isInteger(value) ? int64 : float32;
  const t = Tensor.empty(shape, dtype, options.device ? toDevice(options.device) : CPU);
  if (!t.isMeta && value !== 0) t.fill_(Number(value));
  return finish(t, options);
}

/** Zeros: `zeros(2, 3)`, `zeros([2, 3], { dtype: "float64" })`. */
export function zeros(...args: (number | readonly number[] | CreationOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return full(shape, 0, { dtype: float32, ...options });
}

/** Ones. */
export function ones(...args: (number | readonly number[] | CreationOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return full(shape, 1, { dtype: float32, ...options });
}

/** Uninitialised memory in PyTorch; zero-filled here. */
export function empty(...args: (number | readonly number[] | CreationOptions)[]): Tensor {
  return zeros(...args);
}

/**
 * `arange(end)`, `arange(start, end, step?)`, each optionally followed by options (`arange(5, { dtype: "float32" })`);
 * integer arguments give int64, as in PyTorch.
 */
export function arange(...args: (number | CreationOptions | undefined)[]): Tensor {
  const last = args[args.length - 1];
  const options: CreationOptions = typeof last === "object" && last !== null ? (args.pop() as CreationOptions) : {};
  const [a, b, c] = args as (number | undefined)[];
  if (typeof a !== "number" || args.length > 3) throw new TypeError("arange() takes (end) or (start, end[, step]), then optional options");
  const [start, end, step] = b === undefined ? [0, a, c ?? 1] : [a, b, c ?? 1];
  if (step === 0) throw new RangeError("step must be nonzero");
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError("unsupported range: start and end must be finite");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = Array.from({ length: n }, (_, i) => start + i * step);
  const dtype = options.dtype ? toDType(options.dtype) : [start, end, step].every(Number.isInteger) ? int64 : float32;
  return finish(fromNumbers(values, [n], dtype), options);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, options: CreationOptions = {}): Tensor {
  const values = Array.from({ length: steps }, (_, i) => (steps === 1 ? start : start + ((end - start) * i) / (steps - 1)));
  return finish(fromNumbers(values, [steps], options.dtype ? toDType(options.dtype) : float32), options);
}

/** Identity matrix. */
export function eye(n: number, m = n, options: CreationOptions = {}): Tensor {
  const values = new Array<number>(n * m).fill(0);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return finish(fromNumbers(values, [n, m], options.dtype ? toDType(options.dtype) : float32), options);
}

/** Uniform samples in [0, 1). */
export function rand(...args: (number | readonly number[] | CreationOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  const t = full(shape, 0, { dtype: float32, ...options, requiresGrad: false });
  t.uniform_(0, 1);
  return finish(t, options);
}

/** Standard normal samples. */
export function randn(...args: (number | readonly number[] | CreationOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  const t = full(shape, 0, { dtype: float32, ...options, requiresGrad: false });
  t.normal_(0, 1);
  return finish(t, options);
}

/** Uniform integers in [low, high) (int64 by default). */
export function randint(low: number, high: number, shape: readonly number[], options: CreationOptions = {}): Tensor {
  const gen = globalGenerator();
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => gen.randint(low, high));
  return finish(fromNumbers(values, shape, options.dtype ? toDType(options.dtype) : int64), options);
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number): Tensor {
  const gen = globalGenerator();
  const values = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return fromNumbers(values, [n], int64);
}

function likeOptions(t: Tensor, options: CreationOptions): CreationOptions {
  return { dtype: t.dtype, device: t.device, ...options };
}
/** Zeros shaped like t. */
export function zerosLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return full(t.dims, 0, likeOptions(t, options));
}
/** Ones shaped like t. */
export function onesLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return full(t.dims, 1, likeOptions(t, options));
}
/** A tensor shaped like t filled with value. */
export function fullLike(t: Tensor, value: number, options: CreationOptions = {}): Tensor {
  return full(t.dims, value, likeOptions(t, options));
}
/** Uniform samples shaped like t. */
export function randLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return rand([...t.dims], likeOptions(t, options));
}
/** Normal samples shaped like t. */
export function randnLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return randn([...t.dims], likeOptions(t, options));
}
/** Zero-filled tensor shaped like t (PyTorch leaves it uninitialised). */
export function emptyLike(t: Tensor, options: CreationOptions = {}): Tensor {
  return zerosLike(t, options);
}
