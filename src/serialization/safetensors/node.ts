/** Node.js entry points: safetensors files read by offset with `fs.readSync` and written as a stream. */
import { unlinkSync } from "node:fs";
import { NodeFileSink, NodeFileSource } from "../../io/node-file.ts";
import type { ByteSource } from "../../io/types.ts";
import type { SafetensorsHeader } from "./header.ts";
import { type LoadSafetensorsOptions, loadSafetensorsFrom, readSafetensorsHeaderFrom, type SafetensorsContents } from "./read.ts";
import { type NamedTensors, planSafetensors, type SaveSafetensorsOptions, writePlan } from "./write.ts";

function withFile<T>(path: string, f: (source: ByteSource) => T): T {
  const source = new NodeFileSource(path);
  try {
    return f(source);
  } finally {
    source.close();
  }
}

/**
 * Loads a safetensors file (a path, read by offset: only the header and each tensor's bytes, each straight
 * into its own storage), or safetensors bytes, or any ByteSource.
 *
 * ```ts
 * const { tensors, metadata } = loadSafetensors("model.safetensors");
 * ```
 */
export function loadSafetensors(input: string | Uint8Array | ByteSource, options: LoadSafetensorsOptions = {}): SafetensorsContents {
  if (typeof input === "string") return withFile(input, (source) => loadSafetensorsFrom(source, options));
  return loadSafetensorsFrom(input, options);
}

/** Reads and validates only the header of a safetensors file (path), bytes or ByteSource, for inspection. */
export function readSafetensorsHeader(input: string | Uint8Array | ByteSource): SafetensorsHeader {
  if (typeof input === "string") return withFile(input, (source) => readSafetensorsHeaderFrom(source));
  return readSafetensorsHeaderFrom(input);
}

/**
 * Writes named tensors to a safetensors file, streaming each tensor's bytes from its storage (no
 * whole-file buffer). The tensors are checked before the file is opened; a failed write removes the partial
 * file. Returns the file size.
 */
export function saveSafetensorsFile(path: string, tensors: NamedTensors, options: SaveSafetensorsOptions = {}): number {
  const plan = planSafetensors(tensors, options);
  const sink = new NodeFileSink(path);
  try {
    const size = writePlan(plan, sink);
    sink.close();
    return size;
  } catch (error) {
    sink.close();
    try { unlinkSync(path); } catch { /* already gone */ }
    throw error;
  }
}
