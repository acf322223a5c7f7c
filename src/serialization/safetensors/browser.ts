/**
 * safetensors entry points for the browser build: node.ts's names, taking bytes or sources instead of
 * paths (Blobs and HTTP range sources go through `loadSafetensorsAsync`). Writing returns bytes:
 * `saveSafetensors(tensors)`.
 */
import type { ByteSource } from "../../io/types.ts";
import { pathsNeedNode } from "../torch/browser.ts";
import type { SafetensorsHeader } from "./header.ts";
import { type LoadSafetensorsOptions, loadSafetensorsFrom, readSafetensorsHeaderFrom, type SafetensorsContents } from "./read.ts";
import type { NamedTensors, SaveSafetensorsOptions } from "./write.ts";

const bytesOf = (input: Uint8Array | ArrayBuffer | ByteSource): Uint8Array | ByteSource => (input instanceof ArrayBuffer ? new Uint8Array(input) : input);

/** Loads safetensors bytes (or any ByteSource); for a Blob or File use `loadSafetensorsAsync`. */
export function loadSafetensors(input: Uint8Array | ArrayBuffer | ByteSource, options: LoadSafetensorsOptions = {}): SafetensorsContents {
  if (typeof input === "string") throw pathsNeedNode("loadSafetensors", input);
  return loadSafetensorsFrom(bytesOf(input), options);
}

/** Reads and validates only the header of safetensors bytes or a ByteSource. */
export function readSafetensorsHeader(input: Uint8Array | ArrayBuffer | ByteSource): SafetensorsHeader {
  if (typeof input === "string") throw pathsNeedNode("readSafetensorsHeader", input);
  return readSafetensorsHeaderFrom(bytesOf(input));
}

/** Writing to a path needs Node.js: in the browser this throws; use `saveSafetensors(tensors)` for the bytes. */
export function saveSafetensorsFile(path: string, _tensors: NamedTensors, _options: SaveSafetensorsOptions = {}): number {
  throw pathsNeedNode("saveSafetensorsFile", path);
}
