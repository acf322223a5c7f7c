/**
 * What a file's container says about itself, and which writer (PyTorch version, tsorch) the evidence points to.
 * Evidence rules (shared/spec/pytorch-checkpoint-format.md section 1, PyTorch's serialization notes):
 * - zip `byteorder` record: PyTorch >= 2.1 (and tsorch, which always writes one);
 * - `.data/serialization_id`: PyTorch >= 2.1 (pytorch/pytorch#100994, May 2023); tsorch does not write it;
 * - `.format_version` and `.storage_alignment`: PyTorch >= 2.7;
 * - storage records in string order (0, 1, 10, 11, 2): PyTorch < 2.7; in numeric order: PyTorch >= 2.7 or tsorch;
 * - `constants.pkl`: a TorchScript archive (torch.jit.save), not torch.save;
 * - legacy stream (magic 0x1950a86a20f9469cfc6c, protocol 1001): PyTorch < 1.6, or `_use_new_zipfile_serialization=False`;
 *   `torch._utils._rebuild_tensor` (not `_v2`) in it: PyTorch 0.3 or older.
 */
import type { ZipReader } from "../serialization/zip/reader.ts";
import type { Json } from "./tree.ts";

/** Data of every torch.save record starts at a multiple of this. */
export const RECORD_ALIGNMENT = 64;

/** One zip record as inspect reports it. */
export interface RecordInfo {
  /** Full entry name (`ckpt/data/0`). */
  name: string;
  /** Offset of the first data byte in the file. */
  offset: number;
  /** Size in bytes (uncompressed). */
  bytes: number;
  /** 0 stored, 8 deflate. */
  method: number;
  /** True when `offset` is a multiple of 64. */
  aligned: boolean;
}

/** The writer the evidence points to, and the evidence itself (one sentence each). */
export interface WriterInfo {
  summary: string;
  evidence: string[];
}

/** Format details of a zip checkpoint. */
export interface ZipFormat {
  kind: "zip";
  description: string;
  archiveName: string;
  /** The `version` (or `.data/version`) record's value. */
  version: number;
  versionRecord: string;
  byteorder: "little" | "big";
  byteorderRecord: boolean;
  formatVersion: number | null;
  storageAlignment: number | null;
  serializationId: string | null;
  zip64: boolean;
  records: RecordInfo[];
  alignment: { boundary: number; allAligned: boolean; misaligned: string[] };
  /** Order of the `data/<key>` records: numeric, string (lexicographic), or ambiguous (under 11 storages). */
  storageRecordOrder: "numeric" | "string" | "ambiguous" | "other";
  globals: string[];
  writer: WriterInfo;
}

/** Format details of a legacy (pre-1.6 stream) checkpoint. */
export interface LegacyFormat {
  kind: "legacy";
  description: string;
  magic: string;
  protocolVersion: number;
  sysInfo: Json;
  byteorder: "little" | "big";
  globals: string[];
  writer: WriterInfo;
}

/** Format details of a safetensors file. */
export interface SafetensorsFormat {
  kind: "safetensors";
  description: string;
  /** N, the JSON header's length (bytes 0-7). */
  headerBytes: number;
  /** Where the data section starts (8 + N). */
  dataOffset: number;
  dataBytes: number;
  /** True when the data section starts at a multiple of 8 (the reference writer pads the header to ensure it). */
  dataAligned: boolean;
  metadata: Record<string, string> | null;
  /**
   * Metadata entries `{ alias: kept }` naming a tensor that is not in the file and one that is: names dropped by a
   * deduplicating writer (`tsorch convert --dedupe`, safetensors' `save_model`), which load back as tied tensors.
   */
  aliases: Record<string, string>;
  writer: WriterInfo;
}

/** Any file's format details. */
export type FormatInfo = ZipFormat | LegacyFormat | SafetensorsFormat;

function compareAsStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function recordOrder(keys: string[]): ZipFormat["storageRecordOrder"] {
  if (keys.length < 2) return "ambiguous";
  const numeric = keys.every((k) => /^\d+$/.test(k)) ? [...keys].sort((a, b) => Number(a) - Number(b)) : null;
  const strings = [...keys].sort(compareAsStrings);
  const isNumeric = numeric !== null && numeric.every((k, i) => k === keys[i]);
  const isString = strings.every((k, i) => k === keys[i]);
  if (isNumeric && isString) return "ambiguous";
  if (isNumeric) return "numeric";
  if (isString) return "string";
  return "other";
}

/** Reads a small text record, or undefined when missing. */
function text(zip: ZipReader, name: string): string | undefined {
  const entry = zip.get(name);
  if (!entry || entry.size > 4096) return undefined;
  try {
    return zip.readText(entry);
  } catch {
    return undefined;
  }
}

/** The zip container's details and writer evidence. `layout` comes from the loader; `globals` from the pickle. */
export function zipFormat(zip: ZipReader, layout: { prefix: string; version: number; byteorder: "little" | "big"; hasByteorderRecord: boolean }, globals: string[]): ZipFormat {
  const prefix = layout.prefix;
  const records: RecordInfo[] = zip.entries.map((e) => ({ name: e.name, offset: e.dataOffset, bytes: e.size, method: e.method, aligned: e.dataOffset % RECORD_ALIGNMENT === 0 }));
  const misaligned = records.filter((r) => !r.aligned).map((r) => r.name);
  const storageKeys = zip.names().filter((n) => n.startsWith(`${prefix}/data/`)).map((n) => n.slice(prefix.length + 6));
  const formatVersionText = text(zip, `${prefix}/.format_version`);
  const alignmentText = text(zip, `${prefix}/.storage_alignment`);
  const serializationId = text(zip, `${prefix}/.data/serialization_id`)?.trim() ?? null;
  const versionRecord = zip.has(`${prefix}/.data/version`) ? ".data/version" : "version";
  const format: ZipFormat = {
    kind: "zip",
    description: "PyTorch zip checkpoint (torch.save, PyTorch >= 1.6 format)",
    archiveName: prefix,
    version: layout.version,
    versionRecord,
    byteorder: layout.byteorder,
    byteorderRecord: layout.hasByteorderRecord,
    formatVersion: formatVersionText === undefined ? null : Number(formatVersionText.trim()),
    storageAlignment: alignmentText === undefined ? null : Number(alignmentText.trim()),
    serializationId,
    zip64: zip.zip64,
    records,
    alignment: { boundary: RECORD_ALIGNMENT, allAligned: misaligned.length === 0, misaligned },
    storageRecordOrder: recordOrder(storageKeys),
    globals,
    writer: { summary: "", evidence: [] },
  };
  format.writer = zipWriter(format);
  return format;
}

