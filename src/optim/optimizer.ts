/**
 * The base of all optimizers, after PyTorch 1.13's `torch/optim/optimizer.py`: parameter groups holding PyTorch's
 * hyperparameter keys, per-parameter state, and `stateDict` / `loadStateDict` in PyTorch's exact layout, so that
 * optimizer checkpoints move between tsorch and Python.
 */
import { enableGrad, isGradEnabled, setGradEnabled } from "../autograd/grad-mode.ts";
import { isPlainObject } from "../python/dict.ts";
import type { PyFloat } from "../python/float.ts";
import { pyRepr } from "../python/repr.ts";
import { pyTypeName } from "../python/types.ts";
import { Tensor } from "../tensor/tensor.ts";
import { OptimError, typename } from "./errors.ts";
import { castState, deepCopy } from "./state-copy.ts";
import { warnOnce } from "./warnings.ts";

/** A hyperparameter value: a JS number, or a `PyFloat` for an integral Python float such as `1.0` loaded from a file. */
export type PyNumber = number | PyFloat;

/** The marker of an option without default (SGD's `lr` in 1.13): every parameter group must then give it. */
export class RequiredParameter {
  /** Python's repr. */
  toString(): string {
    return "<required parameter>";
  }
}
/** PyTorch's `torch.optim.optimizer.required`. */
export const required = new RequiredParameter();

/**
 * One parameter group: PyTorch's hyperparameter keys, snake_case and in PyTorch's order (`lr`, `momentum`,
 * `weight_decay`, ...), and `params`. Edit hyperparameters in place between steps: `opt.paramGroups[0].lr = 0.01`.
 */
export interface ParamGroup {
  /** The tensors this group optimizes. */
  params: Tensor[];
  /** The learning rate. */
  lr: PyNumber;
  [key: string]: unknown;
}

/**
 * A parameter group as given to a constructor or `addParamGroup`: `params` (a tensor or an iterable of them) and
 * options overriding the defaults, camelCased (`weightDecay`) or as PyTorch spells them (`weight_decay`).
 */
export type ParamGroupInput<O extends object = object> = { params: Tensor | Iterable<Tensor> } & O & Record<string, unknown>;

/** What an optimizer optimizes: tensors (one group), or parameter groups with their own options. */
export type ParamsInput<O extends object = object> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** The state of one parameter: a dict of PyTorch's keys (`momentum_buffer`, `step`, `exp_avg`, ...). */
export type ParamState = Record<string, unknown>;

/** A parameter group in a state dict: its hyperparameters and, last, the indices of its parameters. */
export interface PackedParamGroup {
  [key: string]: unknown;
  /** Indices of the group's parameters, continuous across groups. */
  params: number[];
}

/**
 * `Optimizer.state_dict()`: `state` maps parameter indices (JS numbers; Python ints once saved) to their state,
 * in the order parameters first got state; `param_groups` lists the groups with `params` as indices.
 */
export interface OptimizerStateDict {
  state: Map<number, ParamState>;
  param_groups: PackedParamGroup[];
}

/**
 * What `loadStateDict` accepts: `OptimizerStateDict`, or the same loaded from a file, where `state` may be a plain
 * object (an empty dict, or integer keys spelled as strings).
 */
export interface OptimizerStateDictInput {
  state: Map<unknown, unknown> | Record<string, unknown>;
  param_groups: ReadonlyArray<Record<string, unknown>>;
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /**
   * Drop the gradients (`grad = null`) instead of zeroing them. Default true, as in PyTorch 2.x and as
   * `Module.zeroGrad` (PyTorch 1.13 defaulted to false: pass `{ setToNone: false }` to zero in place).
   */
  setToNone?: boolean;
}

