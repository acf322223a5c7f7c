/**
 * PyTorch's `Module.__setattr__` / `__getattr__` / `__delattr__` for tsorch: the Proxy that the Module
 * constructor returns. Its traps route a Parameter, a Module, or a value for an already registered name into
 * the ordered maps `_parameters`, `_modules`, `_buffers`; class fields are defined through it too, so they
 * register in declaration order.
 */
import { Tensor } from "../tensor/tensor.ts";
import { type NNError, typename } from "./errors.ts";
import type { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

type RegError = (pythonType: "TypeError" | "KeyError", message: string) => NNError;

/**
 * Builds the function the Module constructor returns through: it wraps an instance in the registering Proxy.
 * (`ModuleClass` is passed in to keep this file free of a runtime import cycle with module.ts.)
 */
export function makeRegisteringProxy(ModuleClass: abstract new () => Module, regError: RegError): (instance: Module) => Module {
  /** Each instance's Proxy (what `new` returned), by instance. */
  const proxies = new WeakMap<Module, Module>();

  /**
   * PyTorch's `Module.__setattr__` for the registered kinds. Returns false when `value` is an ordinary
   * attribute (then it is stored on the object as usual).
   */
  function assignRegistered(module: Module, target: Module, name: string, value: unknown): boolean {
    if (value instanceof Parameter) {
      Reflect.deleteProperty(target, name);
      target._buffers.delete(name);
      target._modules.delete(name);
      target._nonPersistentBuffersSet.delete(name);
      module.registerParameter(name, value);
      return true;
    }
    if (target._parameters.has(name)) {
      if (value !== null) {
        throw regError("TypeError", `cannot assign '${typename(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
      }
      module.registerParameter(name, null);
      return true;
    }
    if (value instanceof ModuleClass) {
      Reflect.deleteProperty(target, name);
      target._parameters.delete(name);
      target._buffers.delete(name);
      target._nonPersistentBuffersSet.delete(name);
      target._modules.set(name, value);
      return true;
    }
    if (target._modules.has(name)) {
      if (value !== null) {
        throw regError("TypeError", `cannot assign '${typename(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
      }
      target._modules.set(name, null);
      return true;
    }
    if (target._buffers.has(name)) {
      if (value !== null && !(value instanceof Tensor)) {
        throw regError("TypeError", `cannot assign '${typename(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
      }
      target._buffers.set(name, value);
      return true;
    }
    return false;
  }

  function isRegistered(target: Module, name: string): boolean {
    return target._parameters.has(name) || target._buffers.has(name) || target._modules.has(name);
  }

  const handler: ProxyHandler<Module> = {
    get(target, name, receiver) {
      if (typeof name === "string") {
        if (target._parameters.has(name)) return target._parameters.get(name);
        if (target._buffers.has(name)) return target._buffers.get(name);
        if (target._modules.has(name)) return target._modules.get(name);
      }
      return Reflect.get(target, name, receiver);
    },
    set(target, name, value, receiver) {
      if (typeof name === "string" && assignRegistered(receiver as Module, target, name, value)) return true;
      return Reflect.set(target, name, value, receiver);
    },
    defineProperty(target, name, descriptor) {
      if (typeof name === "string" && "value" in descriptor) {
        // A class field declared without a value (`weight!: Parameter`) defines `undefined`: skip it, so
        // that re-declaring a registered name's type in a subclass neither unregisters it nor makes a later
        // registerBuffer(name) see an existing attribute. Setting an existing attribute to undefined still works.
        if (descriptor.value === undefined && (isRegistered(target, name) || !Object.hasOwn(target, name))) return true;
        if (assignRegistered(proxies.get(target) ?? target, target, name, descriptor.value)) return true;
      }
      return Reflect.defineProperty(target, name, descriptor);
    },
    deleteProperty(target, name) {
      if (typeof name === "string") {
        if (target._parameters.delete(name)) return true;
        if (target._buffers.delete(name)) {
          target._nonPersistentBuffersSet.delete(name);
          return true;
        }
        if (target._modules.delete(name)) return true;
      }
      return Reflect.deleteProperty(target, name);
    },
    has(target, name) {
      return (typeof name === "string" && isRegistered(target, name)) || Reflect.has(target, name);
    },
  };

  return (instance) => {
    const proxy = new Proxy(instance, handler);
    proxies.set(instance, proxy);
    return proxy;
  };
}
