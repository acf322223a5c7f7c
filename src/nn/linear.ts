/** Identity and Linear layers. */
import type { Tensor } from "../tensor/tensor.ts";
import { type FactoryOptions, NO_FACTORY, type PositionalOrOptions, parseArgs } from "./args.ts";
import * as F from "./functional.ts";
import * as init from "./init.ts";
import { factoryEmpty, pyStr } from "./layer-utils.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** Returns its input unchanged (`nn.Identity`); constructor arguments are ignored, as in PyTorch. */
export class Identity extends Module {
  /** Accepts and ignores any arguments. */
  constructor(..._args: unknown[]) {
    super();
  }

  /** Returns `input`. */
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/** Options of `nn.Linear`. */
export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * `y = x W^T + b` (`nn.Linear(in_features, out_features, bias=True)`): weight `[out, in]` and bias `[out]`,
 * both U(-1/sqrt(in), 1/sqrt(in)) as PyTorch initialises them.
 */
export class Linear extends Module {
  /** Size of each input sample. */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, ...args: PositionalOrOptions<[bias: boolean], LinearOptions>) {
    super();
    const o = parseArgs("Linear", ["bias"], args, { bias: true, ...NO_FACTORY });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(factoryEmpty([outFeatures, inFeatures], o));
    if (o.bias) this.bias = new Parameter(factoryEmpty([outFeatures], o));
    else this.registerParameter("bias", null);
    this.resetParameters();
  }

  /** PyTorch's default init: kaiming_uniform_(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  /** `F.linear(input, weight, bias)`. */
  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  /** `in_features=4, out_features=3, bias=True`. */
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyStr(this.bias !== null)}`;
  }
}
