/** Adam, after PyTorch 1.13's `torch/optim/adam.py` (the single-tensor algorithm). */
import { pyRepr } from "../python/repr.ts";
import { toNumber } from "../python/float.ts";
import { tuple, type Tuple } from "../python/tuple.ts";
import { adamStep, initAdamState, upgradeAdamState } from "./adam-step.ts";
import { OptimError } from "./errors.ts";
import { type ParamGroup, type ParamsInput, type PyNumber, Optimizer, setDefault } from "./optimizer.ts";

/** Options of `Adam` (PyTorch's keyword arguments, camelCased). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: PyNumber;
  /** Decay rates of the running averages of the gradient and its square (default (0.9, 0.999)); stored as a tuple. */
  betas?: readonly [PyNumber, PyNumber] | readonly PyNumber[];
  /** Added to the denominator (default 1e-8). */
  eps?: PyNumber;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: PyNumber;
  /** The AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** PyTorch's multi-tensor switch: stored for files; tsorch always runs the single-tensor algorithm (default null). */
  foreach?: boolean | null;
  /** CUDA-graph capture: needs CUDA, so it must stay false here. */
  capturable?: boolean;
  /** Must be false: tsorch's in-place updates are not differentiable. */
  differentiable?: boolean;
  /** The fused CUDA kernel: must stay false here. */
  fused?: boolean;
}

/** A parameter group of `Adam`, with 1.13's keys in 1.13's order. */
export interface AdamParamGroup extends ParamGroup {
  betas: Tuple<PyNumber>;
  eps: PyNumber;
  weight_decay: PyNumber;
  amsgrad: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean;
}

/** Checks Adam's and AdamW's hyperparameters with PyTorch's messages. */
export function checkAdamOptions(lr: PyNumber, betas: readonly PyNumber[], eps: PyNumber, weightDecay: PyNumber): void {
  const invalid = (message: string): never => {
    throw new OptimError("ERR_OPTIM_ARGUMENT", "ValueError", message);
  };
  if (!(0 <= toNumber(lr))) invalid(`Invalid learning rate: ${pyRepr(lr)}`);
  if (!(0 <= toNumber(eps))) invalid(`Invalid epsilon value: ${pyRepr(eps)}`);
  const [b0, b1] = betas.map(toNumber);
  if (!(0 <= b0 && b0 < 1)) invalid(`Invalid beta parameter at index 0: ${pyRepr(betas[0])}`);
  if (!(0 <= b1 && b1 < 1)) invalid(`Invalid beta parameter at index 1: ${pyRepr(betas[1])}`);
  if (!(0 <= toNumber(weightDecay))) invalid(`Invalid weight_decay value: ${pyRepr(weightDecay)}`);
}

/**
 * `torch.optim.Adam`: running averages `m`, `v` of the gradient and its square, bias-corrected by the step count.
 *
 * ```ts
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 * ```
 */
export class Adam extends Optimizer<AdamParamGroup> {
  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false } = options;
    const { foreach = null, capturable = false, differentiable = false, fused = false } = options;
    checkAdamOptions(lr, betas, eps, weightDecay);
    const defaults = {
      lr, betas: tuple(...betas), eps, weight_decay: weightDecay, amsgrad, maximize, foreach, capturable, differentiable, fused,
    };
    if (differentiable && !fused) {
      throw new OptimError("ERR_OPTIM_NOT_SUPPORTED", "RuntimeError", "tsorch does not support differentiable=True optimizers");
    }
    super(params, defaults);
    if (fused && differentiable) throw new OptimError("ERR_OPTIM_ARGUMENT", "RuntimeError", "`fused` cannot be `differentiable`");
    if (fused) throw new OptimError("ERR_OPTIM_NOT_SUPPORTED", "RuntimeError", "FusedAdam requires all the params to be CUDA, floating point");
  }

  protected update(): void {
    for (const group of this.paramGroups) {
      const [beta1, beta2] = group.betas.map(toNumber);
      const hyper = {
        lr: toNumber(group.lr), beta1, beta2, eps: toNumber(group.eps), weightDecay: toNumber(group.weight_decay),
        amsgrad: group.amsgrad, maximize: group.maximize, decoupled: false,
      };
      for (const p of group.params) {
        if (!p.grad) continue;
        const state = this.stateOf(p);
        initAdamState(p, state, group.amsgrad, this.defaults.capturable === true || this.defaults.fused === true);
        adamStep(p, p.grad, state, hyper);
      }
    }
  }

  /** 1.13's `Adam.__setstate__`: keys older files lack, and a numeric `step` made a tensor. */
  protected override afterLoad(): void {
    for (const group of this.paramGroups) {
      setDefault(group, "amsgrad", false);
      setDefault(group, "maximize", false);
      setDefault(group, "foreach", null);
      setDefault(group, "capturable", false);
      setDefault(group, "differentiable", false);
      setDefault(group, "fused", false);
    }
    upgradeAdamState(this.state.values());
  }
}
