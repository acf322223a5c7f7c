/** 2-D convolution (`nn.Conv2d`). */
import type { Tensor } from "../tensor/tensor.ts";
import type { Tuple } from "../python/index.ts";
import { type FactoryOptions, NO_FACTORY, type PositionalOrOptions, parseArgs } from "./args.ts";
import { NNError } from "./errors.ts";
import * as F from "./functional.ts";
import * as init from "./init.ts";
import { type IntOrPair, factoryEmpty, pair, pyStr, toPair } from "./layer-utils.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** Padding of a convolution: an int, a pair, or `"same"` / `"valid"`. */
export type ConvPadding = IntOrPair | "same" | "valid";

/** Padding modes; tsorch computes with `"zeros"` only. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Options of `nn.Conv2d` (each may also be given positionally, in this order). */
export interface Conv2dOptions extends FactoryOptions {
  stride?: IntOrPair;
  padding?: ConvPadding;
  dilation?: IntOrPair;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

function argError(message: string): NNError {
  return new NNError("ERR_NN_ARGUMENT", "ValueError", message);
}

/**
 * 2-D convolution over `[N, C, H, W]` input: `new nn.Conv2d(3, 6, 5)`, `new nn.Conv2d(3, 6, 3, 2, 1)`,
 * `new nn.Conv2d(3, 6, 3, { stride: 2, padding: 1, bias: false })`. Weight `[out, in / groups, kH, kW]`,
 * bias `[out]`, initialised as PyTorch does (kaiming_uniform_(a=sqrt(5)), bias U(+-1/sqrt(fan_in))).
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Tuple<number>;
  readonly stride: Tuple<number>;
  readonly padding: Tuple<number> | "same" | "valid";
  readonly dilation: Tuple<number>;
  readonly transposed = false;
  readonly outputPadding: Tuple<number>;
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** The padding `F.pad` would take for non-zero padding modes (PyTorch's `_reversed_padding_repeated_twice`). */
  readonly _reversedPaddingRepeatedTwice: number[];
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrPair,
    ...args: PositionalOrOptions<
      [stride: IntOrPair, padding: ConvPadding, dilation: IntOrPair, groups: number, bias: boolean, paddingMode: PaddingMode],
      Conv2dOptions
    >
  ) {
    super();
    const o = parseArgs("Conv2d", ["stride", "padding", "dilation", "groups", "bias", "paddingMode"], args, {
      stride: 1 as IntOrPair, padding: 0 as ConvPadding, dilation: 1 as IntOrPair, groups: 1, bias: true,
      paddingMode: "zeros" as PaddingMode, ...NO_FACTORY,
    });
    const kernel = pair(kernelSize);
    const stride = pair(o.stride);
    const dilation = pair(o.dilation);
    if (o.groups <= 0) throw argError("groups must be a positive integer");
    if (inChannels % o.groups !== 0) throw argError("in_channels must be divisible by groups");
    if (outChannels % o.groups !== 0) throw argError("out_channels must be divisible by groups");
    if (typeof o.padding === "string") {
      if (o.padding !== "same" && o.padding !== "valid") {
        throw argError(`Invalid padding string '${String(o.padding)}', should be one of {'valid', 'same'}`);
      }
      if (o.padding === "same" && stride.some((s) => s !== 1)) throw argError("padding='same' is not supported for strided convolutions");
    }
    if (!["zeros", "reflect", "replicate", "circular"].includes(o.paddingMode)) {
      throw argError(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${o.paddingMode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernel;
    this.stride = stride;
    this.padding = typeof o.padding === "string" ? o.padding : pair(o.padding);
    this.dilation = dilation;
    this.outputPadding = pair(0);
    this.groups = o.groups;
    this.paddingMode = o.paddingMode;
    this._reversedPaddingRepeatedTwice = reversedPadding(this.padding, kernel, dilation);
    this.weight = new Parameter(factoryEmpty([outChannels, inChannels / o.groups, ...kernel], o));
    if (o.bias) this.bias = new Parameter(factoryEmpty([outChannels], o));
    else this.registerParameter("bias", null);
    this.resetParameters();
  }

  /** PyTorch's default init: kaiming_uniform_(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  /** `F.conv2d(input, weight, bias, { stride, padding, dilation, groups })`. */
  override forward(input: Tensor): Tensor {
    if (this.paddingMode !== "zeros") {
      throw new NNError("ERR_NN_ARGUMENT", "NotImplementedError", `tsorch computes Conv2d with padding_mode='zeros' only (got '${this.paddingMode}')`);
    }
    return F.conv2d(input, this.weight, this.bias, {
      stride: toPair(this.stride),
      padding: typeof this.padding === "string" ? this.padding : toPair(this.padding),
      dilation: toPair(this.dilation),
      groups: this.groups,
    });
  }

  /** `3, 6, kernel_size=(5, 5), stride=(1, 1)` plus the non-default settings. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyStr(this.kernelSize)}, stride=${pyStr(this.stride)}`;
    if (typeof this.padding === "string" || this.padding.some((p) => p !== 0)) s += `, padding=${pyStr(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyStr(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyStr(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

function reversedPadding(padding: Tuple<number> | "same" | "valid", kernel: readonly number[], dilation: readonly number[]): number[] {
  if (typeof padding !== "string") return [...padding].reverse().flatMap((p) => [p, p]);
  const out = new Array<number>(2 * kernel.length).fill(0);
  if (padding === "same") {
    kernel.forEach((k, d) => {
      const i = kernel.length - 1 - d;
      const total = dilation[d] * (k - 1);
      const left = Math.floor(total / 2);
      out[2 * i] = left;
      out[2 * i + 1] = total - left;
    });
  }
  return out;
}
