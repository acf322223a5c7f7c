/**
 * Which TypeScript class stands for which Python class in whole-model files (`torch.save(model)`).
 *
 * A whole-model pickle names each module's Python class (`torch.nn.modules.linear.Linear`,
 * `__main__.TheModelClass`, `torchvision.models.resnet.ResNet`). tsorch never imports or runs anything a file
 * names, so every class must be known ahead: tsorch's own layers are built in (module-layers.ts); a model class
 * of yours is named in one of three ways, most local first:
 *
 * ```ts
 * class TheModelClass extends nn.Module {
 *   static pythonClass = "__main__.TheModelClass"; // 1. on the class: torch.save finds it, load with classes: [TheModelClass]
 *   ...
 * }
 * torch.load(path, { classes: { "__main__.TheModelClass": TheModelClass } }); // 2. per call (save takes it too)
 * torch.serialization.registerModuleClass("__main__.TheModelClass", TheModelClass); // 3. once, for every call
 * ```
 */
import { Module } from "../../nn/module.ts";
import type { ModuleConstructor } from "../../nn/uninitialized.ts";
import { CheckpointError } from "./errors.ts";
import { BUILTIN_LAYERS, type LayerSpec } from "./module-layers.ts";

/** A Module class that may carry the Python class name it is saved under (`static pythonClass`). */
export type ModuleClass = ModuleConstructor & { pythonClass?: string };

/**
 * Module classes for one torch.save / torch.load call: `{ "module.Name": Class }`, a Map of the same, or an array
 * of classes that each have a `static pythonClass`.
 */
export type ModuleClasses = Readonly<Record<string, ModuleClass>> | ReadonlyMap<string, ModuleClass> | readonly ModuleClass[];

/** The Python side of a class: `module` and `name` as a pickle's GLOBAL writes them. */
export interface PythonClassName {
  readonly module: string;
  readonly name: string;
}

const registry = new Map<string, ModuleClass>();