function zipWriter(f: ZipFormat): WriterInfo {
  const evidence: string[] = [];
  let summary: string;
  if (f.formatVersion !== null) {
    summary = "PyTorch >= 2.7";
    evidence.push(`\`.format_version\` record (= ${f.formatVersion})${f.storageAlignment !== null ? ` and \`.storage_alignment\` (= ${f.storageAlignment})` : ""}: PyTorch >= 2.7`);
  } else if (f.byteorderRecord && f.serializationId !== null) {
    summary = "PyTorch 2.1-2.6";
    evidence.push("`byteorder` record: PyTorch >= 2.1 (or tsorch)");
    evidence.push("`.data/serialization_id` record: PyTorch >= 2.1 (tsorch does not write one)");
    evidence.push("no `.format_version` record: PyTorch < 2.7");
  } else if (f.byteorderRecord) {
    summary = "tsorch (or PyTorch >= 2.1 without a serialization id)";
    evidence.push("`byteorder` record: PyTorch >= 2.1, or tsorch (tsorch always writes one)");
    evidence.push("no `.data/serialization_id` record: not a PyTorch 2.1+ release's torch.save, which writes one; tsorch does not");
    evidence.push("no `.format_version` record: not PyTorch >= 2.7");
  } else {
    summary = "PyTorch 1.6-2.0 (not tsorch: tsorch writes a byteorder record)";
    evidence.push("no `byteorder` record: PyTorch 1.6-2.0, or a later PyTorch with _disable_byteorder_record=True; tsorch always writes one");
    if (f.serializationId !== null) evidence.push("`.data/serialization_id` record: PyTorch >= 2.1 (saved with _disable_byteorder_record=True?)");
  }
  if (f.storageRecordOrder === "string") evidence.push("storage records in string order (0, 1, 10, 11, 2, ...): PyTorch < 2.7");
  else if (f.storageRecordOrder === "numeric") evidence.push("storage records in numeric order (0, 1, 2, ..., 10): PyTorch >= 2.7 or tsorch");
  if (f.versionRecord === ".data/version") evidence.push("`.data/version` record (written by torch.package / newer writers) takes precedence over `version`");
  if (!f.zip64) evidence.push("no zip64 end record: torch.save and tsorch always write one, so another zip tool made or rewrote this archive");
  if (!f.alignment.allAligned) evidence.push(`${f.alignment.misaligned.length} record(s) not ${f.alignment.boundary}-byte aligned: not written by torch.save (which aligns every record), or rewritten by another tool`);
  if (f.globals.includes("torch._utils._rebuild_tensor_v3")) evidence.push("`_rebuild_tensor_v3` in the pickle: PyTorch >= 2.1 dtype (uint16/32/64, float8, ...) that PyTorch 1.13 cannot read");
  return { summary, evidence };
}

/** The legacy header's details and writer evidence. */
export function legacyFormat(info: { magic: bigint; protocolVersion: number; sysInfo: Json; littleEndian: boolean }, globals: string[]): LegacyFormat {
  const evidence = [
    `legacy stream format (magic 0x${info.magic.toString(16)}, protocol_version ${info.protocolVersion}): PyTorch < 1.6, or a later PyTorch with _use_new_zipfile_serialization=False; tsorch never writes it`,
  ];
  let summary = "PyTorch 0.4-1.5 (or later with _use_new_zipfile_serialization=False)";
  if (globals.includes("torch._utils._rebuild_tensor")) {
    summary = "PyTorch 0.3 or older";
    evidence.push("`torch._utils._rebuild_tensor` (the pre-0.4 rebuild function) in the pickle: PyTorch 0.3 or older");
  } else if (globals.includes("torch._utils._rebuild_tensor_v2")) {
    evidence.push("`torch._utils._rebuild_tensor_v2` in the pickle: PyTorch >= 0.4");
  }
  return {
    kind: "legacy",
    description: "PyTorch legacy checkpoint (pickle stream, PyTorch < 1.6 format)",
    magic: `0x${info.magic.toString(16)}`,
    protocolVersion: info.protocolVersion,
    sysInfo: info.sysInfo,
    byteorder: info.littleEndian ? "little" : "big",
    globals,
    writer: { summary, evidence },
  };
}

/** The safetensors header's details. */
export function safetensorsFormat(header: { headerLength: number; dataStart: number; dataLength: number; metadata: Record<string, string> | null; tensors: readonly { name: string }[] }): SafetensorsFormat {
  const names = new Set(header.tensors.map((t) => t.name));
  const aliases: Record<string, string> = {};
  for (const [k, v] of Object.entries(header.metadata ?? {})) if (!names.has(k) && names.has(v)) aliases[k] = v;
  const evidence = ["safetensors files do not record their writer's version"];
  if (header.headerLength % 8 !== 0) evidence.push(`header of ${header.headerLength} bytes is not padded to a multiple of 8: the tensor data is not 8-byte aligned (recent versions of the reference writer, and tsorch, pad it)`);
  else evidence.push("header padded to a multiple of 8 (as the reference writer and tsorch do)");
  return {
    kind: "safetensors",
    description: "safetensors file",
    headerBytes: header.headerLength,
    dataOffset: header.dataStart,
    dataBytes: header.dataLength,
    dataAligned: header.dataStart % 8 === 0,
    metadata: header.metadata,
    aliases,
    writer: { summary: "not recorded", evidence },
  };
}
