/** A node of the autograd graph: the op that produced a tensor, its inputs and its gradient rule. */
import type { Tensor } from "../tensor/tensor.ts";

/** Maps the gradient of an op's output to the gradients of its inputs (null where none is needed). */
export type BackwardFn = (gradOutput: Tensor) => (Tensor | null)[];

/** One recorded operation (PyTorch's `grad_fn`), e.g. `MulBackward0`. */
export class Node {
  /** Set on a non-leaf output whose `retainGrad()` was called. */
  retained: Tensor | null = null;

  constructor(
    /** PyTorch-style name, e.g. `AddBackward0`. */
    readonly name: string,
    /** The op's tensor inputs, in the order the backward function returns gradients. */
    readonly inputs: readonly (Tensor | null)[],
    /** The gradient rule; null once the graph has been freed by a backward pass. */
    public backwardFn: BackwardFn | null,
  ) {}

  /** `<MulBackward0>`. */
  toString(): string {
    return `<${this.name}>`;
  }
}
