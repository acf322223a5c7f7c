/** Layer normalisation (`nn.LayerNorm`). */
import type { Tensor } from "../tensor/tensor.ts";
import { type Tuple, tupleFrom } from "../python/index.ts";
import { type FactoryOptions, NO_FACTORY, type PositionalOrOptions, parseArgs } from "./args.ts";
import * as F from "./functional.ts";
import * as init from "./init.ts";
import { factoryEmpty, pyFloatStr, pyStr } from "./layer-utils.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** Options of `nn.LayerNorm` (each may also be given positionally, in this order). */
export interface LayerNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn weight (ones) and bias (zeros) of the normalised shape (default true). */
  elementwiseAffine?: boolean;
}

/** Normalises over the last dims `normalizedShape` (`nn.LayerNorm(10)`, `nn.LayerNorm([4, 10])`). */
export class LayerNorm extends Module {
  readonly normalizedShape: Tuple<number>;
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(
    normalizedShape: number | readonly number[],
    ...args: PositionalOrOptions<[eps: number, elementwiseAffine: boolean], LayerNormOptions>
  ) {
    super();
    const o = parseArgs("LayerNorm", ["eps", "elementwiseAffine"], args, { eps: 1e-5, elementwiseAffine: true, ...NO_FACTORY });
    this.normalizedShape = tupleFrom(typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape);
    this.eps = o.eps;
    this.elementwiseAffine = o.elementwiseAffine;
    if (o.elementwiseAffine) {
      this.weight = new Parameter(factoryEmpty([...this.normalizedShape], o));
      this.bias = new Parameter(factoryEmpty([...this.normalizedShape], o));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    this.resetParameters();
  }

  /** Weight 1, bias 0. */
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  /** `F.layerNorm(input, normalizedShape, weight, bias, eps)`. */
  override forward(input: Tensor): Tensor {
    return F.layerNorm(input, [...this.normalizedShape], this.weight, this.bias, this.eps);
  }

  /** `(10,), eps=1e-05, elementwise_affine=True`. */
  override extraRepr(): string {
    return `${pyStr(this.normalizedShape)}, eps=${pyFloatStr(this.eps)}, elementwise_affine=${pyStr(this.elementwiseAffine)}`;
  }
}
