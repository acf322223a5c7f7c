/**
 * tsorch: PyTorch's model-state system in TypeScript.
 *
 * ```ts
 * import * as torch from "tsorch";
 * import { nn, optim, F } from "tsorch";
 * ```
 * The browser build (package.json `browser` condition) is src/browser.ts: the same names, no paths.
 */
export * from "./core.ts";
export { load, loadAsync, loadSync, save, saveSync, CheckpointError, LazyTensor, isLazyTensor, type LoadOptions, type SaveOptions, type MapLocation } from "./serialization/torch/index.ts";
export * as serialization from "./serialization/torch/index.ts";
export * as safetensors from "./serialization/safetensors/index.ts";
