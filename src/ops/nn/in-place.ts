/** The `inplace=True` option of activations and dropout. */
import { isGradEnabled } from "../../autograd/grad-mode.ts";
import type { Tensor } from "../../tensor/tensor.ts";
import { assign, checkInPlace } from "../inplace.ts";

/**
 * For `inplace`, writes `result` into the memory of `input` and returns `input` (PyTorch's error for a leaf that
 * requires grad). When `input` takes part in autograd tsorch returns `result` instead: the same values, but a new
 * tensor, because the graph cannot be rewritten in place.
 */
export function inPlaceResult(input: Tensor, result: Tensor, inplace: boolean | undefined): Tensor {
  if (!inplace || result === input) return result;
  checkInPlace(input);
  if (input.requiresGrad && isGradEnabled()) return result;
  assign(input, result.detach());
  return input;
}
