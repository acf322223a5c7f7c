/** Helpers shared by the layer files: factory tensors, PyTorch's `_pair`, and repr formatting of values. */
import { CPU, toDevice } from "../tensor/device.ts";
import { float32, toDType } from "../tensor/dtype.ts";
import { Tensor } from "../tensor/tensor.ts";
import { Tuple, floatRepr, pyRepr, tupleFrom } from "../python/index.ts";
import type { FactoryOptions } from "./args.ts";

/** An int, or a pair of ints given as an array (`3` or `[3, 5]`), as PyTorch's `_size_2_t`. */
export type IntOrPair = number | readonly number[];

/** An uninitialised parameter-sized tensor (zero-filled; no memory on the meta device). */
export function factoryEmpty(shape: readonly number[], options: FactoryOptions): Tensor {
  const dtype = options.dtype !== undefined ? toDType(options.dtype) : float32;
  const device = options.device !== undefined ? toDevice(options.device) : CPU;
  return Tensor.empty(shape, dtype, device);
}

/** PyTorch's `_pair`: `3 -> (3, 3)`, `[3, 5] -> (3, 5)`, as a Python tuple. */
export function pair(value: IntOrPair): Tuple<number> {
  return typeof value === "number" ? tupleFrom([value, value]) : tupleFrom(value);
}

/** A tuple of two ints as the functional ops take it. */
export function toPair(value: readonly number[]): [number, number] {
  return [value[0], value[1]];
}

/** An int or int pair as kept by a layer, as the functional ops take it. */
export function toIntOrPair(value: number | readonly number[]): number | [number, number] {
  return typeof value === "number" ? value : [value[0], value[value.length === 1 ? 0 : 1]];
}

/** A value as PyTorch keeps it for the repr: arrays become tuples, numbers stay. */
export function asPyValue<T>(value: T | readonly T[]): T | Tuple<T> {
  return Array.isArray(value) ? tupleFrom(value as readonly T[]) : (value as T);
}

/** Python's `str(value)` as `'{}'.format(value)` prints it (strings unquoted, tuples, None, True). */
export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/** Python's `str(float(value))`: `1e-05`, `0.1`, `0.0`; null prints `None`. */
export function pyFloatStr(value: number | null): string {
  return value === null ? "None" : floatRepr(value);
}
