/**
 * torch.nn.functional for tsorch, imported as `F`:
 *
 * ```ts
 * import { F } from "tsorch";
 * const y = F.maxPool2d(F.relu(F.conv2d(x, w, b, { padding: 1 })), 2);
 * const loss = F.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * ```
 *
 * PyTorch's names camelCased; keyword arguments become a trailing options object; int-or-tuple arguments take
 * `number | [number, number]`. Every op is differentiable where PyTorch's is (first-order gradients).
 */
import type { Tensor } from "../tensor/tensor.ts";
import * as A from "../ops/activation.ts";
import * as S from "../ops/shape-ops.ts";

export { linear } from "../ops/nn/linear.ts";
export { conv2d, type Conv2dOptions } from "../ops/nn/conv.ts";
export {
  maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d,
  type MaxPool2dOptions, type AvgPool2dOptions, type AdaptiveSize,
} from "../ops/nn/pooling.ts";
export { batchNorm, type BatchNormOptions } from "../ops/nn/batch-norm.ts";
export { layerNorm } from "../ops/nn/layer-norm.ts";
export { groupNorm } from "../ops/nn/group-norm.ts";
export { dropout, dropout2d, type DropoutOptions } from "../ops/nn/dropout.ts";
export { embedding, type EmbeddingOptions } from "../ops/nn/embedding.ts";
export { relu, relu6, leakyRelu, hardtanh, gelu, silu, type GeluOptions } from "../ops/nn/activations.ts";
export { nllLoss, type NllLossOptions } from "../ops/nn/nll-loss.ts";
export { crossEntropy, type CrossEntropyOptions } from "../ops/nn/cross-entropy.ts";
export { mseLoss, l1Loss, smoothL1Loss, huberLoss, type LossOptions } from "../ops/nn/regression-loss.ts";
export {
  binaryCrossEntropy, binaryCrossEntropyWithLogits,
  type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions,
} from "../ops/nn/binary-loss.ts";
export type { IntOrPair, Reduction } from "../ops/nn/args.ts";

/** 1 / (1 + e^-x). */
export function sigmoid(input: Tensor): Tensor {
  return A.sigmoid(input);
}

/** Hyperbolic tangent. */
export function tanh(input: Tensor): Tensor {
  return A.tanh(input);
}

/** Softmax along `dim` (exp(x) / sum exp(x)), computed stably. */
export function softmax(input: Tensor, dim: number): Tensor {
  return A.softmax(input, dim);
}

/** log(softmax(x)) along `dim`, computed stably. */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  return A.logSoftmax(input, dim);
}

/** Flattens dims startDim..endDim into one (`torch.flatten`; a view when possible). */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  return S.flatten(input, startDim, endDim);
}
