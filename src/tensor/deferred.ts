/**
 * Deferred tensors: tensors of a checkpoint whose data is read on demand (the torch layer's LazyTensor).
 * `loadStateDict` copies them straight into the parameters they are loaded into, without a temporary tensor.
 */
import type { DType } from "./dtype.ts";
import type { Size } from "./size.ts";
import type { Tensor } from "./tensor.ts";

/** Brand of objects implementing DeferredTensor. */
export const deferredTensorBrand: unique symbol = Symbol.for("tsorch.DeferredTensor") as never;

/** A tensor known by dtype and shape whose data is read when needed. */
export interface DeferredTensor {
  readonly [deferredTensorBrand]: true;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly shape: Size;
  /** Reads the data and returns a real tensor. */
  materialize(): Tensor;
  /** Writes the values into `dst` (same shape), reading straight into its memory when layouts allow. */
  copyInto(dst: Tensor): void;
}

/** True for deferred tensors. */
export function isDeferredTensor(value: unknown): value is DeferredTensor {
  return typeof value === "object" && value !== null && (value as Partial<DeferredTensor>)[deferredTensorBrand] === true;
}
