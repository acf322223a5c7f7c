/**
 * safetensors for the browser build: index.ts with node.ts swapped for browser.ts. Keep its names in step
 * with index.ts; test/browser/exports.test.ts compares them.
 */
export { SafetensorsError, type SafetensorsErrorCode } from "./errors.ts";
export { MAX_HEADER_LENGTH, type SafetensorsHeader, type SafetensorsTensorInfo } from "./header.ts";
export { type LoadSafetensorsOptions, loadSafetensorsFrom, readSafetensorsHeaderFrom, type SafetensorsContents } from "./read.ts";
export {
  type AsyncSafetensorsInput, loadSafetensorsAsync, loadSafetensorsFromAsync, readSafetensorsHeaderAsync, readSafetensorsHeaderFromAsync,
} from "./read-async.ts";
export {
  contiguousBytes, type NamedTensors, planSafetensors, type PlannedTensor, saveSafetensors, type SafetensorsPlan,
  type SaveSafetensorsOptions, writePlan, writeSafetensors,
} from "./write.ts";
export { loadSafetensors, readSafetensorsHeader, saveSafetensorsFile } from "./browser.ts";