/** `weightDecay` -> `weight_decay`: PyTorch's spelling of a camelCased option name (other names stay as they are). */
export function snakeCase(name: string): string {
  if (!/^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/.test(name)) return name;
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The base class of tsorch's optimizers (PyTorch's `torch.optim.Optimizer`). */
export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  /** The default hyperparameters, PyTorch's keys in PyTorch's order; groups take the ones they do not set. */
  readonly defaults: Record<string, unknown>;
  /**
   * Per-parameter state, in the order parameters first got state. Keys are the parameters; state loaded for an
   * index that matches no parameter keeps its key, as in PyTorch.
   */
  state = new Map<Tensor | number | string, ParamState>();
  /** The parameter groups (plain objects of PyTorch's keys; `params` holds the tensors). */
  paramGroups: G[] = [];
  /** How many times `step()` ran since an LR scheduler attached (PyTorch's `optimizer._step_count`). */
  stepCount = 0;

  /**
   * @param params tensors, or parameter groups `{ params, lr, ... }`
   * @param defaults hyperparameters with PyTorch's keys; `required` marks ones every group must give
   */
  constructor(params: ParamsInput, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new OptimError("ERR_OPTIM_ARGUMENT", "TypeError",
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typename(params)}`);
    }
    const given: unknown[] = [...(params as Iterable<unknown>)];
    if (given.length === 0) throw new OptimError("ERR_OPTIM_ARGUMENT", "ValueError", "optimizer got an empty parameter list");
    const groups = isPlainObject(given[0]) ? given : [{ params: given }];
    for (const group of groups) this.addParamGroup(group as ParamGroupInput);
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen while fine-tuning): options it lacks come from `defaults`.
   * Option names may be camelCased; the group stores PyTorch's snake_case keys, in the order given, then the
   * defaults' keys in their order (so `params` comes first unless given elsewhere, as in PyTorch).
   */
  addParamGroup(paramGroup: ParamGroupInput): void {
    if (!isPlainObject(paramGroup)) throw new OptimError("ERR_OPTIM_ARGUMENT", "AssertionError", "param group must be a dict");
    const group: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(paramGroup)) group[snakeCase(key)] = value;
    if (!("params" in group)) throw new OptimError("ERR_OPTIM_ARGUMENT", "KeyError", "'params'");
    group.params = paramList(group.params);
    const params = group.params as unknown[];
    for (const param of params) {
      if (!(param instanceof Tensor)) {
        throw new OptimError("ERR_OPTIM_ARGUMENT", "TypeError", `optimizer can only optimize Tensors, but one of the params is ${typename(param)}`);
      }
      if (!this.defaults.differentiable && !(param.isLeaf || param.gradFn?.retained === param)) {
        throw new OptimError("ERR_OPTIM_PARAM_GROUP", "ValueError", "can't optimize a non-leaf Tensor");
      }
    }
    for (const [name, value] of Object.entries(this.defaults)) {
      if (name in group) continue;
      if (value === required) {
        throw new OptimError("ERR_OPTIM_PARAM_GROUP", "ValueError",
          `parameter group didn't specify a value of required optimization parameter ${name}`);
      }
      group[name] = value;
    }
    if (new Set(params).size !== params.length) {
      warnOnce("optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information");
    }
    const taken = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p as Tensor))) {
      throw new OptimError("ERR_OPTIM_PARAM_GROUP", "ValueError", "some parameters appear in more than one parameter group");
    }
    this.paramGroups.push(group as G);
  }

  /** Resets the gradients of all parameters: zeroes them in place (default, as PyTorch 1.13), or sets them to null. */
  zeroGrad(options: ZeroGradOptions = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        if (options.setToNone ?? true) {
          p.grad = null;
          continue;
        }
        if (p.grad.gradFn) p.grad.detach_();
        else p.grad.requiresGrad_(false);
        p.grad.zero_();
      }
    }
  }

  /**
   * Performs one optimization step. `closure`, when given, re-evaluates the model and returns the loss; it runs
   * first, with grad enabled, and its value is returned. The update itself runs without recording a graph.
   */
  step<T = unknown>(closure?: () => T): T | undefined {
    this.stepCount++;
    const prev = isGradEnabled();
    setGradEnabled(this.defaults.differentiable === true);
    try {
      const loss = closure ? enableGrad(closure) : undefined;
      this.update();
      return loss;
    } finally {
      setGradEnabled(prev);
    }
  }

  /** The update of all groups (PyTorch's algorithm of each optimizer), run by `step()`. */
  protected abstract update(): void;

  /** The state of `param`, created empty on first use (PyTorch's `defaultdict(dict)`). */
  protected stateOf(param: Tensor): ParamState {
    let state = this.state.get(param);
    if (!state) {
      state = {};
      this.state.set(param, state);
    }
    return state;
  }

  /**
   * The optimizer's state in PyTorch's layout: `{ state: Map(index -> state), param_groups: [{ ...options, params:
   * [indices] }] }`. State objects and tensors are the live ones (references, as in PyTorch); save or copy them.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const groups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== "params") packed[key] = value;
      group.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = group.params.map((p) => index.get(p)!);
      start += group.params.length;
      return packed as PackedParamGroup;
    });
    const state = new Map<number, ParamState>();
    for (const [key, value] of this.state) {
      if (!(key instanceof Tensor)) {
        state.set(key as number, value);
        continue;
      }
      const i = index.get(key);
      if (i === undefined) throw new OptimError("ERR_OPTIM_STATE", "KeyError", "optimizer state holds a tensor that is in no parameter group");
      state.set(i, value);
    }
    return { state, param_groups: groups };
  }

  /**
   * Loads a state dict made by `stateDict()` here or by PyTorch: a deep copy of it replaces the state (floating
   * tensors cast to their parameter's dtype and device, `step` left alone) and the groups' hyperparameters.
   */
  loadStateDict(stateDict: OptimizerStateDictInput): void {
    const sd = deepCopy(stateDict);
    if (!isPlainObject(sd) || !("param_groups" in sd)) throw new OptimError("ERR_OPTIM_LOAD_STATE_DICT", "KeyError", "'param_groups'");
    if (!("state" in sd)) throw new OptimError("ERR_OPTIM_LOAD_STATE_DICT", "KeyError", "'state'");
    const groups = this.paramGroups;
    const saved = sd.param_groups;
    if (groups.length !== saved.length) {
      throw new OptimError("ERR_OPTIM_LOAD_STATE_DICT", "ValueError", "loaded state dict has a different number of parameter groups");
    }
    const savedParams = saved.map((g) => g.params);
    if (savedParams.some((p) => !Array.isArray(p))) {
      throw new OptimError("ERR_OPTIM_LOAD_STATE_DICT", "TypeError", `a saved parameter group's params is ${pyTypeName(savedParams.find((p) => !Array.isArray(p)))}, not a list`);
    }
    if (groups.some((g, i) => g.params.length !== (savedParams[i] as unknown[]).length)) {
      throw new OptimError("ERR_OPTIM_LOAD_STATE_DICT", "ValueError", "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<unknown, Tensor>();
    const ours = groups.flatMap((g) => g.params);
    (savedParams as unknown[][]).flat().forEach((id, i) => idMap.set(id, ours[i]));

    const state = new Map<Tensor | number | string, ParamState>();
    for (const [key, value] of stateEntries(sd.state)) {
      const param = idMap.get(key);
      if (param) state.set(param, castState(param, value) as ParamState);
      else state.set(key as number | string, value as ParamState);
    }
    this.state = state;
    this.paramGroups = groups.map((group, i) => {
      const loaded = saved[i] as Record<string, unknown>;
      loaded.params = group.params;
      return loaded as G;
    });
    if (!("differentiable" in this.defaults)) this.defaults.differentiable = false;
    this.afterLoad();
  }

  /** Python's repr: the class name, then each group's options sorted by key (`SGD (\nParameter Group 0\n    dampening: 0 ...`). */
  toString(): string {
    let text = `${this.constructor.name} (`;
    this.paramGroups.forEach((group, i) => {
      text += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(group).sort()) if (key !== "params") text += `    ${key}: ${pyRepr(group[key])}\n`;
    });
    return `${text})`;
  }

  /** PyTorch's per-class `__setstate__`: fills keys that older state dicts lack. */
  protected afterLoad(): void {}
}

/** `list(params)` of a group, with PyTorch's errors: a tensor becomes a one-element list. */
function paramList(params: unknown): unknown[] {
  if (params instanceof Tensor) return [params];
  if (typeof params === "string" || params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
    throw new OptimError("ERR_OPTIM_ARGUMENT", "TypeError", `'${pyTypeName(params)}' object is not iterable`);
  }
  return [...(params as Iterable<unknown>)];
}

/** The (key, value) pairs of a saved `state` dict; plain-object keys that spell integers become numbers. */
function stateEntries(state: unknown): Array<[unknown, unknown]> {
  if (state instanceof Map) return [...state];
  if (!isPlainObject(state)) throw new OptimError("ERR_OPTIM_LOAD_STATE_DICT", "TypeError", `state must be a dict, got ${pyTypeName(state)}`);
  return Object.entries(state).map(([k, v]) => [/^-?\d+$/.test(k) ? Number(k) : k, v]);
}

/** Python's `setdefault` on a group: adds `key` (at the end) when missing. */
export function setDefault(group: Record<string, unknown>, key: string, value: unknown): void {
  if (!(key in group)) group[key] = value;
}
