/**
 * tsorch's layers as PyTorch 1.13 pickles them: each layer's Python class and the attributes of its `__dict__`
 * beyond nn.Module's own, in PyTorch's order, with the tsorch field each one maps to (`kernel_size` <->
 * `kernelSize`) and how the value converts (Python floats stay floats: `norm_type` 2.0 is written as 2.0).
 * test/serialization/whole-model-layers.test.ts checks these against `layer.__dict__` in PyTorch.
 */
import { PyFloat } from "../../python/float.ts";
import { Tuple, tupleFrom } from "../../python/tuple.ts";
import { pyTypeName } from "../../python/types.ts";
import { Module } from "../../nn/module.ts";
import type { ModuleConstructor } from "../../nn/uninitialized.ts";
import { GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "../../nn/activation.ts";
import { BatchNorm1d, BatchNorm2d } from "../../nn/batchnorm.ts";
import { ModuleDict, ModuleList, Sequential } from "../../nn/container.ts";
import { Conv2d } from "../../nn/conv.ts";
import { Dropout, Flatten } from "../../nn/dropout.ts";
import { Identity, Linear } from "../../nn/linear.ts";
import { LayerNorm } from "../../nn/normalization.ts";
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from "../../nn/pooling.ts";
import { Embedding } from "../../nn/sparse.ts";
import { CheckpointError } from "./errors.ts";

/** How a value converts between the Python attribute and the tsorch field. */
export interface ValueKind {
  /** What the error says was expected. */
  readonly expected: string;
  /** The tsorch field value for a Python value, or undefined when the value does not fit. */
  fromPython(value: unknown): unknown;
  /** The Python value for the tsorch field (the module is there for kinds that depend on other fields). */
  toPython(value: unknown, module: Module): unknown;
}

/** One attribute of a layer's `__dict__`. */
export interface AttributeSpec {
  /** The Python attribute (`kernel_size`). */
  readonly python: string;
  /** The tsorch field (`kernelSize`). */
  readonly field: string;
  readonly kind: ValueKind;
  /** The value to use when a file lacks the attribute (older PyTorch); computed from the fields set so far. */
  readonly fallback?: (module: Module) => unknown;
}

/** A tsorch layer and its Python class. */
export interface LayerSpec {
  /** `torch.nn.modules.linear.Linear`. */
  readonly python: string;
  readonly Cls: ModuleConstructor;
  readonly attributes: readonly AttributeSpec[];
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const same = (v: unknown): unknown => v;

function kind(expected: string, accepts: (v: unknown) => boolean, toPython: ValueKind["toPython"] = same): ValueKind {
  return { expected, fromPython: (v) => (accepts(v) ? v : undefined), toPython };
}

const INT = kind("an int", isInt);
const BOOL = kind("a bool", (v) => typeof v === "boolean");
const STR = kind("a str", (v) => typeof v === "string");
const INT_OR_NONE = kind("an int or None", (v) => v === null || isInt(v));

/** Python float: a PyFloat (integral floats) or a number in, a number in tsorch, written as a float again. */
const floatKind = (orNone: boolean): ValueKind => ({
  expected: orNone ? "a float or None" : "a float",
  fromPython: (v) => (v instanceof PyFloat ? v.value : typeof v === "number" || (orNone && v === null) ? v : undefined),
  toPython: (v) => (typeof v === "number" && Number.isInteger(v) ? new PyFloat(v) : v),
});
const FLOAT = floatKind(false);
const FLOAT_OR_NONE = floatKind(true);

const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isInt);

/** A tuple of ints (`kernel_size=(3, 3)`); a list is accepted and becomes a tuple. */
const INT_TUPLE: ValueKind = {
  expected: "a tuple of ints",
  fromPython: (v) => (isIntList(v) ? tupleFrom(v) : undefined),
  toPython: (v) => tupleFrom(v as number[]),
};

/** An int or a tuple of ints, kept as given (pooling's `kernel_size=2` or `(2, 2)`). */
const INT_OR_TUPLE: ValueKind = {
  expected: "an int or a tuple of ints",
  fromPython: (v) => (isInt(v) ? v : isIntList(v) ? tupleFrom(v) : undefined),
  toPython: (v) => (Array.isArray(v) ? tupleFrom(v) : v),
};

/** AdaptiveAvgPool2d's `output_size`: an int, or a tuple whose items may be None. */
const ADAPTIVE_SIZE: ValueKind = {
  expected: "an int or a tuple of ints and Nones",
  fromPython: (v) => (isInt(v) ? v : Array.isArray(v) && v.every((x) => x === null || isInt(x)) ? tupleFrom(v as (number | null)[]) : undefined),
  toPython: (v) => (Array.isArray(v) ? tupleFrom(v) : v),
};

/** Conv2d's `padding`: a tuple of ints, or 'same' / 'valid'. */
const CONV_PADDING: ValueKind = {
  expected: "a tuple of ints or 'same'/'valid'",
  fromPython: (v) => (v === "same" || v === "valid" ? v : isIntList(v) ? tupleFrom(v) : undefined),
  toPython: (v) => (typeof v === "string" ? v : tupleFrom(v as number[])),
};

/** `_reversed_padding_repeated_twice`: a tuple in PyTorch for numeric padding, a list for string padding. */
const REVERSED_PADDING: ValueKind = {
  expected: "a tuple or list of ints",
  fromPython: (v) => (isIntList(v) ? [...v] : undefined),
  toPython: (v, module) => (typeof Reflect.get(module, "padding") === "string" ? [...(v as number[])] : tupleFrom(v as number[])),
};

const attr = (python: string, field: string, k: ValueKind, fallback?: AttributeSpec["fallback"]): AttributeSpec => ({ python, field, kind: k, fallback });

function conv2dReversedPadding(module: Module): number[] {
  const padding = Reflect.get(module, "padding") as Tuple<number> | string;
  if (typeof padding !== "string") return [...padding].reverse().flatMap((p) => [p, p]);
  const kernel = Reflect.get(module, "kernelSize") as number[];
  const dilation = Reflect.get(module, "dilation") as number[];
  const out = new Array<number>(2 * kernel.length).fill(0);
  if (padding === "same") {
    kernel.forEach((k, d) => {
      const total = dilation[d] * (k - 1);
      const left = Math.floor(total / 2);
      out[2 * (kernel.length - 1 - d)] = left;
      out[2 * (kernel.length - 1 - d) + 1] = total - left;
    });
  }
  return out;
}

const batchNorm = [
  attr("num_features", "numFeatures", INT),
  attr("eps", "eps", FLOAT),
  attr("momentum", "momentum", FLOAT_OR_NONE),
  attr("affine", "affine", BOOL),
  attr("track_running_stats", "trackRunningStats", BOOL),
];

/** tsorch's layers under PyTorch's class names, with their attributes in PyTorch 1.13's `__dict__` order. */
export const BUILTIN_LAYERS: readonly LayerSpec[] = [
  { python: "torch.nn.modules.module.Module", Cls: Module, attributes: [] },
  { python: "torch.nn.modules.container.Sequential", Cls: Sequential, attributes: [] },
  { python: "torch.nn.modules.container.ModuleList", Cls: ModuleList, attributes: [] },
  { python: "torch.nn.modules.container.ModuleDict", Cls: ModuleDict, attributes: [] },
  { python: "torch.nn.modules.linear.Identity", Cls: Identity, attributes: [] },
  {
    python: "torch.nn.modules.linear.Linear", Cls: Linear,
    attributes: [attr("in_features", "inFeatures", INT), attr("out_features", "outFeatures", INT)],
  },
  {
    python: "torch.nn.modules.conv.Conv2d", Cls: Conv2d,
    attributes: [
      attr("in_channels", "inChannels", INT),
      attr("out_channels", "outChannels", INT),
      attr("kernel_size", "kernelSize", INT_TUPLE),
      attr("stride", "stride", INT_TUPLE),
      attr("padding", "padding", CONV_PADDING),
      attr("dilation", "dilation", INT_TUPLE),
      attr("transposed", "transposed", BOOL, () => false),
      attr("output_padding", "outputPadding", INT_TUPLE, () => tupleFrom([0, 0])),
      attr("groups", "groups", INT),
      attr("padding_mode", "paddingMode", STR, () => "zeros"),
      attr("_reversed_padding_repeated_twice", "_reversedPaddingRepeatedTwice", REVERSED_PADDING, conv2dReversedPadding),
    ],
  },
  { python: "torch.nn.modules.batchnorm.BatchNorm1d", Cls: BatchNorm1d, attributes: batchNorm },
  { python: "torch.nn.modules.batchnorm.BatchNorm2d", Cls: BatchNorm2d, attributes: batchNorm },
  {
    python: "torch.nn.modules.normalization.LayerNorm", Cls: LayerNorm,
    attributes: [attr("normalized_shape", "normalizedShape", INT_TUPLE), attr("eps", "eps", FLOAT), attr("elementwise_affine", "elementwiseAffine", BOOL)],
  },
  {
    python: "torch.nn.modules.sparse.Embedding", Cls: Embedding,
    attributes: [
      attr("num_embeddings", "numEmbeddings", INT),
      attr("embedding_dim", "embeddingDim", INT),
      attr("padding_idx", "paddingIdx", INT_OR_NONE),
      attr("max_norm", "maxNorm", FLOAT_OR_NONE),
      attr("norm_type", "normType", FLOAT),
      attr("scale_grad_by_freq", "scaleGradByFreq", BOOL),
      attr("sparse", "sparse", BOOL),
    ],
  },
  {
    python: "torch.nn.modules.pooling.MaxPool2d", Cls: MaxPool2d,
    attributes: [
      attr("kernel_size", "kernelSize", INT_OR_TUPLE),
      attr("stride", "stride", INT_OR_TUPLE),
      attr("padding", "padding", INT_OR_TUPLE),
      attr("dilation", "dilation", INT_OR_TUPLE),
      attr("return_indices", "returnIndices", BOOL),
      attr("ceil_mode", "ceilMode", BOOL),
    ],
  },
  {
    python: "torch.nn.modules.pooling.AvgPool2d", Cls: AvgPool2d,
    attributes: [
      attr("kernel_size", "kernelSize", INT_OR_TUPLE),
      attr("stride", "stride", INT_OR_TUPLE),
      attr("padding", "padding", INT_OR_TUPLE),
      attr("ceil_mode", "ceilMode", BOOL),
      attr("count_include_pad", "countIncludePad", BOOL),
      attr("divisor_override", "divisorOverride", INT_OR_NONE, () => null),
    ],
  },
  { python: "torch.nn.modules.pooling.AdaptiveAvgPool2d", Cls: AdaptiveAvgPool2d, attributes: [attr("output_size", "outputSize", ADAPTIVE_SIZE)] },
  { python: "torch.nn.modules.dropout.Dropout", Cls: Dropout, attributes: [attr("p", "p", FLOAT), attr("inplace", "inplace", BOOL)] },
  { python: "torch.nn.modules.flatten.Flatten", Cls: Flatten, attributes: [attr("start_dim", "startDim", INT), attr("end_dim", "endDim", INT)] },
  { python: "torch.nn.modules.activation.ReLU", Cls: ReLU, attributes: [attr("inplace", "inplace", BOOL)] },
  { python: "torch.nn.modules.activation.Sigmoid", Cls: Sigmoid, attributes: [] },
  { python: "torch.nn.modules.activation.Tanh", Cls: Tanh, attributes: [] },
  { python: "torch.nn.modules.activation.GELU", Cls: GELU, attributes: [attr("approximate", "approximate", STR, () => "none")] },
  { python: "torch.nn.modules.activation.Softmax", Cls: Softmax, attributes: [attr("dim", "dim", INT_OR_NONE, () => null)] },
  { python: "torch.nn.modules.activation.LogSoftmax", Cls: LogSoftmax, attributes: [attr("dim", "dim", INT_OR_NONE, () => null)] },
];

/** The tsorch field value of a layer attribute read from a file; throws BAD_MODULE_STATE when it does not fit. */
export function layerValueFromPython(layer: LayerSpec, spec: AttributeSpec, value: unknown): unknown {
  const converted = spec.kind.fromPython(value);
  if (converted === undefined) {
    throw new CheckpointError("BAD_MODULE_STATE",
      `${layer.python}: attribute '${spec.python}' must be ${spec.kind.expected}, got ${pyTypeName(value)}`);
  }
  return converted;
}
