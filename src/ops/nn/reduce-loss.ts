/** The shared tail of element-wise losses: reduce per-element values, and scale gradients accordingly. */
import { Tensor } from "../../tensor/tensor.ts";
import { type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import type { Reduction } from "./args.ts";

/** The loss tensor for per-element values `values` of shape `shape`: as they are, summed, or averaged. */
export function reduceLoss(values: FloatArray, shape: readonly number[], reduction: Reduction, like: Tensor): Tensor {
  if (reduction === "none") return fromNumbers(values, shape, like.dtype);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return fromNumbers([reduction === "mean" ? s / values.length : s], [], like.dtype);
}

/** The upstream gradient of element i of a reduced loss: g[i] ("none"), g, or g / n ("mean"). */
export function gradientScale(g: Tensor, reduction: Reduction, n: number): (i: number) => number {
  const G = toFloatArray(g);
  if (reduction === "none") return (i) => G[i];
  const s = reduction === "mean" ? G[0] / n : G[0];
  return () => s;
}
