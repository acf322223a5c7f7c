/** The per-parameter update shared by Adam and AdamW: 1.13's `_single_tensor_adam` / `_single_tensor_adamw`. */
import { float32 } from "../tensor/dtype.ts";
import { tensor, zerosLike } from "../ops/creation.ts";
import { Tensor } from "../tensor/tensor.ts";
import { OptimError } from "./errors.ts";
import type { ParamState } from "./optimizer.ts";

/** The hyperparameters of one step, as plain numbers. */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW: decay the parameter (`p *= 1 - lr * wd`) instead of adding `wd * p` to the gradient. */
  decoupled: boolean;
}

/**
 * Lazy state initialization: `step` (a 0-d float32 tensor; `[1]` when capturable, which needs CUDA), `exp_avg`,
 * `exp_avg_sq` and, with amsgrad, `max_exp_avg_sq`.
 */
export function initAdamState(p: Tensor, state: ParamState, amsgrad: boolean, capturable: boolean): void {
  if (Object.keys(state).length !== 0) return;
  if (capturable) throw new OptimError("ERR_OPTIM_NOT_SUPPORTED", "AssertionError", "If capturable=True, params and state_steps must be CUDA tensors.");
  state.step = tensor(0, { dtype: float32 });
  state.exp_avg = zerosLike(p);
  state.exp_avg_sq = zerosLike(p);
  if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
}

/**
 * One Adam(W) update of `param`, operation by operation as PyTorch 1.13 does it, so float32 results match: bias
 * corrections from `step.item()` in float64, `denom = sqrt(v) / sqrt(bc2) + eps`, `p += -step_size * m / denom`.
 */
export function adamStep(param: Tensor, gradient: Tensor, state: ParamState, h: AdamHyper): void {
  let grad = h.maximize ? gradient.neg() : gradient;
  const expAvg = state.exp_avg as Tensor;
  const expAvgSq = state.exp_avg_sq as Tensor;
  const stepT = state.step as Tensor;
  stepT.add_(1);
  if (h.decoupled) param.mul_(1 - h.lr * h.weightDecay);
  else if (h.weightDecay !== 0) grad = grad.add(param, { alpha: h.weightDecay });

  expAvg.mul_(h.beta1).add_(grad, { alpha: 1 - h.beta1 });
  expAvgSq.mul_(h.beta2).addcmul_(grad, grad, { value: 1 - h.beta2 });

  const step = stepT.item() as number;
  const biasCorrection1 = 1 - h.beta1 ** step;
  const biasCorrection2 = 1 - h.beta2 ** step;
  const stepSize = h.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);

  let second = expAvgSq;
  if (h.amsgrad) {
    const maxExpAvgSq = state.max_exp_avg_sq as Tensor;
    maxExpAvgSq.maximum_(expAvgSq);
    second = maxExpAvgSq;
  }
  const denom = second.sqrt().div(biasCorrection2Sqrt).add_(h.eps);
  param.addcdiv_(expAvg, denom, { value: -stepSize });
}

/** 1.13's `__setstate__` of Adam and AdamW: a `step` saved as a number becomes a 0-d float32 tensor. */
export function upgradeAdamState(states: Iterable<ParamState>): void {
  const all = [...states];
  if (all.length === 0 || all[0].step instanceof Tensor) return;
  for (const s of all) s.step = tensor(Number(s.step), { dtype: float32 });
}
