/** Dropout and reshaping layers: Dropout, Flatten. */
import type { Tensor } from "../tensor/tensor.ts";
import { type PositionalOrOptions, parseArgs } from "./args.ts";
import { NNError } from "./errors.ts";
import * as F from "./functional.ts";
import { pyFloatStr, pyStr } from "./layer-utils.ts";
import { Module } from "./module.ts";

/** Zeroes elements with probability `p` in training mode and scales the rest by 1/(1-p); identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(...args: PositionalOrOptions<[p: number, inplace: boolean], { p?: number; inplace?: boolean }>) {
    super();
    const o = parseArgs("Dropout", ["p", "inplace"], args, { p: 0.5, inplace: false }, []);
    if (o.p < 0 || o.p > 1) {
      throw new NNError("ERR_NN_ARGUMENT", "ValueError", `dropout probability has to be between 0 and 1, but got ${pyFloatStr(o.p)}`);
    }
    this.p = o.p;
    this.inplace = o.inplace;
  }

  /** `F.dropout(input, { p, training })` (out of place even with `inplace`: autograd has no in-place ops). */
  override forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training });
  }

  /** `p=0.5, inplace=False`. */
  override extraRepr(): string {
    return `p=${pyFloatStr(this.p)}, inplace=${pyStr(this.inplace)}`;
  }
}

/** Flattens dims `startDim..endDim` (default 1..-1) into one (`nn.Flatten`). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(...args: PositionalOrOptions<[startDim: number, endDim: number], { startDim?: number; endDim?: number }>) {
    super();
    const o = parseArgs("Flatten", ["startDim", "endDim"], args, { startDim: 1, endDim: -1 }, []);
    this.startDim = o.startDim;
    this.endDim = o.endDim;
  }

  /** `input.flatten(startDim, endDim)`. */
  override forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  /** `start_dim=1, end_dim=-1`. */
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
