/**
 * Writing safetensors: tensors laid out as the reference writer lays them out (huggingface/safetensors
 * `prepare` in `safetensors/src/tensor.rs`: by dtype alignment, largest first, then by name), the JSON header
 * padded with spaces to a multiple of 8 so every tensor's data is aligned in the file.
 */
import type { ByteSink } from "../../io/types.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { safetensorsCodeFor, safetensorsRank } from "./dtypes.ts";
import { SafetensorsError } from "./errors.ts";
import { encodeHeader, setOwn } from "./header.ts";
import { findSharedTensors, formatSharedGroups, isSameView } from "./shared.ts";

/** Named tensors to save: a plain object or a Map (a state dict). */
export type NamedTensors = Record<string, Tensor> | Map<string, Tensor>;

/** Options of `saveSafetensors`. */
export interface SaveSafetensorsOptions {
  /** Free-form `__metadata__` (strings to strings), e.g. `{ format: "pt" }`. Written first in the header. */
  metadata?: Record<string, string> | null;
  /**
   * Accept tensors that share memory instead of refusing them. Exact duplicates (the same view of the same
   * storage, such as tied weights) are written once, under the name that sorts first; each dropped name is
   * recorded in `__metadata__` as `{ dropped: kept }` (what the reference's `save_model` writes, unless the
   * caller's metadata already has that key), and `loadSafetensors(..., { restoreAliases: true })` restores
   * it. Other overlapping views are each written as their own contiguous copy, so they load untied.
   */
  dedupe?: boolean;
}

/** One tensor in the layout of a file about to be written. */
export interface PlannedTensor {
  /** Its name in the header. */
  name: string;
  /** The tensor whose elements are written (non-contiguous tensors are written contiguous). */
  tensor: Tensor;
  /** Its safetensors dtype code. */
  dtype: string;
  /** Byte length of its data. */
  nbytes: number;
}

/** A file's layout: the header bytes (length prefix included) and the tensors in data order. */
export interface SafetensorsPlan {
  /** The 8-byte length followed by the padded JSON header. */
  header: Uint8Array;
  /** The tensors in the order their data follows the header. */
  tensors: PlannedTensor[];
  /** Total size of the file in bytes. */
  totalLength: number;
}

/** Compares strings by Unicode code point (the byte order of their UTF-8, as Rust's `str::cmp`). */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return (a.length - i) - (b.length - j);
}

function entriesOf(tensors: NamedTensors): [string, Tensor][] {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of entries) {
    if (typeof name !== "string") throw new SafetensorsError("INVALID_TENSOR", `tensor names must be strings, got ${typeof name} ${String(name)}`);
    if (name === "__metadata__") throw new SafetensorsError("INVALID_TENSOR", `'__metadata__' is reserved for the metadata map and cannot name a tensor`);
    if (!(t instanceof Tensor)) {
      throw new SafetensorsError("INVALID_TENSOR", `Key \`${name}\` is invalid, expected a Tensor but received ${t === null ? "null" : typeof t === "object" ? (t as object).constructor?.name ?? "object" : typeof t}`);
    }
    if (t.isMeta) throw new SafetensorsError("INVALID_TENSOR", `cannot save tensor '${name}': it is on the meta device and has no data`);
  }
  return entries;
}

function checkMetadata(metadata: Record<string, string> | null | undefined): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== "object" || Array.isArray(metadata)) throw new SafetensorsError("INVALID_METADATA", `metadata must be an object of strings, got ${Array.isArray(metadata) ? "an array" : typeof metadata}`);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw new SafetensorsError("INVALID_METADATA", `metadata values must be strings, but '${key}' is ${value === null ? "null" : typeof value} (${String(value)})`);
  }
  return metadata;
}

/** Drops exact duplicates from shared groups (keeping the name that sorts first) and records the aliases. */
function dedupeShared(entries: [string, Tensor][], groups: string[][], metadata: Record<string, string> | null): { entries: [string, Tensor][]; metadata: Record<string, string> | null } {
  const byName = new Map(entries);
  const dropped = new Set<string>();
  const aliases: [string, string][] = [];
  for (const group of groups) {
    const remaining = [...group];
    while (remaining.length > 0) {
      const first = byName.get(remaining[0]) as Tensor;
      const same = remaining.filter((n) => isSameView(byName.get(n) as Tensor, first));
      const keep = [...same].sort(compareCodePoints)[0];
      for (const n of same) if (n !== keep) { dropped.add(n); aliases.push([n, keep]); }
      for (const n of same) remaining.splice(remaining.indexOf(n), 1);
    }
  }
  if (aliases.length === 0) return { entries, metadata };
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) setOwn(merged, key, value);
  for (const [alias, kept] of aliases) if (!Object.hasOwn(merged, alias)) setOwn(merged, alias, kept);
  return { entries: entries.filter(([n]) => !dropped.has(n)), metadata: merged };
}

