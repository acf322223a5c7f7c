/** Argument helpers shared by the neural-network ops: int-or-pair options, PyTorch-style shape text, checks. */
import type { DType } from "../../tensor/dtype.ts";
import type { Tensor } from "../../tensor/tensor.ts";

/** An int, or one int per spatial dim (`kernel_size=3` or `kernel_size=(3, 5)`; a 1-list counts for both). */
export type IntOrPair = number | readonly number[];

/** Expands an int-or-pair option to a pair. */
export function pair(v: IntOrPair, name: string): [number, number] {
  if (typeof v === "number") return [v, v];
  if (v.length !== 2 && v.length !== 1) {
    throw new RangeError(`expected ${name} to be a single integer value or a list of 2 values to match the convolution dimensions, but got ${name}=${formatList(v)}`);
  }
  return v.length === 1 ? [v[0], v[0]] : [v[0], v[1]];
}

/** `[4, 1, 32, 32]`, as PyTorch prints sizes in messages. */
export function formatList(dims: readonly number[]): string {
  return `[${dims.join(", ")}]`;
}

/** `torch.Size([1, 3])`, as Python prints a size. */
export function formatSize(dims: readonly number[]): string {
  return `torch.Size(${formatList(dims)})`;
}

const SCALAR_NAMES: Record<string, string> = {
  float32: "Float", float64: "Double", float16: "Half", bfloat16: "BFloat16", int64: "Long", int32: "Int",
  int16: "Short", int8: "Char", uint8: "Byte", bool: "Bool", complex64: "ComplexFloat", complex128: "ComplexDouble",
};

/** ATen's scalar type name of a dtype (`Float`, `Long`). */
export function scalarTypeName(dtype: DType): string {
  return SCALAR_NAMES[dtype.name] ?? dtype.name;
}

/** The legacy tensor type name (`torch.FloatTensor`) that some PyTorch messages print. */
export function tensorTypeName(dtype: DType): string {
  return `torch.${scalarTypeName(dtype)}Tensor`;
}

/** PyTorch's message when two operands of one kernel differ in dtype. */
export function checkSameDtype(expected: Tensor, found: Tensor | null | undefined): void {
  if (found && found.dtype !== expected.dtype) {
    throw new TypeError(`expected scalar type ${scalarTypeName(expected.dtype)} but found ${scalarTypeName(found.dtype)}`);
  }
}

/** How a loss reduces its per-element values. */
export type Reduction = "none" | "mean" | "sum";

/** Validates a reduction name with PyTorch's message. */
export function checkReduction(reduction: unknown): Reduction {
  if (reduction === "none" || reduction === "mean" || reduction === "sum") return reduction;
  throw new RangeError(`${reduction === null || reduction === undefined ? "None" : String(reduction)} is not a valid value for reduction`);
}
