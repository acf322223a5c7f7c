/** Loss modules: CrossEntropyLoss, NLLLoss, MSELoss (PyTorch's `_Loss` / `_WeightedLoss`). */
import type { Tensor } from "../tensor/tensor.ts";
import { type PositionalOrOptions, parseArgs } from "./args.ts";
import { NNError } from "./errors.ts";
import * as F from "./functional.ts";
import { Module } from "./module.ts";

/** How a loss reduces over the batch. */
export type Reduction = "none" | "mean" | "sum";

/** PyTorch's `_Reduction.legacy_get_string`: maps the deprecated size_average/reduce flags to a reduction. */
export function legacyReduction(sizeAverage: boolean | null, reduce: boolean | null): Reduction {
  const warning = "size_average and reduce args will be deprecated, please use reduction='mean' instead.";
  const proc = (globalThis as { process?: { emitWarning?: (m: string) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(warning);
  else console.warn(warning);
  const avg = sizeAverage ?? true;
  const red = reduce ?? true;
  return avg && red ? "mean" : red ? "sum" : "none";
}

function checkReduction(reduction: string): Reduction {
  if (reduction !== "none" && reduction !== "mean" && reduction !== "sum") {
    throw new NNError("ERR_NN_ARGUMENT", "ValueError", `${reduction} is not a valid value for reduction`);
  }
  return reduction;
}

/** Options shared by the losses: the reduction (and the deprecated flags it replaces). */
export interface LossOptions {
  /** Deprecated: use reduction. */
  sizeAverage?: boolean | null;
  /** Deprecated: use reduction. */
  reduce?: boolean | null;
  /** `"mean"` (default), `"sum"` or `"none"`. */
  reduction?: Reduction;
}

/** Options of the class-weighted losses. */
export interface WeightedLossOptions extends LossOptions {
  /** A manual rescaling weight per class (registered as the buffer `weight`). */
  weight?: Tensor | null;
  /** Targets with this value are ignored (default -100). */
  ignoreIndex?: number;
}

/** Options of `nn.CrossEntropyLoss`. */
export interface CrossEntropyLossOptions extends WeightedLossOptions {
  /** Amount of label smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** Mean squared error (`nn.MSELoss(reduction='mean')`). */
export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor(...args: PositionalOrOptions<[sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction], LossOptions>) {
    super();
    const o = parseArgs("MSELoss", ["sizeAverage", "reduce", "reduction"], args,
      { sizeAverage: null as boolean | null, reduce: null as boolean | null, reduction: "mean" as Reduction }, []);
    this.reduction = o.sizeAverage !== null || o.reduce !== null ? legacyReduction(o.sizeAverage, o.reduce) : checkReduction(o.reduction);
  }

  /** `F.mseLoss(input, target, { reduction })`. */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Negative log-likelihood of log-probabilities (`nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')`). */
export class NLLLoss extends Module {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  declare weight: Tensor | null;

  constructor(
    ...args: PositionalOrOptions<
      [weight: Tensor | null, sizeAverage: boolean | null, ignoreIndex: number, reduce: boolean | null, reduction: Reduction],
      WeightedLossOptions
    >
  ) {
    super();
    const o = parseArgs("NLLLoss", ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], args, {
      weight: null as Tensor | null, sizeAverage: null as boolean | null, ignoreIndex: -100, reduce: null as boolean | null, reduction: "mean" as Reduction,
    }, []);
    this.reduction = o.sizeAverage !== null || o.reduce !== null ? legacyReduction(o.sizeAverage, o.reduce) : checkReduction(o.reduction);
    this.registerBuffer("weight", o.weight);
    this.ignoreIndex = o.ignoreIndex;
  }

  /** `F.nllLoss(input, target, { weight, ignoreIndex, reduction })`. */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Softmax cross-entropy of logits against class indices (or probabilities)
 * (`nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`).
 */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  declare weight: Tensor | null;

  constructor(
    ...args: PositionalOrOptions<
      [weight: Tensor | null, sizeAverage: boolean | null, ignoreIndex: number, reduce: boolean | null, reduction: Reduction, labelSmoothing: number],
      CrossEntropyLossOptions
    >
  ) {
    super();
    const o = parseArgs("CrossEntropyLoss", ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], args, {
      weight: null as Tensor | null, sizeAverage: null as boolean | null, ignoreIndex: -100, reduce: null as boolean | null,
      reduction: "mean" as Reduction, labelSmoothing: 0.0,
    }, []);
    this.reduction = o.sizeAverage !== null || o.reduce !== null ? legacyReduction(o.sizeAverage, o.reduce) : checkReduction(o.reduction);
    this.registerBuffer("weight", o.weight);
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
  }

  /** `F.crossEntropy(input, target, { weight, ignoreIndex, reduction, labelSmoothing })`. */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}
