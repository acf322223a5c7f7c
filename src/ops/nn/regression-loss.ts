/** Regression losses on (input - target): mseLoss, l1Loss, smoothL1Loss, huberLoss; target broadcast to the input. */
import { broadcastShapes } from "../../tensor/shape.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "../convert.ts";
import { checkReduction, type Reduction, scalarTypeName } from "./args.ts";
import { gradientScale, reduceLoss } from "./reduce-loss.ts";

/** Options of the regression losses. */
export interface LossOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

/**
 * Builds a loss from f(d) and f'(d) of d = input - target (broadcast together, as PyTorch does after warning);
 * differentiable in both input and target.
 */
function differenceLoss(name: string, input: Tensor, target: Tensor, reduction: Reduction, f: (d: number) => number, df: (d: number) => number): Tensor {
  const shape = broadcastShapes(input.dims, target.dims);
  const x = input.dims.length === shape.length && input.dims.every((d, i) => d === shape[i]) ? input : input.expand(...shape);
  const t = target.dims.length === shape.length && target.dims.every((d, i) => d === shape[i]) ? target : target.expand(...shape);
  const X = toFloatArray(x);
  const T = toFloatArray(t);
  const n = X.length;
  const values = computeArrayFor(input.dtype, n);
  for (let i = 0; i < n; i++) values[i] = f(X[i] - T[i]);
  return reduceLoss(values, shape, reduction, input).withGrad(name, [x, t], (g) => {
    const scale = gradientScale(g, reduction, n);
    const gx = computeArrayFor(input.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = df(X[i] - T[i]) * scale(i);
    const gt = computeArrayFor(target.dtype, n);
    if (t.requiresGrad) for (let i = 0; i < n; i++) gt[i] = -gx[i];
    return [x.requiresGrad ? fromNumbers(gx, shape, input.dtype) : null, t.requiresGrad ? fromNumbers(gt, shape, target.dtype) : null];
  });
}

function checkFloat(input: Tensor, name: string): void {
  if (!input.dtype.isFloatingPoint) throw new TypeError(`"${name}" not implemented for '${scalarTypeName(input.dtype)}'`);
}

/** Mean squared error (input - target)^2. */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  checkFloat(input, "mse_cpu");
  return differenceLoss("MseLossBackward0", input, target, reduction, (d) => d * d, (d) => 2 * d);
}

/** Mean absolute error |input - target| (gradient sign(d), 0 at d = 0). */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  return differenceLoss("L1LossBackward0", input, target, reduction, Math.abs, (d) => (d > 0 ? 1 : d < 0 ? -1 : 0));
}

/** Smooth L1: 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (beta = 0 is the L1 loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: LossOptions & { beta?: number } = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  const beta = options.beta ?? 1;
  if (beta < 0) throw new RangeError("smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) return l1Loss(input, target, { reduction });
  return differenceLoss("SmoothL1LossBackward0", input, target, reduction,
    (d) => {
      const z = Math.abs(d);
      return z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
    },
    (d) => (d <= -beta ? -1 : d >= beta ? 1 : d / beta));
}

/** Huber loss: 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere. */
export function huberLoss(input: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  const reduction = checkReduction(options.reduction === undefined ? "mean" : options.reduction);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new RangeError("huber_loss does not support non-positive values for delta.");
  return differenceLoss("HuberLossBackward0", input, target, reduction,
    (d) => {
      const z = Math.abs(d);
      return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    },
    (d) => (d <= -delta ? -delta : d >= delta ? delta : d));
}
