/** nn.Parameter: a Tensor that modules register as a learnable parameter. */
import { pyReprSymbol } from "../python/index.ts";
import { Tensor } from "../tensor/tensor.ts";

/**
 * A Tensor that `Module` registers as a parameter when assigned to one of its fields. It shares the
 * storage of the tensor it wraps and requires grad by default.
 *
 * ```ts
 * const w = new nn.Parameter(torch.randn(3, 4)); // w.requiresGrad === true
 * ```
 */
export class Parameter extends Tensor {
  /** Wraps `data` (sharing its storage; an empty float tensor when omitted) as a leaf parameter. */
  constructor(data: Tensor = Tensor.empty([0]), requiresGrad = true) {
    super(data.storage, data.offset, data.dims, data.strides, data.dtype);
    if (requiresGrad) this.requiresGrad = true;
  }

  /** `Parameter containing:\ntensor(...)`, as PyTorch prints it. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }

  /** Python repr (same as toString). */
  override [pyReprSymbol](): string {
    return this.toString();
  }

  /** Node's util.inspect prints the PyTorch form. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * `tensor.data = source` in PyTorch: makes `target` view `source`'s storage, shape, strides and dtype
 * while keeping its identity (so optimizers holding a Parameter keep holding it) and its
 * requiresGrad flag. Used by `Module.to` / `Module._apply`.
 */
export function setTensorData(target: Tensor, source: Tensor): void {
  const { storage, offset, dims, strides, dtype } = source;
  Object.assign(target, { storage, offset, dims, strides, dtype });
}
