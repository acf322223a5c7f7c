/**
 * Batch normalisation (`nn.BatchNorm1d`, `nn.BatchNorm2d`): parameters weight/bias, buffers
 * running_mean, running_var and num_batches_tracked (0-d int64); state-dict version 2.
 */
import { int64 } from "../tensor/dtype.ts";
import { Tensor } from "../tensor/tensor.ts";
import { CPU, toDevice } from "../tensor/device.ts";
import { type FactoryOptions, NO_FACTORY, type PositionalOrOptions, parseArgs } from "./args.ts";
import { NNError } from "./errors.ts";
import * as F from "./functional.ts";
import * as init from "./init.ts";
import { factoryEmpty, pyFloatStr, pyStr } from "./layer-utils.ts";
import { Module } from "./module.ts";
import type { LoadContext } from "./module-state.ts";
import { Parameter } from "./parameter.ts";
import type { ModuleMetadata } from "./state-dict.ts";

/** Options of the BatchNorm layers (each may also be given positionally, in this order). */
export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-statistics update factor (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics (default true); without them batch statistics are used in eval mode too. */
  trackRunningStats?: boolean;
}

type BatchNormArgs = PositionalOrOptions<
  [eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean],
  BatchNormOptions
>;

/** The shared implementation of BatchNorm1d/2d (PyTorch's `_NormBase` + `_BatchNorm`). */
export abstract class BatchNormBase extends Module {
  static override _version = 2;
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, args: BatchNormArgs, name: string) {
    super();
    const o = parseArgs(name, ["eps", "momentum", "affine", "trackRunningStats"], args, {
      eps: 1e-5, momentum: 0.1 as number | null, affine: true, trackRunningStats: true, ...NO_FACTORY,
    });
    this.numFeatures = numFeatures;
    this.eps = o.eps;
    this.momentum = o.momentum;
    this.affine = o.affine;
    this.trackRunningStats = o.trackRunningStats;
    if (o.affine) {
      this.weight = new Parameter(factoryEmpty([numFeatures], o));
      this.bias = new Parameter(factoryEmpty([numFeatures], o));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    if (o.trackRunningStats) {
      this.registerBuffer("running_mean", factoryEmpty([numFeatures], o));
      this.registerBuffer("running_var", factoryEmpty([numFeatures], o));
      const device = o.device !== undefined ? toDevice(o.device) : CPU;
      this.registerBuffer("num_batches_tracked", Tensor.empty([], int64, device));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  /** Running mean 0, running variance 1, batch count 0. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.running_mean?.zero_();
    this.running_var?.fill_(1);
    this.num_batches_tracked?.zero_();
  }

  /** Resets the running statistics, weight 1 and bias 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  /** Throws PyTorch's ValueError when the input has the wrong number of dims. */
  protected abstract checkInputDim(input: Tensor): void;

  /** Normalises with batch statistics (training, updating the running ones) or the running statistics (eval). */
  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      this.num_batches_tracked.add_(1);
      factor = this.momentum === null ? 1.0 / Number(this.num_batches_tracked.item()) : this.momentum;
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useBuffers = !this.training || this.trackRunningStats;
    return F.batchNorm(
      input,
      useBuffers ? this.running_mean : null,
      useBuffers ? this.running_var : null,
      this.weight,
      this.bias,
      { training: bnTraining, momentum: factor, eps: this.eps },
    );
  }

  /** Loads version-1 state dicts (before num_batches_tracked existed) with a batch count of 0. */
  override _loadFromStateDict(ctx: LoadContext, prefix: string, localMetadata: ModuleMetadata): void {
    const version = localMetadata.version;
    if ((version === undefined || version === null || version < 2) && this.trackRunningStats) {
      const key = `${prefix}num_batches_tracked`;
      if (!ctx.stateDict.has(key)) ctx.stateDict.set(key, Tensor.empty([], int64));
    }
    super._loadFromStateDict(ctx, prefix, localMetadata);
  }

  /** `16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True`. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloatStr(this.eps)}, momentum=${pyFloatStr(this.momentum)}, ` +
      `affine=${pyStr(this.affine)}, track_running_stats=${pyStr(this.trackRunningStats)}`;
  }
}

function inputError(message: string): NNError {
  return new NNError("ERR_NN_INPUT", "ValueError", message);
}

/** Batch normalisation over `[N, C]` or `[N, C, L]` input. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super(numFeatures, args, "BatchNorm1d");
  }

  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw inputError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** Batch normalisation over `[N, C, H, W]` input. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super(numFeatures, args, "BatchNorm2d");
  }

  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw inputError(`expected 4D input (got ${input.dim()}D input)`);
  }
}
