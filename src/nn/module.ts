/**
 * nn.Module: the base class of layers and models, with PyTorch's registration of parameters, buffers
 * and child modules, traversal, train/eval, device/dtype moves, state dicts and repr.
 *
 * Registration works like PyTorch's `__setattr__`: the Module constructor returns a Proxy of the
 * instance, and its traps route assignments of a Parameter, a Module, or a value for an already
 * registered name into the ordered maps `_parameters`, `_modules` and `_buffers`. Class fields are
 * defined through that Proxy too, so plain field declarations register in declaration order:
 *
 * ```ts
 * class Net extends nn.Module {
 *   conv1 = new nn.Conv2d(3, 6, 5);
 *   fc1 = new nn.Linear(400, 120);
 *   forward(x: Tensor): Tensor { return this.fc1.call(this.conv1.call(x).flatten(1)); }
 * }
 * ```
 * Field declarations without a value (`weight!: Parameter`) define nothing (they are skipped by the
 * Proxy), so subclasses may re-declare the types of registered names. Do not use `#private` fields
 * in Module itself; subclasses may.
 */
import { noGrad } from "../autograd/grad-mode.ts";
import { Device, type DeviceLike, toDevice } from "../tensor/device.ts";
import { DType, type DTypeLike, float16, float32, float64, bfloat16, toDType } from "../tensor/dtype.ts";
import { Tensor } from "../tensor/tensor.ts";
import { pyReprSymbol } from "../python/index.ts";
import { NNError, typename } from "./errors.ts";
import { type ForwardHook, type ForwardPreHook, RemovableHandle } from "./hooks.ts";
import { makeRegisteringProxy } from "./module-proxy.ts";
import { Parameter, setTensorData } from "./parameter.ts";
import { loadModuleStateDict, loadOwnState, saveOwnState, type LoadContext } from "./module-state.ts";
import {
  type ModuleMetadata, type StateDict, type StateDictLike, IncompatibleKeys,
  emptyStateDict,
} from "./state-dict.ts";

/** Options of `Module.stateDict`. */
export interface StateDictOptions {
  /** An object to fill (and return) instead of a new state dict. */
  destination?: StateDict;
  /** Prepended to every key (PyTorch uses it while recursing: `"layer1.0."`). */
  prefix?: string;
  /** Keep Parameters and autograd history instead of detached tensors (default false). */
  keepVars?: boolean;
}

/** Options of `Module.loadStateDict`. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Size mismatches are errors either way. */
  strict?: boolean;
  /**
   * Replace the module's tensors by the state dict's (keeping each parameter's requiresGrad) instead
   * of copying into them; this materialises a model built on the meta device (default false).
   */
  assign?: boolean;
}

/** Options of `namedParameters` / `namedBuffers`. */
export interface NamedMembersOptions {
  /** Prepended to every name. */
  prefix?: string;
  /** Include members of all descendants (default true), or only this module's own. */
  recurse?: boolean;
  /** List a tensor shared under several names only once (default true). */
  removeDuplicate?: boolean;
}

/** Options of `namedModules`. */
export interface NamedModulesOptions {
  /** Modules already seen (skipped). */
  memo?: Set<Module>;
  /** Prepended to every name. */
  prefix?: string;
  /** List a module reachable under several names only once (default true). */
  removeDuplicate?: boolean;
}

export { type ForwardHook, type ForwardPreHook, RemovableHandle } from "./hooks.ts";

let nextHookId = 0;

/** Base class of all neural network modules (`torch.nn.Module`). */
export class Module {
  /** The state-dict format version of this class (stored in `_metadata`); BatchNorm uses 2. */
  static _version = 1;

  /** True in training mode (`train()`), false in evaluation mode (`eval()`). */
  training = true;
  /** Own parameters by name, in registration order (null: registered as None). */
  readonly _parameters = new Map<string, Parameter | null>();
  /** Own buffers by name, in registration order (null: registered as None). */
  readonly _buffers = new Map<string, Tensor | null>();
  /** Names of buffers left out of the state dict. */
  readonly _nonPersistentBuffersSet = new Set<string>();
  /** Child modules by name, in registration order. */
  readonly _modules = new Map<string, Module | null>();
  /** Forward pre-hooks by id. */
  readonly _forwardPreHooks = new Map<number, ForwardPreHook>();
  /** Forward hooks by id. */
  readonly _forwardHooks = new Map<number, ForwardHook>();

  constructor() {
    return registeringProxy(this);
  }

  // ---- registration ----------------------------------------------------------------------------

