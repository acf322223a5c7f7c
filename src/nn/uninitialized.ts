/**
 * Module instances made without running their class's constructor: what Python's `cls.__new__(cls)` gives
 * pickle before it restores `__dict__`. Loading a whole-model file (torch.save(model)) builds modules this way,
 * so no random initialisation is wasted and constructors with required arguments are no obstacle.
 */
import { Module } from "./module.ts";

/** A Module subclass (its constructor may take any arguments; it is not called here). */
export type ModuleConstructor<M extends Module = Module> = abstract new (...args: any[]) => M;

/**
 * An instance of `Cls` whose own constructor and field initialisers did not run: only `nn.Module`'s did, so it
 * is a working, registering (Proxy-wrapped) module with empty `_parameters`, `_buffers` and `_modules`, in
 * training mode, and none of the subclass's fields. Fill it before use (the whole-model loader assigns the
 * file's parameters, buffers, children and attributes). `#private` fields of the subclass do not exist on it.
 *
 * ```ts
 * const conv = nn.createUninitializedModule(nn.Conv2d); // no weight yet, no kaiming init spent
 * conv.weight = new nn.Parameter(torch.randn(6, 3, 5, 5));
 * ```
 */
export function createUninitializedModule<M extends Module>(Cls: ModuleConstructor<M>): M {
  if (typeof Cls !== "function" || !((Cls as unknown) === Module || Cls.prototype instanceof Module)) {
    throw new TypeError(`createUninitializedModule expects an nn.Module subclass, got ${typeof Cls === "function" ? Cls.name || "a function" : typeof Cls}`);
  }
  // Module's constructor with new.target = Cls: the object gets Cls.prototype, Module's fields and the Proxy.
  return Reflect.construct(Module, [], Cls) as M;
}
