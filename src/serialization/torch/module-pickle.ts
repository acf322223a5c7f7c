/**
 * Saving whole modules (`torch.save(model, PATH)`) as PyTorch 1.13 pickles them: the GLOBAL of the module's Python
 * class, NEWOBJ (`cls.__new__(cls)`), then BUILD with the instance `__dict__`: `training`, `_parameters` (an
 * OrderedDict of `_rebuild_parameter`s), `_buffers`, `_non_persistent_buffers_set`, the hook OrderedDicts,
 * `_modules` (an OrderedDict of child modules), and the layer's own attributes (`in_channels`, `kernel_size`, ...).
 *
 * Python attributes a loaded module carried that tsorch does not use (hook dictionaries, attributes of newer
 * PyTorch versions) are kept in the module's non-enumerable `_pythonState` and written back, so a model loaded
 * from PyTorch and saved again still loads there. tsorch's own forward hooks are JS functions and are not saved.
 */
import { dictFromMap, orderedDict } from "../../python/dict.ts";
import { PyGlobal } from "../../python/global.ts";
import { Tuple, tupleFrom } from "../../python/tuple.ts";
import { Module } from "../../nn/module.ts";
import type { PyReduce } from "../pickle/pickler.ts";
import { CheckpointError } from "./errors.ts";
import {
  type ModuleBinding, type ModuleClass, type ModuleClasses, bindingForClass, normalizeClasses,
} from "./module-registry.ts";

/** nn.Module's own attributes in PyTorch 1.13's `__dict__` order. */
export const MODULE_BASE_ATTRIBUTES: readonly string[] = [
  "training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_backward_hooks", "_is_full_backward_hook",
  "_forward_hooks", "_forward_pre_hooks", "_state_dict_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
  "_modules",
];

/** nn.Module's own attributes in any PyTorch version (2.x adds kwargs and pre-hook dictionaries): never user attributes. */
export const MODULE_INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...MODULE_BASE_ATTRIBUTES,
  "_backward_pre_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_forward_pre_hooks_with_kwargs",
  "_state_dict_pre_hooks", "_compiled_call_impl",
]);

/** The own fields every tsorch Module has (training, the maps, tsorch's hooks): not Python attributes of a class. */
export const TSORCH_MODULE_FIELDS: ReadonlySet<string> = new Set(Object.keys(Reflect.construct(Module, [], Module) as object));

const PYTHON_STATE = "_pythonState";

/**
 * The Python attributes a loaded module keeps for saving back (hook dictionaries, attributes tsorch does not
 * use), in file order; undefined for modules that were not loaded from a whole-model file.
 */
export function pythonStateOf(module: Module): Map<string, unknown> | undefined {
  const state: unknown = Object.getOwnPropertyDescriptor(module, PYTHON_STATE)?.value;
  return state instanceof Map ? state : undefined;
}

/** Stores `state` as the module's non-enumerable `_pythonState`. */
export function setPythonState(module: Module, state: Map<string, unknown>): void {
  Object.defineProperty(module, PYTHON_STATE, { value: state, enumerable: false, writable: true, configurable: true });
}

function unknownClassError(Cls: ModuleClass): CheckpointError {
  const jsName = Cls.name || "Model";
  const qualified = `__main__.${jsName}`;
  return new CheckpointError("UNKNOWN_MODULE_CLASS",
    `Cannot save a ${jsName} as a whole module: tsorch does not know which Python class it is, and the file must name one ` +
    `(a Python class of that name must exist where it is loaded). Give the class \`static pythonClass = "${qualified}"\`, ` +
    `or pass torch.save(model, path, { classes: { "${qualified}": ${jsName} } }), ` +
    `or call torch.serialization.registerModuleClass("${qualified}", ${jsName}) once. ` +
    "(Or save model.stateDict(), which needs no class.)");
}

/** A value with every Module class in it (a JS class, as `_norm_layer` holds) replaced by its GLOBAL. */
function pythonValue(value: unknown, where: string, classes: Map<string, ModuleClass>): unknown {
  if (typeof value === "function") {
    const binding = value.prototype instanceof Module ? bindingForClass(value as ModuleClass, classes) : undefined;
    if (binding) return new PyGlobal(binding.python.module, binding.python.name);
    if (value.prototype instanceof Module) throw unknownClassError(value as ModuleClass);
    throw new CheckpointError("UNSAVEABLE",
      `${where} is a function (${value.name || "anonymous"}): a whole-model file can hold data and nn.Module classes, not code. ` +
      "Make it a method, or keep it out of the instance's own enumerable fields.");
  }
  if (Array.isArray(value) && value.some((v) => typeof v === "function" || Array.isArray(v))) {
    const items = value.map((v, i) => pythonValue(v, `${where}[${i}]`, classes));
    return value instanceof Tuple ? tupleFrom(items) : items;
  }
  return value;
}

/** The `__dict__` PyTorch would pickle for `module`. */
function moduleDict(module: Module, binding: ModuleBinding, classes: Map<string, ModuleClass>): Map<string, unknown> {
  const kept = pythonStateOf(module);
  const live: Record<string, () => unknown> = {
    training: () => module.training,
    _parameters: () => orderedDict(module._parameters),
    _buffers: () => orderedDict(module._buffers),
    _non_persistent_buffers_set: () => new Set(module._nonPersistentBuffersSet),
    _modules: () => orderedDict(module._modules),
  };
  const dict = new Map<string, unknown>();
  for (const key of MODULE_BASE_ATTRIBUTES) {
    if (Object.hasOwn(live, key)) dict.set(key, live[key]());
    else if (kept?.has(key)) dict.set(key, kept.get(key));
    else dict.set(key, key === "_is_full_backward_hook" ? null : orderedDict());
  }
  const className = binding.python.name;
  if (binding.layer) {
    for (const spec of binding.layer.attributes) {
      const value: unknown = Reflect.get(module, spec.field);
      if (value !== undefined) dict.set(spec.python, spec.kind.toPython(value, module));
    }
  } else {
    for (const key of Object.keys(module)) {
      if (TSORCH_MODULE_FIELDS.has(key) || MODULE_INTERNAL_ATTRIBUTES.has(key) || dict.has(key)) continue;
      const value: unknown = Reflect.get(module, key);
      if (value !== undefined) dict.set(key, pythonValue(value, `attribute '${key}' of ${className}`, classes));
    }
  }
  for (const [key, value] of kept ?? []) {
    if (!dict.has(key)) dict.set(key, pythonValue(value, `attribute '${key}' of ${className}`, classes));
  }
  return dict;
}

/**
 * The torch.save hook that writes nn.Modules as whole-module pickles (see the file comment); other values are
 * left to the default handling. `classes` names user classes for this save (see module-registry.ts).
 */
export function moduleReduceHook(classes?: ModuleClasses): (value: unknown) => PyReduce | undefined {
  const map = normalizeClasses(classes);
  return (value) => {
    if (!(value instanceof Module)) return undefined;
    const Cls = value.constructor as ModuleClass;
    const binding = bindingForClass(Cls, map);
    if (!binding) throw unknownClassError(Cls);
    const dict = moduleDict(value, binding, map);
    const state = dictFromMap(dict); // Python's __dict__: a plain dict
    return { module: binding.python.module, name: binding.python.name, args: [], newobj: true, state };
  };
}
