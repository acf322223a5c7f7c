/** Stochastic gradient descent with momentum, after PyTorch 1.13's `torch/optim/sgd.py` (`_single_tensor_sgd`). */
import { pyRepr } from "../python/repr.ts";
import { toNumber } from "../python/float.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { OptimError } from "./errors.ts";
import { type ParamGroup, type ParamsInput, type PyNumber, Optimizer, required, RequiredParameter, setDefault } from "./optimizer.ts";

/** Options of `SGD` (PyTorch's keyword arguments, camelCased). */
export interface SGDOptions {
  /** Learning rate; required (by the options or by every group), as in 1.13. */
  lr?: PyNumber | RequiredParameter;
  /** Momentum factor (default 0). */
  momentum?: PyNumber;
  /** Dampening for momentum (default 0). */
  dampening?: PyNumber;
  /** L2 penalty (default 0). */
  weightDecay?: PyNumber;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
  /** PyTorch's multi-tensor switch: stored for files; tsorch always runs the single-tensor algorithm (default null). */
  foreach?: boolean | null;
  /** Must be false: tsorch's in-place updates are not differentiable. */
  differentiable?: boolean;
}

/** A parameter group of `SGD`, with 1.13's keys in 1.13's order. */
export interface SGDParamGroup extends ParamGroup {
  momentum: PyNumber;
  dampening: PyNumber;
  weight_decay: PyNumber;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
}

/**
 * `torch.optim.SGD`: `buf = momentum * buf + (1 - dampening) * g` (the first step takes `buf = g`), then
 * `p -= lr * buf` (or `lr * (g + momentum * buf)` with Nesterov).
 *
 * ```ts
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<SGDParamGroup> {
  constructor(params: ParamsInput<SGDOptions>, options: SGDOptions = {}) {
    const { lr = required, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = options;
    const { foreach = null, differentiable = false } = options;
    if (lr !== required && toNumber(lr) < 0) invalid(`Invalid learning rate: ${pyRepr(lr)}`);
    if (toNumber(momentum) < 0) invalid(`Invalid momentum value: ${pyRepr(momentum)}`);
    if (toNumber(weightDecay) < 0) invalid(`Invalid weight_decay value: ${pyRepr(weightDecay)}`);
    const defaults = { lr, momentum, dampening, weight_decay: weightDecay, nesterov, maximize, foreach, differentiable };
    if (nesterov && (toNumber(momentum) <= 0 || toNumber(dampening) !== 0)) {
      invalid("Nesterov momentum requires a momentum and zero dampening");
    }
    if (differentiable) {
      throw new OptimError("ERR_OPTIM_NOT_SUPPORTED", "RuntimeError", "tsorch does not support differentiable=True optimizers");
    }
    super(params, defaults);
  }

  protected update(): void {
    for (const group of this.paramGroups) {
      const lr = toNumber(group.lr);
      const momentum = toNumber(group.momentum);
      const dampening = toNumber(group.dampening);
      const weightDecay = toNumber(group.weight_decay);
      for (const p of group.params) {
        if (!p.grad) continue;
        const state = this.stateOf(p);
        let buf = (state.momentum_buffer ?? null) as Tensor | null;
        let dP = group.maximize ? p.grad.neg() : p.grad;
        if (weightDecay !== 0) dP = dP.add(p, { alpha: weightDecay });
        if (momentum !== 0) {
          if (buf === null) buf = dP.clone().detach();
          else buf.mul_(momentum).add_(dP, { alpha: 1 - dampening });
          dP = group.nesterov ? dP.add(buf, { alpha: momentum }) : buf;
        }
        p.add_(dP, { alpha: -lr });
        state.momentum_buffer = buf;
      }
    }
  }

  /** 1.13's `SGD.__setstate__`: groups from older files get the keys they lack. */
  protected override afterLoad(): void {
    for (const group of this.paramGroups) {
      setDefault(group, "nesterov", false);
      setDefault(group, "maximize", false);
      setDefault(group, "foreach", null);
      setDefault(group, "differentiable", false);
    }
  }
}

function invalid(message: string): never {
  throw new OptimError("ERR_OPTIM_ARGUMENT", "ValueError", message);
}