/**
 * Checks the tensors and lays out the file: the header bytes and the tensors in data order.
 * Throws SafetensorsError `SHARED_MEMORY` for tensors that share memory unless `dedupe` is set.
 */
export function planSafetensors(tensors: NamedTensors, options: SaveSafetensorsOptions = {}): SafetensorsPlan {
  let entries = entriesOf(tensors);
  let metadata = checkMetadata(options.metadata);
  const shared = findSharedTensors(entries);
  if (shared.length > 0) {
    if (!options.dedupe) {
      throw new SafetensorsError("SHARED_MEMORY",
        `Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: ${formatSharedGroups(shared)}.\n` +
        "Pass { dedupe: true } to write tied tensors once (the dropped names are recorded in __metadata__), or clone() the tensors that should be saved separately.");
    }
    ({ entries, metadata } = dedupeShared(entries, shared, metadata));
  }
  const planned = entries.map(([name, t]): PlannedTensor => {
    const dtype = safetensorsCodeFor(t.dtype, name);
    return { name, tensor: t, dtype, nbytes: t.numel() * t.dtype.itemsize };
  });
  planned.sort((a, b) => safetensorsRank(b.dtype) - safetensorsRank(a.dtype) || compareCodePoints(a.name, b.name));
  const { bytes, dataLength } = encodeHeader(planned.map((p) => ({ name: p.name, dtype: p.dtype, shape: p.tensor.dims, nbytes: p.nbytes })), metadata);
  return { header: bytes, tensors: planned, totalLength: bytes.length + dataLength };
}

/**
 * The elements of a tensor as little-endian bytes in row-major order: a view of its storage when it is
 * contiguous, else a fresh contiguous copy.
 */
export function contiguousBytes(t: Tensor): Uint8Array {
  const src = t.storage.bytes;
  if (!src) throw new SafetensorsError("INVALID_TENSOR", "cannot read the bytes of a meta tensor");
  const size = t.dtype.itemsize;
  const n = t.numel();
  if (t.isContiguous()) return src.subarray(t.offset * size, (t.offset + n) * size);
  const out = new Uint8Array(n * size);
  if (n === 0) return out;
  const nd = t.dims.length;
  const inner = t.dims[nd - 1];
  const innerStride = t.strides[nd - 1];
  const index = new Array<number>(nd - 1).fill(0);
  let base = t.offset;
  let pos = 0;
  for (;;) {
    if (innerStride === 1) {
      out.set(src.subarray(base * size, (base + inner) * size), pos);
      pos += inner * size;
    } else {
      for (let i = 0; i < inner; i++) {
        const from = (base + i * innerStride) * size;
        for (let b = 0; b < size; b++) out[pos++] = src[from + b];
      }
    }
    let d = nd - 2;
    for (; d >= 0; d--) {
      base += t.strides[d];
      if (++index[d] < t.dims[d]) break;
      base -= t.strides[d] * t.dims[d];
      index[d] = 0;
    }
    if (d < 0) return out;
  }
}

/** Streams a safetensors file into `sink`: the header, then each tensor's bytes. Returns the bytes written. */
export function writeSafetensors(tensors: NamedTensors, sink: ByteSink, options: SaveSafetensorsOptions = {}): number {
  return writePlan(planSafetensors(tensors, options), sink);
}

/** Streams a planned file into `sink`. Returns the bytes written. */
export function writePlan(plan: SafetensorsPlan, sink: ByteSink): number {
  sink.write(plan.header);
  for (const p of plan.tensors) if (p.nbytes > 0) sink.write(contiguousBytes(p.tensor));
  return plan.totalLength;
}

/**
 * Serialises named tensors to the bytes of a safetensors file (like `safetensors.torch.save`).
 *
 * ```ts
 * const bytes = saveSafetensors({ weight: torch.ones(2, 3) }, { metadata: { format: "pt" } });
 * ```
 */
export function saveSafetensors(tensors: NamedTensors, options: SaveSafetensorsOptions = {}): Uint8Array {
  const plan = planSafetensors(tensors, options);
  const out = new Uint8Array(plan.totalLength);
  out.set(plan.header, 0);
  let pos = plan.header.length;
  for (const p of plan.tensors) {
    if (p.nbytes === 0) continue;
    out.set(contiguousBytes(p.tensor), pos);
    pos += p.nbytes;
  }
  return out;
}
