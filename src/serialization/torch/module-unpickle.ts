/**
 * Loading whole modules (`torch.save(model, PATH)` files) without running anything from the file: a module's
 * GLOBAL resolves only to a TypeScript class that tsorch ships (its layers) or that the caller named (the
 * `classes` option, `static pythonClass`, torch.serialization.registerModuleClass). NEWOBJ makes an instance
 * without running the class's constructor (`nn.createUninitializedModule`, Python's `cls.__new__(cls)`); BUILD
 * applies the pickled `__dict__`: parameters, buffers, children, training flag, and attributes (for tsorch's
 * layers mapped to their fields, `kernel_size` -> `kernelSize`; for user classes kept under their Python names).
 * Attributes tsorch does not use go to the module's `_pythonState` and are written back on save.
 */
import type { ByteSource } from "../../io/types.ts";
import { dictEntries, isDict } from "../../python/dict.ts";
import { pyTypeName } from "../../python/types.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { Module } from "../../nn/module.ts";
import { Parameter } from "../../nn/parameter.ts";
import { createUninitializedModule } from "../../nn/uninitialized.ts";
import type { GlobalHandler, GlobalResolver } from "../pickle/globals.ts";
import { UnpicklingError } from "../pickle/errors.ts";
import { Op } from "../pickle/opcodes.ts";
import { CheckpointError } from "./errors.ts";
import { LazyTensor } from "./lazy-tensor.ts";
import { layerValueFromPython } from "./module-layers.ts";
import { MODULE_INTERNAL_ATTRIBUTES, setPythonState } from "./module-pickle.ts";
import {
  type ModuleBinding, type ModuleClasses, bindingForPythonName, howToRegister, isBuiltinModuleClass, normalizeClasses,
} from "./module-registry.ts";

function badState(binding: ModuleBinding, message: string): CheckpointError {
  return new CheckpointError("BAD_MODULE_STATE", `${binding.python.module}.${binding.python.name}: ${message}`);
}

/** The items of one of the module's name -> value dictionaries, with names checked as registerParameter checks them. */
function namedItems(binding: ModuleBinding, what: string, value: unknown): Array<[string, unknown]> {
  if (!isDict(value)) throw badState(binding, `'${what}' must be a dict, got ${pyTypeName(value)}`);
  const items = dictEntries(value);
  for (const [name] of items) {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw badState(binding, `'${what}' has an invalid name ${typeof name === "string" ? JSON.stringify(name) : pyTypeName(name)}`);
    }
  }
  return items as Array<[string, unknown]>;
}

/** A tensor of the module's state; a lazy one is read now (a module needs its data). */
function tensorValue(binding: ModuleBinding, name: string, value: unknown): unknown {
  if (!(value instanceof LazyTensor)) return value;
  try {
    return value.materialize();
  } catch (error) {
    // The legacy format locates its storages only after the pickle: a lazy load cannot read them during BUILD.
    if (!(error instanceof CheckpointError) || error.code !== "MISSING_RECORD") throw error;
    throw new CheckpointError(error.code,
      `${binding.python.module}.${binding.python.name}: tensor '${name}' cannot be read while the file is still being unpickled ` +
      `(${error.message}); load whole-model files of the legacy format with lazy: false`, { cause: error });
  }
}

