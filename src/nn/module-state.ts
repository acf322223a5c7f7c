/**
 * The state-dict walk behind `Module.stateDict` / `Module.loadStateDict`, following PyTorch 1.13's
 * `_save_to_state_dict`, `_load_from_state_dict` and `load_state_dict` (plus 2.x's `assign`), with
 * PyTorch's exact error texts.
 */
import { noGrad } from "../autograd/grad-mode.ts";
import { isDict, strRepr } from "../python/index.ts";
import { Tensor } from "../tensor/tensor.ts";
import { type DeferredTensor, isDeferredTensor } from "../tensor/deferred.ts";
import { META } from "../tensor/device.ts";
import { LoadStateDictError, NNError, pyClassRepr } from "./errors.ts";
import type { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import {
  type ModuleMetadata, type StateDict, type StateDictLike, IncompatibleKeys,
  getStateDictMetadata, stateDictEntries,
} from "./state-dict.ts";

/** The key of a module's extra state in its state dict, after the prefix. */
export const EXTRA_STATE_KEY_SUFFIX = "_extra_state";

/** What `_loadFromStateDict` works on: the entries under one module's prefix and the shared result lists. */
export interface LoadContext {
  /** This module's part of the state dict (keys still carry the full prefix); a copy it may modify. */
  stateDict: Map<string, unknown>;
  /** Collect missing/unexpected keys (PyTorch always passes true here; `strict` only decides raising). */
  strict: boolean;
  /** Replace tensors instead of copying into them. */
  assign: boolean;
  /** Keys the modules expected but did not find. */
  missingKeys: string[];
  /** Keys no module claimed. */
  unexpectedKeys: string[];
  /** Error lines (size mismatches, non-tensor values, failed copies). */
  errorMsgs: string[];
}

/** `_save_to_state_dict`: own parameters, persistent buffers and extra state into `destination`. */
export function saveOwnState(module: Module, destination: StateDict, prefix: string, keepVars: boolean): void {
  for (const [name, param] of module._parameters) {
    if (param) destination[prefix + name] = keepVars ? param : param.detach();
  }
  for (const [name, buf] of module._buffers) {
    if (buf && !module._nonPersistentBuffersSet.has(name)) destination[prefix + name] = keepVars ? buf : buf.detach();
  }
  if (module._hasExtraState()) {
    (destination as Record<string, unknown>)[prefix + EXTRA_STATE_KEY_SUFFIX] = module.getExtraState();
  }
}

/** `_load_from_state_dict`: loads one module's own parameters, buffers and extra state. */
export function loadOwnState(module: Module, ctx: LoadContext, prefix: string, _localMetadata: ModuleMetadata): void {
  const localState = new Map<string, Tensor>();
  for (const [name, param] of module._parameters) if (param) localState.set(name, param);
  for (const [name, buf] of module._buffers) {
    if (buf && !module._nonPersistentBuffersSet.has(name)) localState.set(name, buf);
  }
  for (const [name, param] of localState) {
    const key = prefix + name;
    if (!ctx.stateDict.has(key)) {
      if (ctx.strict) ctx.missingKeys.push(key);
      continue;
    }
    let value = ctx.stateDict.get(key);
    if (isDeferredTensor(value)) {
      // A lazily loaded checkpoint tensor: read it straight into the parameter when that is a plain copy.
      const deferred = value;
      if (!ctx.assign && !param.isMeta && deferred.shape.equals(param.dims)) {
        try {
          noGrad(() => deferred.copyInto(param));
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          ctx.errorMsgs.push(`While copying the parameter named "${key}", whose dimensions in the model are ${param.shape} and ` +
            `whose dimensions in the checkpoint are ${deferred.shape}, an exception occurred : (${strRepr(message)},).`);
        }
        continue;
      }
      value = deferred.shape.equals(param.dims) || (param.dim() === 0 && deferred.dims.length === 1) ? deferred.materialize() : deferredShapeOnly(deferred);
    }
    if (!(value instanceof Tensor)) {
      ctx.errorMsgs.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${pyClassRepr(value)}`);
      continue;
    }
    let input: Tensor = value;
    // Backward compatibility: loading a 1-dim tensor from 0.3.* into a 0-dim one.
    if (param.dim() === 0 && input.dim() === 1) input = input.select(0, 0);
    if (!input.shape.equals(param.dims)) {
      ctx.errorMsgs.push(`size mismatch for ${key}: copying a param with shape ${input.shape} from checkpoint, the shape in current model is ${param.shape}.`);
      continue;
    }
    if (param.isMeta && !input.isMeta && !ctx.assign) {
      // PyTorch 2.x warns and leaves the meta tensor empty; tsorch refuses, since the model would stay unusable.
      ctx.errorMsgs.push(`for ${key}: copying from a non-meta parameter in the checkpoint to a meta parameter in the current model, which is a no-op. ` +
        "(Did you mean to pass `assign=True` to assign items in the state dictionary to their corresponding key in the module instead of copying them in place?)");
      continue;
    }
    const source = input;
    try {
      noGrad(() => {
        if (!ctx.assign) param.copy_(source);
        else if (param instanceof Parameter) {
          const value = source instanceof Parameter ? source.requiresGrad_(param.requiresGrad) : new Parameter(source, param.requiresGrad);
          module.registerParameter(name, value);
        } else module._buffers.set(name, source);
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      ctx.errorMsgs.push(`While copying the parameter named "${key}", whose dimensions in the model are ${param.shape} and ` +
        `whose dimensions in the checkpoint are ${source.shape}, an exception occurred : (${strRepr(message)},).`);
    }
  }

  const extraStateKey = prefix + EXTRA_STATE_KEY_SUFFIX;
  if (module._hasExtraState()) {
    if (ctx.stateDict.has(extraStateKey)) module.setExtraState(ctx.stateDict.get(extraStateKey));
    else if (ctx.strict) ctx.missingKeys.push(extraStateKey);
  } else if (ctx.strict && ctx.stateDict.has(extraStateKey)) {
    ctx.unexpectedKeys.push(extraStateKey);
  }

  if (ctx.strict) {
    for (const key of ctx.stateDict.keys()) {
      if (!key.startsWith(prefix) || key === extraStateKey) continue;
      const inputName = key.slice(prefix.length).split(".", 1)[0];
      if (!module._modules.has(inputName) && !localState.has(inputName)) ctx.unexpectedKeys.push(key);
    }
  }
}

/** A meta tensor with a deferred tensor's shape: enough to report a size mismatch without reading data. */
function deferredShapeOnly(deferred: DeferredTensor): Tensor {
  return Tensor.empty(deferred.dims, deferred.dtype, META);
}

function metadataEntry(value: unknown): ModuleMetadata {
  if (value instanceof Map) return Object.fromEntries(value) as ModuleMetadata;
  if (typeof value === "object" && value !== null) return { ...(value as ModuleMetadata) };
  return {};
}

/** `load_state_dict`: loads `stateDict` into `root` and its descendants; raises PyTorch's errors. */
export function loadModuleStateDict(root: Module, stateDict: StateDictLike, strict: boolean, assign: boolean): IncompatibleKeys {
  if (!isDict(stateDict)) {
    throw new NNError("ERR_NN_ARGUMENT", "TypeError", `Expected state_dict to be dict-like, got ${pyClassRepr(stateDict)}.`);
  }
  const metadata = getStateDictMetadata(stateDict);
  const missingKeys: string[] = [];
  const unexpectedKeys: string[] = [];
  const errorMsgs: string[] = [];
  const load = (module: Module, local: Map<string, unknown>, prefix: string): void => {
    const localMetadata = metadataEntry(metadata?.get(prefix.slice(0, -1)));
    const ctx: LoadContext = { stateDict: local, strict: true, assign, missingKeys, unexpectedKeys, errorMsgs };
    module._loadFromStateDict(ctx, prefix, localMetadata);
    for (const [name, child] of module._modules) {
      if (!child) continue;
      const childPrefix = `${prefix}${name}.`;
      const childState = new Map<string, unknown>();
      for (const [k, v] of local) if (k.startsWith(childPrefix)) childState.set(k, v);
      load(child, childState, childPrefix);
    }
  };
  load(root, new Map(stateDictEntries(stateDict)), "");

  if (strict) {
    if (unexpectedKeys.length > 0) errorMsgs.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
    if (missingKeys.length > 0) errorMsgs.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
  }
  if (errorMsgs.length > 0) {
    const message = `Error(s) in loading state_dict for ${root.constructor.name}:\n\t${errorMsgs.join("\n\t")}`;
    throw new LoadStateDictError(message, missingKeys, unexpectedKeys, errorMsgs);
  }
  return new IncompatibleKeys(missingKeys, unexpectedKeys);
}
