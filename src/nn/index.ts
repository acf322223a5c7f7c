/**
 * `torch.nn` for tsorch: Module, Parameter, the layers, `init`, `utils`, and state-dict helpers.
 *
 * ```ts
 * import { nn } from "tsorch";
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * const sd = model.stateDict(); // { "0.weight": Tensor, "0.bias": ..., "2.weight": ..., "2.bias": ... }
 * ```
 */
export {
  Module, RemovableHandle,
  type ForwardHook, type ForwardPreHook, type LoadStateDictOptions, type NamedMembersOptions,
  type NamedModulesOptions, type StateDictOptions,
} from "./module.ts";
export { Parameter } from "./parameter.ts";
export { type ModuleConstructor, createUninitializedModule } from "./uninitialized.ts";
export {
  type ModuleMetadata, type StateDict, type StateDictLike, type StateDictMetadata,
  IncompatibleKeys, cloneStateDict, emptyStateDict, getStateDictMetadata, setStateDictMetadata,
} from "./state-dict.ts";
export { type LoadContext } from "./module-state.ts";
export { LoadStateDictError, NNError, type NNErrorCode, type PythonErrorType } from "./errors.ts";
export { type FactoryOptions, type PositionalOrOptions } from "./args.ts";
export { type IntOrPair } from "./layer-utils.ts";
export { Sequential, ModuleList, ModuleDict } from "./container.ts";
export { Identity, Linear, type LinearOptions } from "./linear.ts";
export { Conv2d, type Conv2dOptions, type ConvPadding, type PaddingMode } from "./conv.ts";
export {
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions, type AdaptiveSize,
} from "./pooling.ts";
export { BatchNormBase, BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./batchnorm.ts";
export { Dropout, Flatten } from "./dropout.ts";
export { Embedding, type EmbeddingOptions } from "./sparse.ts";
export { LayerNorm, type LayerNormOptions } from "./normalization.ts";
export { ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax } from "./activation.ts";
export {
  CrossEntropyLoss, MSELoss, NLLLoss,
  type CrossEntropyLossOptions, type LossOptions, type Reduction, type WeightedLossOptions,
} from "./loss.ts";
export * as init from "./init.ts";
export * as utils from "./utils.ts";
export { type KeyReplacement, type ShapeMismatch, filterStateDictByShape, renameStateDictKeys } from "./state-dict-tools.ts";
export * as functional from "./functional.ts";
