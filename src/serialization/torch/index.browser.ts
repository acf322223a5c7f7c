/**
 * torch.save / torch.load for the browser build: index.ts with node.ts swapped for browser.ts (no paths, no
 * node:* imports). Keep its names in step with index.ts; test/browser/exports.test.ts compares them.
 */
export { load, loadAsync, loadSync, loadWithFormat, save, saveSync, blobSource, type LoadSource, type SaveTarget } from "./browser.ts";
export { type BytesLike, type CheckpointFormat, type LoadOptions, saveToBytes } from "./checkpoint.ts";
export { type SaveOptions, archiveNameFor } from "./save.ts";
export { addSafeGlobals, clearSafeGlobals } from "./decode.ts";
export { CheckpointError, type CheckpointErrorCode } from "./errors.ts";
export { LazyTensor, isLazyTensor } from "./lazy-tensor.ts";
export { type MapLocation, type StorageInfo } from "./map-location.ts";
export { type ZipLayout } from "./zip-checkpoint.ts";
export {
  type ModuleClass, type ModuleClasses, clearModuleClasses, registerModuleClass, registeredModuleClasses, unregisterModuleClass,
} from "./module-registry.ts";
export { pythonStateOf } from "./module-pickle.ts";
