/**
 * safetensors: read and write https://github.com/huggingface/safetensors files.
 * `read.ts`, `write.ts` and `header.ts` are platform-neutral; `node.ts` adds paths (node:fs).
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
export { loadSafetensors, readSafetensorsHeader, saveSafetensorsFile } from "./node.ts";