/** Splits `"torchvision.models.resnet.ResNet"` into module and name, refusing what no GLOBAL could hold. */
export function parsePythonClassName(qualified: string): PythonClassName {
  const dot = typeof qualified === "string" ? qualified.lastIndexOf(".") : -1;
  if (dot <= 0 || dot === qualified.length - 1 || /[\s]/.test(qualified)) {
    throw new CheckpointError("UNKNOWN_MODULE_CLASS",
      `a Python class name must be "module.ClassName" (e.g. "__main__.TheModelClass"), got ${JSON.stringify(qualified)}`);
  }
  return { module: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
}

function checkModuleClass(Cls: unknown, what: string): asserts Cls is ModuleClass {
  if (typeof Cls !== "function" || !(Cls.prototype instanceof Module)) {
    throw new CheckpointError("UNKNOWN_MODULE_CLASS", `${what} must be an nn.Module subclass, got ${typeof Cls === "function" ? Cls.name || "a function" : typeof Cls}`);
  }
}

/** The `static pythonClass` a class itself declares (not one inherited from a parent class), or undefined. */
export function ownPythonClass(Cls: ModuleClass): string | undefined {
  return Object.hasOwn(Cls, "pythonClass") && typeof Cls.pythonClass === "string" ? Cls.pythonClass : undefined;
}

/**
 * Lets every torch.load read instances of the Python class `pythonName` as `Cls`, and every torch.save write
 * `Cls` instances under that name (PyTorch finds classes by import; tsorch only by this, by `static pythonClass`
 * and by the `classes` option). Registering a name again replaces the class.
 *
 * ```ts
 * torch.serialization.registerModuleClass("torchvision.models.resnet.ResNet", ResNet);
 * ```
 */
export function registerModuleClass(pythonName: string, Cls: ModuleClass): void {
  parsePythonClassName(pythonName);
  checkModuleClass(Cls, `registerModuleClass("${pythonName}", ...)`);
  registry.set(pythonName, Cls);
}

/** Forgets a class registered with registerModuleClass (by Python name); true when it was registered. */
export function unregisterModuleClass(pythonName: string): boolean {
  return registry.delete(pythonName);
}

/** Forgets every class registered with registerModuleClass. */
export function clearModuleClasses(): void {
  registry.clear();
}

/** The registered classes by Python name (a copy). */
export function registeredModuleClasses(): Map<string, ModuleClass> {
  return new Map(registry);
}

/** The `classes` option as a Map from Python name to class. */
export function normalizeClasses(classes: ModuleClasses | undefined): Map<string, ModuleClass> {
  const out = new Map<string, ModuleClass>();
  if (classes === undefined) return out;
  const entries: Iterable<readonly [string, ModuleClass]> = Array.isArray(classes)
    ? (classes as readonly ModuleClass[]).map((Cls) => {
        checkModuleClass(Cls, "each of { classes: [...] }");
        const name = ownPythonClass(Cls);
        if (name === undefined) {
          throw new CheckpointError("UNKNOWN_MODULE_CLASS",
            `${Cls.name} in { classes: [...] } has no static pythonClass; add \`static pythonClass = "__main__.${Cls.name}"\` ` +
            `to the class, or pass { classes: { "__main__.${Cls.name}": ${Cls.name} } }`);
        }
        return [name, Cls] as const;
      })
    : classes instanceof Map ? classes : Object.entries(classes as Record<string, ModuleClass>);
  for (const [name, Cls] of entries) {
    parsePythonClassName(name);
    checkModuleClass(Cls, `classes["${name}"]`);
    out.set(name, Cls);
  }
  return out;
}

/** How one Python class loads and saves: the TypeScript class, and the layer spec when it is a built-in layer. */
export interface ModuleBinding {
  readonly python: PythonClassName;
  readonly Cls: ModuleClass;
  /** Attribute mapping of tsorch's own layers; undefined for user classes (attributes keep their Python names). */
  readonly layer?: LayerSpec;
}

const builtinByName = new Map<string, LayerSpec>(BUILTIN_LAYERS.map((spec) => [spec.python, spec]));
const builtinByClass = new Map<ModuleClass, LayerSpec>(BUILTIN_LAYERS.map((spec) => [spec.Cls, spec]));

/** True when `qualified` is a torch.nn class tsorch implements. */
export function isBuiltinModuleClass(qualified: string): boolean {
  return builtinByName.has(qualified);
}

/** The class a load uses for the Python class `qualified`: the call's classes, then the registry, then tsorch's layers. */
export function bindingForPythonName(qualified: string, classes: Map<string, ModuleClass>): ModuleBinding | undefined {
  const Cls = classes.get(qualified) ?? registry.get(qualified);
  const builtin = builtinByName.get(qualified);
  if (Cls !== undefined) {
    // The attribute mapping applies when the class is one of tsorch's layers (under whatever name it is registered).
    return { python: parsePythonClassName(qualified), Cls, layer: builtin?.Cls === Cls ? builtin : builtinByClass.get(Cls) };
  }
  if (builtin) return { python: parsePythonClassName(qualified), Cls: builtin.Cls, layer: builtin };
  return undefined;
}

function findName(classes: ReadonlyMap<string, ModuleClass>, Cls: ModuleClass): string | undefined {
  for (const [name, candidate] of classes) if (candidate === Cls) return name;
  return undefined;
}

/**
 * The Python class a save writes for an instance of `Cls`: the call's classes, the class's own `static
 * pythonClass`, the registry, then tsorch's layers (exact class: a subclass of nn.Linear is not nn.Linear).
 */
export function bindingForClass(Cls: ModuleClass, classes: Map<string, ModuleClass>): ModuleBinding | undefined {
  const name = findName(classes, Cls) ?? ownPythonClass(Cls) ?? findName(registry, Cls);
  const builtin = builtinByClass.get(Cls);
  if (name !== undefined) return { python: parsePythonClassName(name), Cls, layer: builtin };
  if (builtin) return { python: parsePythonClassName(builtin.python), Cls, layer: builtin };
  return undefined;
}

/** The advice every "unknown class" error ends with. */
export function howToRegister(qualified: string, jsName: string): string {
  return `Name the TypeScript class that implements it: torch.load(path, { classes: { "${qualified}": ${jsName} } }), ` +
    `or give the class \`static pythonClass = "${qualified}"\` and pass { classes: [${jsName}] }, ` +
    `or call torch.serialization.registerModuleClass("${qualified}", ${jsName}) once.`;
}
