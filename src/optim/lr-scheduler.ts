/**
 * Learning-rate schedulers, after PyTorch 1.13's `torch/optim/lr_scheduler.py`: the `_LRScheduler` base and
 * StepLR, ExponentialLR, CosineAnnealingLR, with state dicts in 1.13's key order.
 */
import { isPyFloat, pyFloat, toNumber } from "../python/float.ts";
import { pyTypeName } from "../python/types.ts";
import { OptimError } from "./errors.ts";
import { Optimizer, type PyNumber } from "./optimizer.ts";
import { warnOnce } from "./warnings.ts";

/** Options shared by the schedulers. */
export interface SchedulerOptions {
  /** The index of the last epoch; -1 (default) starts fresh, else groups must hold `initial_lr` (resuming). */
  lastEpoch?: number;
  /** Print a line at each update (default false). */
  verbose?: boolean;
}

const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use " +
  "`scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed form " +
  "is used instead of the new chainable form, where available. Please open an issue if you are unable to replicate " +
  "your use case: https://github.com/pytorch/pytorch/issues/new/choose.";

/**
 * The base of the schedulers (PyTorch's `_LRScheduler`, `LRScheduler` in 2.x). Constructing one records each
 * group's `initial_lr` and performs the initial step; subclass constructors set their fields after `super()` and
 * then call `initialStep()`.
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's `initial_lr` (`base_lrs`). */
  baseLrs: PyNumber[];
  /** The last epoch index (`last_epoch`). */
  lastEpoch: number;
  /** Print a line at each update. */
  verbose: boolean;
  /** How many times `step()` ran, the initial step included (`_step_count`). */
  stepCount = 0;
  /** True while `step()` computes the new rates (`_get_lr_called_within_step`). */
  protected getLrCalledWithinStep = false;
  /** The rates the last step set (`_last_lr`). */
  lastLr: PyNumber[] = [];
  /** Keys of a loaded state dict that this class does not know (PyTorch keeps them as attributes). */
  private extraState: Record<string, unknown> = {};

  constructor(optimizer: Optimizer, options: SchedulerOptions = {}) {
    if (!(optimizer instanceof Optimizer)) {
      throw new OptimError("ERR_OPTIM_ARGUMENT", "TypeError", `${pyTypeName(optimizer)} is not an Optimizer`);
    }
    this.optimizer = optimizer;
    const lastEpoch = options.lastEpoch ?? -1;
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) if (!("initial_lr" in group)) group.initial_lr = group.lr;
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (!("initial_lr" in group)) {
          throw new OptimError("ERR_OPTIM_STATE", "KeyError", `param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.baseLrs = optimizer.paramGroups.map((group) => group.initial_lr as PyNumber);
    this.lastEpoch = lastEpoch;
    this.verbose = options.verbose ?? false;
  }

  /** Resets the step counts and performs the first step (PyTorch's `_initial_step`); subclass constructors call it. */
  protected initialStep(): void {
    this.optimizer.stepCount = 0;
    this.stepCount = 0;
    this.step();
  }

  /** The rates for the epoch `lastEpoch` has just reached (the chainable form; use `getLastLr()` to read rates). */
  abstract getLr(): PyNumber[];

  /** The closed form of the rate at `lastEpoch`, used when `step(epoch)` names an epoch; undefined if none. */
  protected closedFormLr(): PyNumber[] | undefined {
    return undefined;
  }

  /** This class's own fields for the state dict, by PyTorch's names, in PyTorch's order (before the base's). */
  protected abstract ownState(): Record<string, unknown>;

  /** Sets one of this class's own fields from a state dict; false when `key` is not one of them. */
  protected abstract loadOwnState(key: string, value: unknown): boolean;

  /** Advances one epoch and sets each group's `lr`. `epoch` (deprecated in PyTorch) jumps to it, by the closed form. */
  step(epoch?: number): void {
    if (this.stepCount === 1 && this.optimizer.stepCount < 1) {
      warnOnce("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should " +
        "call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result " +
        "in PyTorch skipping the first value of the learning rate schedule. See more details at " +
        "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate");
    }
    this.stepCount++;
    let values: PyNumber[];
    this.getLrCalledWithinStep = true;
    try {
      if (epoch === undefined) {
        this.lastEpoch++;
        values = this.getLr();
      } else {
        warnOnce(EPOCH_DEPRECATION_WARNING);
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this.getLrCalledWithinStep = false;
    }
    const groups = this.optimizer.paramGroups;
    for (let i = 0; i < Math.min(groups.length, values.length); i++) {
      groups[i].lr = values[i];
      if (this.verbose) printLr(i, values[i], epoch);
    }
    this.lastLr = groups.map((group) => group.lr);
  }

  /** The rates the last step set, one per group, as numbers. */
  getLastLr(): number[] {
    return this.lastLr.map(toNumber);
  }

  /** The scheduler's fields without the optimizer, by PyTorch's names in 1.13's order (values by reference). */
  stateDict(): Record<string, unknown> {
    return {
      ...this.ownState(),
      base_lrs: this.baseLrs,
      last_epoch: this.lastEpoch,
      verbose: this.verbose,
      _step_count: this.stepCount,
      _get_lr_called_within_step: this.getLrCalledWithinStep,
      _last_lr: this.lastLr,
      ...this.extraState,
    };
  }

  /** Sets the fields from a state dict (PyTorch's `__dict__.update`); unknown keys are kept and saved again. */
  loadStateDict(stateDict: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(stateDict)) {
      if (this.loadOwnState(key, value)) continue;
      switch (key) {
        case "base_lrs": this.baseLrs = value as PyNumber[]; break;
        case "last_epoch": this.lastEpoch = toNumber(value); break;
        case "verbose": this.verbose = Boolean(value); break;
        case "_step_count": this.stepCount = toNumber(value); break;
        case "_get_lr_called_within_step": this.getLrCalledWithinStep = Boolean(value); break;
        case "_last_lr": this.lastLr = value as PyNumber[]; break;
        default: this.extraState[key] = value;
      }
    }
  }

  /** The current rate of each group. */
  protected groupLrs(): PyNumber[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** PyTorch's warning when `getLr()` is called from outside `step()`. */
  protected warnOutsideStep(): void {
    if (!this.getLrCalledWithinStep) warnOnce("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.");
  }
}

/**
 * `StepLR`: multiplies each group's rate by `gamma` every `stepSize` epochs.
 *
 * ```ts
 * const sched = new optim.lr_scheduler.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 * ```
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays (`step_size`). */
  stepSize: number;
  /** The decay factor. */
  gamma: PyNumber;

  constructor(optimizer: Optimizer, stepSize: number, options: SchedulerOptions & { gamma?: PyNumber } = {}) {
    super(optimizer, options);
    this.stepSize = stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  getLr(): PyNumber[] {
    this.warnOutsideStep();
    if (this.lastEpoch === 0 || pyMod(this.lastEpoch, this.stepSize) !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => pyMul(lr, this.gamma));
  }

  protected override closedFormLr(): PyNumber[] {
    return this.baseLrs.map((base) => pyMul(base, pyPow(this.gamma, Math.floor(this.lastEpoch / this.stepSize))));
  }

  protected ownState(): Record<string, unknown> {
    return { step_size: this.stepSize, gamma: this.gamma };
  }

  protected loadOwnState(key: string, value: unknown): boolean {
    if (key === "step_size") this.stepSize = toNumber(value);
    else if (key === "gamma") this.gamma = value as PyNumber;
    else return false;
    return true;
  }
}

/** `ExponentialLR`: multiplies each group's rate by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  /** The decay factor. */
  gamma: PyNumber;

  constructor(optimizer: Optimizer, gamma: PyNumber, options: SchedulerOptions = {}) {
    super(optimizer, options);
    this.gamma = gamma;
    this.initialStep();
  }

  getLr(): PyNumber[] {
    this.warnOutsideStep();
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => pyMul(lr, this.gamma));
  }

  protected override closedFormLr(): PyNumber[] {
    return this.baseLrs.map((base) => pyMul(base, pyPow(this.gamma, this.lastEpoch)));
  }

  protected ownState(): Record<string, unknown> {
    return { gamma: this.gamma };
  }

  protected loadOwnState(key: string, value: unknown): boolean {
    if (key !== "gamma") return false;
    this.gamma = value as PyNumber;
    return true;
  }
}

/** `CosineAnnealingLR`: anneals each rate from its initial value to `etaMin` along a cosine over `TMax` epochs. */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of half a cosine period (`T_max`). */
  TMax: number;
  /** The lowest rate (`eta_min`, default 0). */
  etaMin: PyNumber;

  constructor(optimizer: Optimizer, TMax: number, options: SchedulerOptions & { etaMin?: PyNumber } = {}) {
    super(optimizer, options);
    this.TMax = TMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  getLr(): PyNumber[] {
    this.warnOutsideStep();
    const etaMin = toNumber(this.etaMin);
    const T = this.TMax;
    const e = this.lastEpoch;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return this.groupLrs();
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => pyFloat(etaMin + ((toNumber(base) - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2));
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => pyFloat(toNumber(g.lr) + ((toNumber(this.baseLrs[i]) - etaMin) * (1 - Math.cos(Math.PI / T))) / 2));
    }
    return groups.map((g) =>
      pyFloat(((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (toNumber(g.lr) - etaMin) + etaMin));
  }

  protected override closedFormLr(): PyNumber[] {
    const etaMin = toNumber(this.etaMin);
    return this.baseLrs.map((base) =>
      pyFloat(etaMin + ((toNumber(base) - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.TMax))) / 2));
  }

  protected ownState(): Record<string, unknown> {
    return { T_max: this.TMax, eta_min: this.etaMin };
  }

  protected loadOwnState(key: string, value: unknown): boolean {
    if (key === "T_max") this.TMax = toNumber(value);
    else if (key === "eta_min") this.etaMin = value as PyNumber;
    else return false;
    return true;
  }
}

/** Python's `a * b` on ints and floats: a float (a PyFloat when integral) when either operand is a float. */
function pyMul(a: PyNumber, b: PyNumber): PyNumber {
  const product = toNumber(a) * toNumber(b);
  return isPyFloat(a) || isPyFloat(b) ? pyFloat(product) : product;
}

/** Python's `a ** b` with an int exponent: a float when `a` is one or `b` is negative. */
function pyPow(a: PyNumber, b: number): PyNumber {
  const power = toNumber(a) ** b;
  return isPyFloat(a) || b < 0 ? pyFloat(power) : power;
}

/** Python's `a % b` (the sign of b). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** The line PyTorch prints for `verbose`: `Adjusting learning rate of group 0 to 1.0000e-03.` */
function printLr(group: number, lr: PyNumber, epoch?: number): void {
  const rate = toNumber(lr).toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  if (epoch === undefined) {
    console.log(`Adjusting learning rate of group ${group} to ${rate}.`);
  } else {
    const epochText = Number.isInteger(epoch) ? String(epoch).padStart(5, "0") : epoch.toFixed(2);
    console.log(`Epoch ${epochText}: adjusting learning rate of group ${group} to ${rate}.`);
  }
}
