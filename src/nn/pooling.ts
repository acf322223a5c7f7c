/** 2-D pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d. */
import type { Tensor } from "../tensor/tensor.ts";
import type { Tuple } from "../python/index.ts";
import { type PositionalOrOptions, parseArgs } from "./args.ts";
import * as F from "./functional.ts";
import { type IntOrPair, asPyValue, pyStr, toIntOrPair as toArg } from "./layer-utils.ts";
import { Module } from "./module.ts";

/** An int or an int pair as given (kept for the repr: `2` prints `2`, `[2, 2]` prints `(2, 2)`). */
type Size2 = number | Tuple<number>;

const toSize2 = (v: IntOrPair): Size2 => asPyValue<number>(v);

/** Options of `nn.MaxPool2d` (each may also be given positionally, in this order). */
export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  /** Also return the argmax indices (forward then returns `[output, indices]`). */
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/**
 * Max pooling over `[N, C, H, W]`: `new nn.MaxPool2d(2, 2)`, `new nn.MaxPool2d(3, { stride: 2, padding: 1 })`.
 * With `returnIndices`, forward returns `[output, indices]`; say so in the type argument to have it typed:
 * `new nn.MaxPool2d<true>(2, { returnIndices: true })`.
 */
export class MaxPool2d<ReturnIndices extends boolean = false> extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(
    kernelSize: IntOrPair,
    ...args: PositionalOrOptions<
      [stride: IntOrPair | null, padding: IntOrPair, dilation: IntOrPair, returnIndices: boolean, ceilMode: boolean],
      MaxPool2dOptions
    >
  ) {
    super();
    const o = parseArgs("MaxPool2d", ["stride", "padding", "dilation", "returnIndices", "ceilMode"], args, {
      stride: null as IntOrPair | null, padding: 0 as IntOrPair, dilation: 1 as IntOrPair, returnIndices: false, ceilMode: false,
    }, []);
    this.kernelSize = toSize2(kernelSize);
    this.stride = o.stride !== null ? toSize2(o.stride) : this.kernelSize;
    this.padding = toSize2(o.padding);
    this.dilation = toSize2(o.dilation);
    this.returnIndices = o.returnIndices;
    this.ceilMode = o.ceilMode;
  }

  /** `F.maxPool2d(input, kernelSize, { stride, padding, dilation, ceilMode, returnIndices })`. */
  override forward(input: Tensor): ReturnIndices extends true ? [Tensor, Tensor] : Tensor {
    const result = F.maxPool2d(input, toArg(this.kernelSize), {
      stride: toArg(this.stride), padding: toArg(this.padding), dilation: toArg(this.dilation), ceilMode: this.ceilMode,
      returnIndices: this.returnIndices,
    });
    return result as ReturnIndices extends true ? [Tensor, Tensor] : Tensor;
  }

  /** `kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False`. */
  override extraRepr(): string {
    return `kernel_size=${pyStr(this.kernelSize)}, stride=${pyStr(this.stride)}, padding=${pyStr(this.padding)}` +
      `, dilation=${pyStr(this.dilation)}, ceil_mode=${pyStr(this.ceilMode)}`;
  }
}

/** Options of `nn.AvgPool2d` (each may also be given positionally, in this order). */
export interface AvgPool2dOptions {
  /** Default: the kernel size. */
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  /** Count the zero padding in the average (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Average pooling over `[N, C, H, W]`: `new nn.AvgPool2d(2)`, `new nn.AvgPool2d(3, { stride: 2, padding: 1 })`. */
export class AvgPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(
    kernelSize: IntOrPair,
    ...args: PositionalOrOptions<
      [stride: IntOrPair | null, padding: IntOrPair, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null],
      AvgPool2dOptions
    >
  ) {
    super();
    const o = parseArgs("AvgPool2d", ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], args, {
      stride: null as IntOrPair | null, padding: 0 as IntOrPair, ceilMode: false, countIncludePad: true, divisorOverride: null as number | null,
    }, []);
    this.kernelSize = toSize2(kernelSize);
    this.stride = o.stride !== null ? toSize2(o.stride) : this.kernelSize;
    this.padding = toSize2(o.padding);
    this.ceilMode = o.ceilMode;
    this.countIncludePad = o.countIncludePad;
    this.divisorOverride = o.divisorOverride;
  }

  /** `F.avgPool2d(input, kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride })`. */
  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, toArg(this.kernelSize), {
      stride: toArg(this.stride), padding: toArg(this.padding), ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
      ...(this.divisorOverride !== null ? { divisorOverride: this.divisorOverride } : {}),
    });
  }

  /** `kernel_size=2, stride=2, padding=0`. */
  override extraRepr(): string {
    return `kernel_size=${pyStr(this.kernelSize)}, stride=${pyStr(this.stride)}, padding=${pyStr(this.padding)}`;
  }
}

/** Target size of adaptive pooling: an int, or a pair whose entries may be null (keep that input size). */
export type AdaptiveSize = number | readonly (number | null)[];

/** Average pooling to a fixed output size (`nn.AdaptiveAvgPool2d(1)`, `nn.AdaptiveAvgPool2d([7, 7])`). */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number | Tuple<number | null>;

  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = asPyValue<number | null>(outputSize) as number | Tuple<number | null>;
  }

  /** `F.adaptiveAvgPool2d(input, outputSize)`. */
  override forward(input: Tensor): Tensor {
    const size = this.outputSize;
    return F.adaptiveAvgPool2d(input, typeof size === "number" ? size : [size[0], size[size.length === 1 ? 0 : 1]]);
  }

  /** `output_size=(1, 1)`. */
  override extraRepr(): string {
    return `output_size=${pyStr(this.outputSize)}`;
  }
}
