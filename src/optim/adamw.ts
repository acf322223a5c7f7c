/** AdamW (decoupled weight decay), after PyTorch 1.13's `torch/optim/adamw.py` (the single-tensor algorithm). */
import { toNumber } from "../python/float.ts";
import { tuple, type Tuple } from "../python/tuple.ts";
import { checkAdamOptions } from "./adam.ts";
import { adamStep, initAdamState, upgradeAdamState } from "./adam-step.ts";
import { type ParamGroup, type ParamsInput, type PyNumber, Optimizer, setDefault } from "./optimizer.ts";

/** Options of `AdamW` (PyTorch 1.13's keyword arguments, camelCased; 1.13's AdamW has no differentiable/fused). */
export interface AdamWOptions {
  /** Learning rate (default 1e-3). */
  lr?: PyNumber;
  /** Decay rates of the running averages (default (0.9, 0.999)); stored as a tuple. */
  betas?: readonly [PyNumber, PyNumber] | readonly PyNumber[];
  /** Added to the denominator (default 1e-8). */
  eps?: PyNumber;
  /** Decoupled weight decay: `p *= 1 - lr * weight_decay` each step (default 1e-2). */
  weightDecay?: PyNumber;
  /** The AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** PyTorch's multi-tensor switch: stored for files; tsorch always runs the single-tensor algorithm (default null). */
  foreach?: boolean | null;
  /** CUDA-graph capture: needs CUDA, so it must stay false here. */
  capturable?: boolean;
}

/** A parameter group of `AdamW`, with 1.13's keys in 1.13's order (foreach before maximize, unlike Adam). */
export interface AdamWParamGroup extends ParamGroup {
  betas: Tuple<PyNumber>;
  eps: PyNumber;
  weight_decay: PyNumber;
  amsgrad: boolean;
  foreach: boolean | null;
  maximize: boolean;
  capturable: boolean;
}

/**
 * `torch.optim.AdamW`: Adam whose weight decay shrinks the parameter directly instead of adding to the gradient.
 *
 * ```ts
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * ```
 */
export class AdamW extends Optimizer<AdamWParamGroup> {
  constructor(params: ParamsInput<AdamWOptions>, options: AdamWOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false } = options;
    const { maximize = false, foreach = null, capturable = false } = options;
    checkAdamOptions(lr, betas, eps, weightDecay);
    super(params, { lr, betas: tuple(...betas), eps, weight_decay: weightDecay, amsgrad, foreach, maximize, capturable });
  }

  protected update(): void {
    for (const group of this.paramGroups) {
      const [beta1, beta2] = group.betas.map(toNumber);
      const hyper = {
        lr: toNumber(group.lr), beta1, beta2, eps: toNumber(group.eps), weightDecay: toNumber(group.weight_decay),
        amsgrad: group.amsgrad, maximize: group.maximize, decoupled: true,
      };
      for (const p of group.params) {
        if (!p.grad) continue;
        const state = this.stateOf(p);
        initAdamState(p, state, group.amsgrad, this.defaults.capturable === true);
        adamStep(p, p.grad, state, hyper);
      }
    }
  }

  /** 1.13's `AdamW.__setstate__`: keys older files lack, and a numeric `step` made a tensor. */
  protected override afterLoad(): void {
    for (const group of this.paramGroups) {
      setDefault(group, "amsgrad", false);
      setDefault(group, "maximize", false);
      setDefault(group, "foreach", null);
      setDefault(group, "capturable", false);
    }
    upgradeAdamState(this.state.values());
  }
}