  /** Adds a buffer: state that is not a parameter (BatchNorm's running_mean). Non-persistent buffers stay out of the state dict. */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    const persistent = options.persistent ?? true;
    if (typeof name !== "string") throw regError("TypeError", `buffer name should be a string. Got ${typename(name)}`);
    if (name.includes(".")) throw regError("KeyError", `buffer name can't contain "."`);
    if (name === "") throw regError("KeyError", `buffer name can't be empty string ""`);
    if (name in this && !this._buffers.has(name)) throw regError("KeyError", `attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw regError("TypeError", `cannot assign '${typename(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffers.set(name, tensor);
    if (persistent) this._nonPersistentBuffersSet.delete(name);
    else this._nonPersistentBuffersSet.add(name);
  }

  /** Adds a parameter (or a None placeholder) under `name`. */
  registerParameter(name: string, param: Parameter | null): void {
    if (typeof name !== "string") throw regError("TypeError", `parameter name should be a string. Got ${typename(name)}`);
    if (name.includes(".")) throw regError("KeyError", `parameter name can't contain "."`);
    if (name === "") throw regError("KeyError", `parameter name can't be empty string ""`);
    if (name in this && !this._parameters.has(name)) throw regError("KeyError", `attribute '${name}' already exists`);
    if (param === null) {
      this._parameters.set(name, null);
      return;
    }
    if (!(param instanceof Parameter)) {
      throw regError("TypeError", `cannot assign '${typename(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param.gradFn) {
      throw new NNError("ERR_NN_REGISTRATION", "ValueError",
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
        `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`);
    }
    this._parameters.set(name, param);
  }

  /** Adds a child module (or a None placeholder) under `name`. */
  addModule(name: string, module: Module | null): void {
    if (!(module instanceof Module) && module !== null) throw regError("TypeError", `${typename(module)} is not a Module subclass`);
    if (typeof name !== "string") throw regError("TypeError", `module name should be a string. Got ${typename(name)}`);
    if (name in this && !this._modules.has(name)) throw regError("KeyError", `attribute '${name}' already exists`);
    if (name.includes(".")) throw regError("KeyError", `module name can't contain ".", got: ${name}`);
    if (name === "") throw regError("KeyError", `module name can't be empty string ""`);
    this._modules.set(name, module);
  }

  /** Alias of `addModule`. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  // ---- forward ---------------------------------------------------------------------------------

  /** The computation of the module; subclasses override it. Call modules with `call(...)`. */
  forward(..._inputs: any[]): any {
    throw new NNError("ERR_NN_NOT_IMPLEMENTED", "NotImplementedError", `Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Runs forward (with the forward hooks), like calling a module in Python: `model.call(x)`. */
  call<M extends Module>(this: M, ...inputs: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    let args: unknown[] = inputs;
    for (const hook of this._forwardPreHooks.values()) {
      const replaced = hook(this, args);
      if (replaced !== undefined) args = replaced;
    }
    let output: unknown = this.forward(...args);
    for (const hook of this._forwardHooks.values()) {
      const replaced = hook(this, args, output);
      if (replaced !== undefined) output = replaced;
    }
    return output as ReturnType<M["forward"]>;
  }

  /** Registers a hook run before each `call`; returns a handle to remove it. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardPreHooks.set(id, hook);
    return new RemovableHandle(this._forwardPreHooks, id);
  }

  /** Registers a hook run after each `call`; returns a handle to remove it. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardHooks.set(id, hook);
    return new RemovableHandle(this._forwardHooks, id);
  }

  // ---- traversal -------------------------------------------------------------------------------

  /** Parameters of this module and (with recurse) its descendants, each tensor once. */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }

  /** `[name, parameter]` pairs (`"fc1.weight"`), deduplicated unless `removeDuplicate` is false. */
  namedParameters(options: NamedMembersOptions = {}): [string, Parameter][] {
    return this.namedMembers((m) => m._parameters, options);
  }

  /** Buffers of this module and (with recurse) its descendants. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /** `[name, buffer]` pairs (`"bn1.running_mean"`). */
  namedBuffers(options: NamedMembersOptions = {}): [string, Tensor][] {
    return this.namedMembers((m) => m._buffers, options);
  }

  /** Direct children, each once. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** `[name, child]` pairs of the direct children, each module once. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this._modules) {
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  /** This module and all descendants, depth first, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** `[name, module]` pairs of this module (`""`) and all descendants (`"layer1.0"`), depth first. */
  namedModules(options: NamedModulesOptions = {}): [string, Module][] {
    const memo = options.memo ?? new Set<Module>();
    const removeDuplicate = options.removeDuplicate ?? true;
    const out: [string, Module][] = [];
    const visit = (module: Module, prefix: string): void => {
      if (memo.has(module)) return;
      if (removeDuplicate) memo.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module._modules) {
        if (child !== null) visit(child, prefix + (prefix ? "." : "") + name);
      }
    };
    visit(this, options.prefix ?? "");
    return out;
  }

  private namedMembers<T extends Tensor>(members: (m: Module) => Map<string, T | null>, options: NamedMembersOptions): [string, T][] {
    const prefix = options.prefix ?? "";
    const removeDuplicate = options.removeDuplicate ?? true;
    const modules = options.recurse ?? true ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this] as [string, Module]];
    const memo = new Set<T>();
    const out: [string, T][] = [];
    for (const [modulePrefix, module] of modules) {
      for (const [k, v] of members(module)) {
        if (v === null || memo.has(v)) continue;
        if (removeDuplicate) memo.add(v);
        out.push([modulePrefix + (modulePrefix ? "." : "") + k, v]);
      }
    }
    return out;
  }

  /** The module at a dotted path (`"layer1.0.conv1"`; `""` is this module). */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      if (!(item in mod)) throw attrError(`${mod.constructor.name} has no attribute \`${item}\``);
      const next: unknown = Reflect.get(mod, item);
      if (!(next instanceof Module)) throw attrError(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  /** The parameter at a dotted path (`"fc1.weight"`). */
  getParameter(target: string): Parameter {
    const [modulePath, name] = splitLast(target);
    const mod = this.getSubmodule(modulePath);
    if (!(name in mod)) throw attrError(`${mod.constructor.name} has no attribute \`${name}\``);
    const param: unknown = Reflect.get(mod, name);
    if (!(param instanceof Parameter)) throw attrError(`\`${name}\` is not an nn.Parameter`);
    return param;
  }

  /** The buffer at a dotted path (`"bn1.running_mean"`). */
  getBuffer(target: string): Tensor {
    const [modulePath, name] = splitLast(target);
    const mod = this.getSubmodule(modulePath);
    if (!(name in mod)) throw attrError(`${mod.constructor.name} has no attribute \`${name}\``);
    const buffer = mod._buffers.get(name);
    if (!mod._buffers.has(name) || !buffer) throw attrError(`\`${name}\` is not a buffer`);
    return buffer;
  }

  // ---- modes and gradients ---------------------------------------------------------------------

  /** Sets training mode (default true) on this module and all descendants; returns this. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new NNError("ERR_NN_ARGUMENT", "ValueError", "training mode is expected to be boolean");
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (`train(false)`); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (freezing with false); returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears the gradients of all parameters. PyTorch 2.x semantics: `setToNone` defaults to true (grads
   * become null); with `setToNone: false` they are zeroed in place (PyTorch 1.13's default).
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      const grad = p.grad;
      if (!grad) continue;
      if (setToNone) {
        p.grad = null;
        continue;
      }
      if (grad.gradFn) grad.detach_();
      else grad.requiresGrad_(false);
      grad.zero_();
    }
  }

  // ---- conversion ------------------------------------------------------------------------------

  /** Applies `fn` to this module and every descendant (children first); returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Replaces every parameter's data, gradient and buffer by `fn(tensor)`, children first. Parameters keep
   * their identity (PyTorch's `param.data = fn(param)`), so optimizers holding them stay valid.
   */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const child of this.children()) child._apply(fn);
    for (const param of this._parameters.values()) {
      if (!param) continue;
      const applied = noGrad(() => fn(param));
      if (applied !== param) setTensorData(param, applied);
      const grad = param.grad;
      if (grad) {
        const gradApplied = noGrad(() => fn(grad));
        if (gradApplied !== grad) setTensorData(grad, gradApplied);
      }
    }
    for (const [key, buf] of this._buffers) {
      if (buf) this._buffers.set(key, fn(buf));
    }
    return this;
  }

  /**
   * Moves and/or casts parameters and buffers in place: `to("meta")`, `to("float64")`,
   * `to({ device, dtype })`. Only floating-point tensors change dtype (BatchNorm's int64 counter stays).
   */
  to(target: DeviceLike | DTypeLike | Device | DType | { device?: DeviceLike; dtype?: DTypeLike }): this {
    let device: Device | undefined;
    let dtype: DType | undefined;
    if (target instanceof DType) dtype = target;
    else if (typeof target === "string") {
      try {
        dtype = toDType(target);
      } catch {
        device = toDevice(target);
      }
    } else if (target instanceof Device) device = target;
    else {
      const options = target as { device?: DeviceLike; dtype?: DTypeLike };
      if (options.device !== undefined) device = toDevice(options.device);
      if (options.dtype !== undefined) dtype = toDType(options.dtype);
    }
    if (dtype && !dtype.isFloatingPoint && !dtype.isComplex) {
      throw new NNError("ERR_NN_ARGUMENT", "TypeError", `nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    }
    return this._apply((t) => t.to({ device, dtype: t.isFloatingPoint() || t.dtype.isComplex ? dtype : undefined }));
  }

  /** Casts floating-point parameters and buffers to float32. */
  float(): this {
    return this.to(float32);
  }
  /** Casts floating-point parameters and buffers to float64. */
  double(): this {
    return this.to(float64);
  }
  /** Casts floating-point parameters and buffers to float16. */
  half(): this {
    return this.to(float16);
  }
  /** Casts floating-point parameters and buffers to bfloat16. */
  bfloat16(): this {
    return this.to(bfloat16);
  }
  /** Moves parameters and buffers to the CPU. */
  cpu(): this {
    return this.to("cpu");
  }
  /** Replaces every tensor by an uninitialised (zero-filled) one on `device`: the way off the meta device before re-initialising. */
  toEmpty(options: { device: DeviceLike }): this {
    const device = toDevice(options.device);
    return this._apply((t) => Tensor.empty(t.dims, t.dtype, device));
  }

  // ---- state dict ------------------------------------------------------------------------------

  /**
   * The module's state: parameters, persistent buffers (and `_extra_state`) of this module and its
   * descendants, keyed by dotted name in PyTorch's order. Values are detached tensors that SHARE memory
   * with the module (use `cloneStateDict` for a snapshot). Carries `_metadata` (see state-dict.ts).
   */
  stateDict(options: StateDictOptions = {}): StateDict {
    const destination = options.destination ?? emptyStateDict();
    const prefix = options.prefix ?? "";
    const keepVars = options.keepVars ?? false;
    const metadata: unknown = (destination as { _metadata?: unknown })._metadata;
    const local: ModuleMetadata = { version: (this.constructor as typeof Module)._version };
    if (metadata instanceof Map) metadata.set(prefix.slice(0, -1), local);
    this._saveToStateDict(destination, prefix, keepVars);
    for (const [name, child] of this._modules) {
      if (child) child.stateDict({ destination, prefix: `${prefix}${name}.`, keepVars });
    }
    return destination;
  }

  /** Writes this module's own state (not its children's) into `destination`. Subclasses may override. */
  _saveToStateDict(destination: StateDict, prefix: string, keepVars: boolean): void {
    saveOwnState(this, destination, prefix, keepVars);
  }

  /**
   * Copies parameters and buffers from `stateDict` (a plain object or a Map) into this module and its
   * descendants. Returns the missing and unexpected keys; throws `LoadStateDictError` with PyTorch's
   * message on key mismatches (strict) and on size mismatches or non-tensor values (always).
   */
  loadStateDict(stateDict: StateDictLike, options: LoadStateDictOptions = {}): IncompatibleKeys {
    return loadModuleStateDict(this, stateDict, options.strict ?? true, options.assign ?? false);
  }

  /**
   * Loads this module's own entries from `ctx.stateDict` (keys `prefix + name`), recording missing and
   * unexpected keys and errors. Subclasses override it to upgrade old formats by `localMetadata.version`.
   */
  _loadFromStateDict(ctx: LoadContext, prefix: string, localMetadata: ModuleMetadata): void {
    loadOwnState(this, ctx, prefix, localMetadata);
  }

  /** Extra state for the state dict (`_extra_state`); override together with `setExtraState`. */
  getExtraState(): unknown {
    throw new NNError("ERR_NN_NOT_IMPLEMENTED", "RuntimeError",
      "Reached a code path in Module.get_extra_state() that should never be called. " +
      "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug.");
  }

  /** True when this module's class overrides `getExtraState` (then the state dict has `_extra_state`). */
  _hasExtraState(): boolean {
    return this.getExtraState !== Module.prototype.getExtraState;
  }

  /** Restores what `getExtraState` returned; override together with it. */
  setExtraState(_state: unknown): void {
    throw new NNError("ERR_NN_NOT_IMPLEMENTED", "RuntimeError",
      "Reached a code path in Module.set_extra_state() that should never be called. " +
      "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug.");
  }

  // ---- repr ------------------------------------------------------------------------------------

  /** The one-line description inside the parentheses of the repr (`in_features=4, ...`); override in layers. */
  extraRepr(): string {
    return "";
  }

  /** PyTorch's module repr: `Net(\n  (conv1): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))\n)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = [...this._modules].map(([key, m]) => `(${key}): ${addIndent(m === null ? "None" : m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let main = `${this.constructor.name}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join("\n  ")}\n`;
    }
    return `${main})`;
  }

  /** Python repr (same as toString). */
  [pyReprSymbol](): string {
    return this.toString();
  }

  /** Node's util.inspect prints the PyTorch repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function regError(pythonType: "TypeError" | "KeyError", message: string): NNError {
  return new NNError("ERR_NN_REGISTRATION", pythonType, message);
}

const registeringProxy = makeRegisteringProxy(Module, regError);

function attrError(message: string): NNError {
  return new NNError("ERR_NN_ATTRIBUTE", "AttributeError", message);
}

function splitLast(target: string): [string, string] {
  const i = target.lastIndexOf(".");
  return i < 0 ? ["", target] : [target.slice(0, i), target.slice(i + 1)];
}

function addIndent(s: string, spaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}