/** Applies a pickled `__dict__` to a module made by createUninitializedModule. */
export function applyModuleState(module: Module, state: unknown, binding: ModuleBinding): void {
  if (!isDict(state)) throw badState(binding, `a module's state must be its __dict__ (a dict), got ${pyTypeName(state)}`);
  const attributes = new Map<string, unknown>();
  const kept = new Map<string, unknown>();
  for (const [key, value] of dictEntries(state)) {
    if (typeof key !== "string") throw badState(binding, `attribute names must be str, got ${pyTypeName(key)}`);
    switch (key) {
      case "training":
        if (typeof value !== "boolean") throw badState(binding, `'training' must be a bool, got ${pyTypeName(value)}`);
        module.training = value;
        break;
      case "_parameters":
        module._parameters.clear();
        for (const [name, item] of namedItems(binding, key, value)) {
          const param = tensorValue(binding, name, item);
          if (param !== null && !(param instanceof Parameter)) {
            throw badState(binding, `parameter '${name}' must be an nn.Parameter or None, got ${pyTypeName(param)}`);
          }
          module._parameters.set(name, param);
        }
        break;
      case "_buffers":
        module._buffers.clear();
        for (const [name, item] of namedItems(binding, key, value)) {
          const buffer = tensorValue(binding, name, item);
          if (buffer !== null && !(buffer instanceof Tensor)) throw badState(binding, `buffer '${name}' must be a Tensor or None, got ${pyTypeName(buffer)}`);
          module._buffers.set(name, buffer);
        }
        break;
      case "_modules":
        module._modules.clear();
        for (const [name, child] of namedItems(binding, key, value)) {
          if (child !== null && !(child instanceof Module)) throw badState(binding, `child module '${name}' must be an nn.Module or None, got ${pyTypeName(child)}`);
          module._modules.set(name, child);
        }
        break;
      case "_non_persistent_buffers_set":
        if (!(value instanceof Set) || ![...value].every((v) => typeof v === "string")) {
          throw badState(binding, `'_non_persistent_buffers_set' must be a set of str, got ${pyTypeName(value)}`);
        }
        module._nonPersistentBuffersSet.clear();
        for (const name of value) module._nonPersistentBuffersSet.add(name as string);
        break;
      default:
        if (MODULE_INTERNAL_ATTRIBUTES.has(key)) kept.set(key, value);
        else attributes.set(key, value);
    }
  }
  if (binding.layer) {
    const layer = binding.layer;
    for (const spec of layer.attributes) {
      let value: unknown;
      if (attributes.has(spec.python)) {
        value = layerValueFromPython(layer, spec, attributes.get(spec.python));
        attributes.delete(spec.python);
      } else if (spec.fallback) {
        value = spec.fallback(module);
      } else {
        throw badState(binding, `the state has no '${spec.python}' attribute, which ${layer.Cls.name} needs`);
      }
      Reflect.set(module, spec.field, value);
    }
  }
  for (const [key, value] of attributes) {
    // tsorch layers keep Python attributes they do not use; user classes get them as fields of the same name,
    // unless that name is taken (a method, a getter, a registered member, Object.prototype's own names).
    if (binding.layer || key in module) kept.set(key, value);
    else Reflect.set(module, key, value);
  }
  if (kept.size > 0) setPythonState(module, kept);
}

/**
 * The globals of whole-model files for one load: tsorch's layers under PyTorch's class names, plus the classes
 * of `classes` and of the registry. A class GLOBAL alone (ResNet's `_norm_layer`) is the TypeScript class;
 * NEWOBJ makes an uninitialised instance; BUILD applies the state. Calling a class (REDUCE) stays refused.
 */
export function moduleGlobals(classes?: ModuleClasses): GlobalResolver {
  const map = normalizeClasses(classes);
  const handlers = new Map<string, GlobalHandler>();
  return (module, name) => {
    const qualified = `${module}.${name}`;
    const known = handlers.get(qualified);
    if (known) return known;
    const binding = bindingForPythonName(qualified, map);
    if (!binding) return undefined;
    const handler: GlobalHandler = {
      value: binding.Cls,
      construct: (args, kwargs) => {
        if (args.length > 0 || (kwargs !== undefined && dictEntries(kwargs).length > 0)) {
          throw badState(binding, "a module is made with cls.__new__(cls), without arguments; this file passes some");
        }
        return createUninitializedModule(binding.Cls);
      },
      setState: (object, state) => applyModuleState(object as Module, state, binding),
    };
    handlers.set(qualified, handler);
    return handler;
  };
}

/** Bytes of a pickle by position, read in small pieces (a source file inside a legacy persistent id is skipped, not read). */
function byteReader(source: Uint8Array | ByteSource): { size: number; at(pos: number): number; u32(pos: number): number; text(from: number, to: number): string } {
  const size = source instanceof Uint8Array ? source.length : source.size;
  const read = (pos: number, n: number): Uint8Array => {
    if (pos < 0 || pos + n > size) return new Uint8Array(0);
    return source instanceof Uint8Array ? source.subarray(pos, pos + n) : source.read(pos, n);
  };
  return {
    size,
    at: (pos) => read(pos, 1)[0] ?? -1,
    u32: (pos) => {
      const b = read(pos, 4);
      return b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : -1;
    },
    text: (from, to) => String.fromCharCode(...read(from, to - from)),
  };
}

/**
 * The `module.name` of a GLOBAL at `offset` when what follows makes an instance of it: `cls.__new__(cls)` (EMPTY_TUPLE
 * NEWOBJ, how torch.save writes every module), or, in the legacy format, the `('module', cls, source_file, source)`
 * persistent id that stands for the class before that NEWOBJ. Undefined otherwise.
 */
