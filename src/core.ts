/**
 * The platform-neutral part of tsorch's public API; src/index.ts (Node.js) and src/browser.ts (browsers) add
 * torch.save / torch.load and safetensors for their platform on top of it.
 */
export { Tensor, type TensorOrScalar, type ToOptions } from "./tensor/tensor.ts";
export { Size } from "./tensor/size.ts";
export { Storage } from "./tensor/storage.ts";
export { Device, type DeviceLike } from "./tensor/device.ts";
export {
  DType, type DTypeLike, type DTypeName,
  float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool, complex64, complex128,
  float32 as float, float64 as double, float16 as half, int64 as long, int32 as int, int16 as short,
  promoteTypes,
} from "./tensor/dtype.ts";
export { Generator, manualSeed, getRngState, setRngState } from "./tensor/random.ts";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.ts";
export {
  tensor, zeros, ones, full, empty, arange, linspace, eye, rand, randn, randint, randperm,
  zerosLike, onesLike, fullLike, randLike, randnLike, emptyLike,
  type CreationOptions, type NestedData,
} from "./ops/creation.ts";
export { add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, abs, clamp, maximum, minimum } from "./ops/elementwise.ts";
export { sum, mean, argmax, argmin } from "./ops/reduce.ts";
export { matmul } from "./ops/matmul.ts";
export { relu, sigmoid, tanh, softmax, logSoftmax } from "./ops/activation.ts";
export { cat, stack, flatten, transpose, permute } from "./ops/shape-ops.ts";
export { saveToBlob } from "./serialization/torch/browser.ts";
export {
  BlobSink, blobSource, httpRangeSource, type HttpRangeSource, type HttpRangeSourceOptions, type AsyncByteSink, type AsyncByteSource,
  type ByteSink, type ByteSource,
} from "./io/index.ts";
export * as nn from "./nn/index.ts";
export * as optim from "./optim/index.ts";
export * as F from "./nn/functional.ts";
export * as utils from "./utils.ts";
export {
  Tuple, tuple, PyFloat, pyFloat, isPyFloat, orderedDict, markOrderedDict, isOrderedDict, pyRepr, PyObject, PyGlobal,
} from "./python/index.ts";
