/**
 * `tsorch inspect FILE`: what a checkpoint or safetensors file holds, without reading tensor data: the nested
 * structure, every tensor (key, dtype, shape, storage, offset, bytes), shared storages, totals, and the format
 * details with the evidence of which writer made the file. `--json` prints the report described in README.md.
 */
import { type Checkpoint, openCheckpoint, type StorageInfo, type TensorInfo } from "./checkpoint.ts";
import type { FormatInfo } from "./format-info.ts";
import { parseMapLocation } from "./map-location-option.ts";
import type { StructureNode } from "./tree.ts";
import { renderInspect } from "./inspect-render.ts";

/** The `--json` schema identifier; bumped on incompatible changes. */
export const INSPECT_SCHEMA = "tsorch.inspect/1";

/** A tensor as the report lists it: the file's description plus where torch.load would put it. */
export interface ReportTensor extends TensorInfo {
  /** Where `torch.load(path, map_location=...)` would place it (the location when no --map-location). */
  device: string;
}

/** A group of tensors viewing one storage. */
export interface SharedStorage {
  storage: string;
  dtype: string;
  bytes: number;
  tensors: string[];
}

/** The whole inspect report (the `--json` output). */
export interface InspectReport {
  schema: typeof INSPECT_SCHEMA;
  file: { path: string; bytes: number };
  format: FormatInfo;
  structure: StructureNode;
  tensors: ReportTensor[];
  storages: StorageInfo[];
  shared: SharedStorage[];
  totals: {
    tensors: number;
    /** Sum of the tensors' element counts ("parameters"); views of one storage count each. */
    elements: number;
    /** Sum of the tensors' bytes (elements x element size). */
    tensorBytes: number;
    storages: number;
    /** Bytes of tensor data the file holds: unique storages (torch.save) or the data section (safetensors). */
    storageBytes: number;
  };
  mapLocation: string | null;
}

/** Options of inspect. */
export interface InspectOptions {
  json?: boolean;
  mapLocation?: string;
}

/** Builds the report of an opened file. */
export function buildReport(ckpt: Checkpoint, mapLocation?: string): InspectReport {
  const map = parseMapLocation(mapLocation);
  const tensors = ckpt.tensors.map((t) => ({ ...t, device: t.location === "meta" ? "meta" : map(t.location) }));
  const shared = ckpt.storages
    .filter((s) => s.tensors.length > 1)
    .map((s) => ({ storage: s.key, dtype: s.dtype, bytes: s.bytes, tensors: s.tensors }));
  const storageBytes = ckpt.format.kind === "safetensors" ? ckpt.format.dataBytes : ckpt.storages.reduce((sum, s) => sum + s.bytes, 0);
  return {
    schema: INSPECT_SCHEMA,
    file: { path: ckpt.path, bytes: ckpt.fileBytes },
    format: ckpt.format,
    structure: ckpt.structure,
    tensors,
    storages: ckpt.storages,
    shared,
    totals: {
      tensors: tensors.length,
      elements: tensors.reduce((sum, t) => sum + t.elements, 0),
      tensorBytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
      storages: ckpt.storages.length,
      storageBytes,
    },
    mapLocation: mapLocation ?? null,
  };
}

/** Runs inspect; returns the text to print. */
export function inspect(path: string, options: InspectOptions = {}): string {
  const ckpt = openCheckpoint(path);
  try {
    const report = buildReport(ckpt, options.mapLocation);
    return options.json ? `${JSON.stringify(report, null, 2)}\n` : renderInspect(report);
  } finally {
    ckpt.close();
  }
}
