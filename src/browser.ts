/**
 * tsorch for the browser: src/index.ts's names, with torch.load / torch.save / safetensors taking bytes, Blobs,
 * Files and byte sources instead of paths, and nothing that imports node:* (package.json picks this file
 * under the `browser` export condition; `npm run build:browser` bundles it). Keep it in step with
 * src/index.ts; test/browser/exports.test.ts compares the two.
 *
 * ```ts
 * import * as torch from "tsorch";
 * import { nn, optim, F } from "tsorch";
 * ```
 */
export * from "./core.ts";
export { load, loadAsync, loadSync, save, saveSync, CheckpointError, LazyTensor, isLazyTensor, type LoadOptions, type SaveOptions, type MapLocation } from "./serialization/torch/index.browser.ts";
export * as serialization from "./serialization/torch/index.browser.ts";
export * as safetensors from "./serialization/safetensors/index.browser.ts";