function globalMakingInstance(source: Uint8Array | ByteSource, offset: number): string | undefined {
  const r = byteReader(source);
  if (r.at(offset) !== Op.GLOBAL) return undefined;
  let first = -1;
  let second = -1;
  for (let pos = offset + 1; pos < Math.min(r.size, offset + 1024) && second < 0; pos++) {
    if (r.at(pos) !== 0x0a) continue;
    if (first < 0) first = pos;
    else second = pos;
  }
  if (second < 0) return undefined;
  const skipMemo = (pos: number): number => {
    const op = r.at(pos);
    return op === Op.BINPUT ? pos + 2 : op === Op.LONG_BINPUT ? pos + 5 : op === Op.MEMOIZE ? pos + 1 : pos;
  };
  const skipItem = (pos: number): number => {
    const op = r.at(pos);
    let next = -1;
    if (op === Op.NONE) next = pos + 1;
    else if (op === Op.BINGET) next = pos + 2;
    else if (op === Op.LONG_BINGET) next = pos + 5;
    else if (op === Op.SHORT_BINUNICODE) next = pos + 2 + r.at(pos + 1);
    else if (op === Op.BINUNICODE) next = r.u32(pos + 1) < 0 ? -1 : pos + 5 + r.u32(pos + 1);
    return next < 0 ? -1 : skipMemo(next);
  };
  let at = skipMemo(second + 1);
  if (r.at(at) !== Op.EMPTY_TUPLE) {
    // Legacy: ... GLOBAL cls, source_file, source, TUPLE, BINPERSID, then EMPTY_TUPLE NEWOBJ.
    at = skipItem(at);
    at = at < 0 ? -1 : skipItem(at);
    if (at < 0 || r.at(at) !== Op.TUPLE) return undefined;
    at = skipMemo(at + 1);
    if (r.at(at) !== Op.BINPERSID) return undefined;
    at += 1;
  }
  if (r.at(at) !== Op.EMPTY_TUPLE || r.at(at + 1) !== Op.NEWOBJ) return undefined;
  return `${r.text(offset + 1, first)}.${r.text(first + 1, second)}`;
}

/**
 * PyTorch's legacy format (before 1.6, or `_use_new_zipfile_serialization=False`) stands each module class in for a
 * persistent id `('module', cls, source_file, source)`; torch.load returns `cls` (PyTorch compares the source and
 * warns on changes; tsorch ignores it). Returns undefined for any other persistent id.
 */
export function legacyModuleClass(pid: unknown): unknown {
  if (!Array.isArray(pid) || pid[0] !== "module") return undefined;
  const cls: unknown = pid[1];
  if (typeof cls !== "function" || !(cls.prototype instanceof Module)) {
    throw new CheckpointError("BAD_PERSISTENT_ID", `a legacy ('module', ...) persistent id must name an nn.Module class, got ${pyTypeName(cls)}`);
  }
  return cls;
}

/**
 * When unpickling stopped at the GLOBAL of a class whose instance the file holds (`cls.__new__(cls)`, how PyTorch
 * writes every module of a whole-model file), the error that says so and how to name a TypeScript class for it;
 * otherwise undefined (the original error stands).
 */
export function explainUnknownClass(error: unknown, source: Uint8Array | ByteSource): CheckpointError | undefined {
  if (!(error instanceof UnpicklingError) || error.code !== "UNSUPPORTED_GLOBAL" || error.offset === undefined) return undefined;
  let qualified: string | undefined;
  try {
    qualified = globalMakingInstance(source, error.offset);
  } catch {
    return undefined;
  }
  if (qualified === undefined) return undefined;
  const jsName = qualified.slice(qualified.lastIndexOf(".") + 1);
  const what = qualified.startsWith("torch.nn.") && !isBuiltinModuleClass(qualified)
    ? `it has no built-in implementation of ${qualified}`
    : `it builds objects only from TypeScript classes it was given, and none was given for ${qualified}`;
  return new CheckpointError("UNKNOWN_MODULE_CLASS",
    `Unsupported global: GLOBAL ${qualified} is the class of an object in this file (an nn.Module of a model saved whole with ` +
    `torch.save(model, PATH)?). tsorch never runs code from a file, and ${what}. ${howToRegister(qualified, jsName)} ` +
    "(A state dict, torch.save(model.state_dict(), PATH), needs no class at all.)",
    { cause: error });
}
