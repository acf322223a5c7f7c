/**
 * `torch.optim`: optimizers with PyTorch 1.13's algorithms and state-dict layout, and learning-rate schedulers.
 *
 * ```ts
 * import { optim } from "tsorch";
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.lr_scheduler.StepLR(opt, 30);
 * ```
 */
export {
  Optimizer, RequiredParameter, required,
  type OptimizerStateDict, type OptimizerStateDictInput, type PackedParamGroup, type ParamGroup, type ParamGroupInput,
  type ParamState, type ParamsInput, type PyNumber, type ZeroGradOptions,
} from "./optimizer.ts";
export { SGD, type SGDOptions, type SGDParamGroup } from "./sgd.ts";
export { Adam, type AdamOptions, type AdamParamGroup } from "./adam.ts";
export { AdamW, type AdamWOptions, type AdamWParamGroup } from "./adamw.ts";
export { OptimError, type OptimErrorCode, type OptimPythonErrorType } from "./errors.ts";
/** `torch.optim.lr_scheduler` (PyTorch's name). */
export * as lr_scheduler from "./lr-scheduler.ts";
/** `torch.optim.lr_scheduler`, camelCased. */
export * as lrScheduler from "./lr-scheduler.ts";
