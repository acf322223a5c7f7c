/**
 * Opening any file the command line reads (a zip or legacy torch.save checkpoint, or safetensors) into one
 * model: the structure tree, every tensor's description, the storages, the format details; tensor data is not
 * read until `readTensor` asks for one tensor.
 */
import { statSync } from "node:fs";
import { extname } from "node:path";
import { NodeFileSource } from "../io/node-file.ts";
import type { ByteSource } from "../io/types.ts";
import { safetensorsItemsize } from "../serialization/safetensors/dtypes.ts";
import type { SafetensorsHeader, SafetensorsTensorInfo } from "../serialization/safetensors/header.ts";
import { readSafetensorsHeaderFrom, readTensor } from "../serialization/safetensors/read.ts";
import { loadFromSource } from "../serialization/torch/checkpoint.ts";
import { CheckpointError } from "../serialization/torch/errors.ts";
import { LazyTensor } from "../serialization/torch/lazy-tensor.ts";
import { type StorageHandle, swapBytes } from "../serialization/torch/storage-handle.ts";
import { ZipReader } from "../serialization/zip/reader.ts";
import { dictEntries, isDict } from "../python/dict.ts";
import { ALL_DTYPES, dtypeFromSafetensors } from "../tensor/dtype.ts";
import { Storage } from "../tensor/storage.ts";
import { contiguousStrides } from "../tensor/shape.ts";
import { Tensor } from "../tensor/tensor.ts";
import { CliError, FileError } from "./errors.ts";
import { type FormatInfo, legacyFormat, safetensorsFormat, zipFormat } from "./format-info.ts";
import { loadLegacyLazy } from "../serialization/torch/legacy.ts";
import { pickleGlobals } from "./pickle-globals.ts";
import { type Json, jsonOf, type PathPart, reprOf, type StructureNode, walkValue } from "./tree.ts";

/** One tensor of a file, described without reading its data. */
export interface TensorInfo {
  /** Position in the file's tensor list (walk order). */
  index: number;
  /** The dotted key path (`model_state_dict.conv1.weight`; `""` for a tensor saved as the whole file). */
  key: string;
  /** The key path as its parts (dict keys keep their type: optimizer state ids are ints). */
  path: PathPart[];
  /** PyTorch dtype name (`float32`), or the safetensors code when tsorch has no such dtype (`U32`). */
  dtype: string;
  shape: number[];
  /** Strides in elements. */
  stride: number[];
  /** Offset in its storage, in elements. */
  storageOffset: number;
  /** The storage key (`data/<key>` in zip files), or null (safetensors, meta tensors). */
  storage: string | null;
  /** Where the data was saved (`cpu`, `cuda:0`, `meta`). */
  location: string;
  elements: number;
  /** elements x element size. */
  bytes: number;
  contiguous: boolean;
  requiresGrad: boolean;
  /** File offset of the tensor's first element (null when it has no data in the file). */
  fileOffset: number | null;
}

/** One storage of a torch.save file. */
export interface StorageInfo {
  key: string;
  dtype: string;
  location: string;
  /** Size of the whole storage (what the file holds for it). */
  bytes: number;
  /** The zip record name, or null for legacy files. */
  record: string | null;
  /** Where its bytes start in the file. */
  fileOffset: number | null;
  /** Keys of the tensors that view it, in walk order. */
  tensors: string[];
}

/** What kind of file it is. */
export type FileKind = "zip" | "legacy" | "safetensors";

/** An opened file. Call `close()` when done. */
export interface Checkpoint {
  path: string;
  /** The key this view was selected by (`selectKey`), else undefined. */
  selectedKey?: string;
  fileBytes: number;
  kind: FileKind;
  format: FormatInfo;
  structure: StructureNode;
  tensors: TensorInfo[];
  storages: StorageInfo[];
  /** Reads one tensor's data (only its bytes where possible). */
  readTensor(index: number): Tensor;
  /**
   * Reads elements [start, start + count) of a contiguous tensor straight from the file as a 1-d tensor, or
   * returns null when the tensor is not stored that way (then use readTensor).
   */
  readChunk(index: number, start: number, count: number): Tensor | null;
  close(): void;
}

/** A tensor of a safetensors file as a leaf of the structure walk. */
class SafetensorsLeaf {
  constructor(readonly info: SafetensorsTensorInfo) {}
}

type Leaf = LazyTensor | Tensor | SafetensorsLeaf;

function looksLikeSafetensors(source: ByteSource): boolean {
  if (source.size < 10) return false;
  const head = source.read(0, 9);
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return n > 1n && n <= BigInt(source.size - 8) && head[8] === 0x7b;
}

function isZip(source: ByteSource): boolean {
  if (source.size < 4) return false;
  const head = source.read(0, 4);
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

function mayBeLegacy(source: ByteSource): boolean {
  if (source.size === 0) return false;
  if (source.size >= 262 && String.fromCharCode(...source.read(257, 5)) === "ustar") return true;
  return source.read(0, 1)[0] === 0x80;
}

function describeStart(source: ByteSource): string {
  const head = source.read(0, Math.min(8, source.size));
  const hex = [...head].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const printable = [...head].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
  return `${hex} ('${printable}')`;
}

/** Opens a file for reading; errors name the file. */
export function openSource(path: string): NodeFileSource {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR", syscall: "open" });
    return new NodeFileSource(path);
  } catch (error) {
    throw new FileError(path, error);
  }
}

/** Converts a Python value (sys_info) to JSON, falling back to reprs. */
export function toJson(value: unknown): Json {
  const exact = jsonOf(value);
  if (exact !== undefined) return exact;
  if (isDict(value)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of dictEntries(value)) out[String(k)] = toJson(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(toJson);
  return reprOf(value);
}

/**
 * Opens `path`: the kind is told by the first bytes (zip, safetensors, legacy pickle), never by the extension.
 * Storages are described as saved (locations such as `cuda:0` are kept); reading data maps them to the CPU.
 */
export function openCheckpoint(path: string): Checkpoint {
  const source = openSource(path);
  return openCheckpointFrom(path, source, () => source.close());
}

/** Like openCheckpoint, over any ByteSource (`close` is called when the checkpoint is closed or fails to open). */
export function openCheckpointFrom(path: string, source: ByteSource, close: () => void): Checkpoint {
  try {
    if (source.size === 0) throw new CliError("the file is empty (0 bytes)", ["the file looks truncated; a checkpoint is never empty"]);
    if (isZip(source)) return openTorch(path, source, "zip", close);
    if (looksLikeSafetensors(source) || extname(path).toLowerCase() === ".safetensors") return openSafetensors(path, source, close);
    if (mayBeLegacy(source)) return openTorch(path, source, "legacy", close);
    throw new CliError(`unknown file format: not a PyTorch checkpoint nor a safetensors file (it starts with ${describeStart(source)})`, [
      "tsorch reads torch.save checkpoints (zip, PyTorch >= 1.6, or the legacy format of PyTorch 0.4-1.5) and .safetensors files",
    ]);
  } catch (error) {
    close();
    throw error instanceof FileError ? error : new FileError(path, error);
  }
}

function openTorch(path: string, source: ByteSource, kind: "zip" | "legacy", close: () => void): Checkpoint {
  const mapLocation = () => "cpu";
  let value: unknown;
  let format: FormatInfo;
  let storageOffset: (key: string) => { record: string | null; fileOffset: number | null };
  if (kind === "zip") {
    const zip = ZipReader.open(source);
    const loaded = loadFromSource(source, { lazy: true, mapLocation });
    if (loaded.format.kind !== "zip") throw new CheckpointError("NOT_A_CHECKPOINT", "expected a zip checkpoint");
    const layout = loaded.format.layout;
    value = loaded.value;
    format = zipFormat(zip, layout, pickleGlobals(zip.read(`${layout.prefix}/data.pkl`)));
    storageOffset = (key) => {
      const entry = zip.get(`${layout.prefix}/data/${key}`);
      return { record: entry?.name ?? null, fileOffset: entry?.dataOffset ?? null };
    };
  } else {
    const loaded = loadLegacyLazy(source, { mapLocation });
    value = loaded.value;
    format = legacyFormat({ ...loaded.info, sysInfo: toJson(loaded.info.sysInfo) }, pickleGlobals(source, loaded.info.pickleOffset));
    storageOffset = (key) => ({ record: null, fileOffset: loaded.info.storageOffsets.get(key) ?? null });
  }
  const { structure, tensors: visits } = walkValue<Leaf>(value, (v) => {
    if (v instanceof LazyTensor) return { tensor: v, elements: v.numel() };
    if (v instanceof Tensor) return { tensor: v, elements: v.numel() };
    return undefined;
  });
  const storages = new Map<string, StorageInfo>();
  const tensors: TensorInfo[] = visits.map((visit, index) => {
    const t = visit.tensor as LazyTensor | Tensor;
    const handle: StorageHandle | null = t instanceof LazyTensor ? t.handle : null;
    const itemsize = t.dtype.itemsize;
    const elements = t.numel();
    let fileOffset: number | null = null;
    if (handle) {
      let storage = storages.get(handle.key);
      if (!storage) {
        const where = storageOffset(handle.key);
        storage = { key: handle.key, dtype: (handle.dtype ?? t.dtype).name, location: handle.location, bytes: handle.nbytes, record: where.record, fileOffset: where.fileOffset, tensors: [] };
        storages.set(handle.key, storage);
      }
      storage.tensors.push(visit.key);
      if (storage.fileOffset !== null) fileOffset = storage.fileOffset + t.offset * itemsize;
    }
    return {
      index,
      key: visit.key,
      path: visit.path,
      dtype: t.dtype.name,
      shape: [...t.dims],
      stride: [...t.strides],
      storageOffset: t.offset,
      storage: handle?.key ?? null,
      location: handle?.location ?? (t instanceof Tensor ? t.device.toString() : "cpu"),
      elements,
      bytes: elements * itemsize,
      contiguous: t.isContiguous(),
      requiresGrad: t.requiresGrad,
      fileOffset,
    };
  });
  const leaves = visits.map((v) => v.tensor as LazyTensor | Tensor);
  return {
    path,
    fileBytes: source.size,
    kind,
    format,
    structure,
    tensors,
    storages: [...storages.values()],
    readTensor: (index) => readLeaf(leaves[index], tensors[index].key),
    readChunk: chunkReader(source, tensors, format.byteorder),
    close,
  };
}

/** Makes `readChunk` for a file whose tensors are described by `tensors`, data in `byteorder`. */
function chunkReader(source: ByteSource, tensors: readonly TensorInfo[], byteorder: "little" | "big"): Checkpoint["readChunk"] {
  return (index, start, count) => {
    const t = tensors[index];
    const dtype = ALL_DTYPES.find((d) => d.name === t.dtype);
    if (!dtype || !t.contiguous || t.fileOffset === null || start < 0 || start + count > t.elements) return null;
    const bytes = new Uint8Array(count * dtype.itemsize);
    source.read(t.fileOffset + start * dtype.itemsize, bytes.length, bytes);
    if (byteorder === "big") swapBytes(bytes, dtype.itemsize);
    return Tensor.fromStorage(Storage.fromBytes(bytes), dtype, [count]);
  };
}

/** Reads one lazily loaded tensor: straight into a fresh tensor when contiguous, else through its storage (then released). */
function readLeaf(leaf: LazyTensor | Tensor, key: string): Tensor {
  if (leaf instanceof Tensor) {
    if (leaf.isMeta) throw new CliError(`tensor '${key}' is a meta tensor: the file holds its shape and dtype but no data`);
    return leaf;
  }
  if (leaf.isContiguous()) {
    const dst = Tensor.empty(leaf.dims, leaf.dtype);
    leaf.copyInto(dst);
    return dst;
  }
  const t = leaf.materialize();
  leaf.handle.storage = null;
  return t;
}

function openSafetensors(path: string, source: ByteSource, close: () => void): Checkpoint {
  const header: SafetensorsHeader = readSafetensorsHeaderFrom(source);
  const root: Record<string, SafetensorsLeaf> = {};
  for (const info of header.tensors) Object.defineProperty(root, info.name, { value: new SafetensorsLeaf(info), enumerable: true });
  const elementsOf = (info: SafetensorsTensorInfo) => info.shape.reduce((a, b) => a * b, 1);
  const { structure, tensors: visits } = walkValue<SafetensorsLeaf>(root, (v) => (v instanceof SafetensorsLeaf ? { tensor: v, elements: elementsOf(v.info) } : undefined));
  const tensors: TensorInfo[] = visits.map((visit, index) => {
    const info = visit.tensor.info;
    const elements = elementsOf(info);
    const itemsize = safetensorsItemsize(info.dtype) ?? 1;
    return {
      index,
      key: visit.key,
      path: visit.path,
      dtype: dtypeFromSafetensors(info.dtype)?.name ?? info.dtype,
      shape: [...info.shape],
      stride: contiguousStrides(info.shape),
      storageOffset: 0,
      storage: null,
      location: "cpu",
      elements,
      bytes: elements * itemsize,
      contiguous: true,
      requiresGrad: false,
      fileOffset: header.dataStart + info.dataOffsets[0],
    };
  });
  const infos = visits.map((v) => v.tensor.info);
  return {
    path,
    fileBytes: source.size,
    kind: "safetensors",
    format: safetensorsFormat(header),
    structure,
    tensors,
    storages: [],
    readTensor: (index) => readTensor(source, header, infos[index], true),
    readChunk: chunkReader(source, tensors, "little"),
    close,
  };
}

/** Finds the node under `key`: a key of the root dict, else a dotted path through nested dicts and lists. */
function findNode(root: StructureNode, key: string): { node: StructureNode; path: PathPart[] } | undefined {
  if (root.kind === "dict") {
    const hit = root.items.find((i) => String(i.key) === key);
    if (hit) return { node: hit.value, path: [hit.key] };
  }
  let node: StructureNode | undefined = root;
  const path: PathPart[] = [];
  for (const part of key.split(".")) {
    if (node?.kind === "dict") {
      const item: { key: string | number; value: StructureNode } | undefined = node.items.find((i) => String(i.key) === part);
      node = item?.value;
      if (item) path.push(item.key);
    } else if (node?.kind === "list" && /^\d+$/.test(part)) {
      node = node.items[Number(part)];
      path.push(Number(part));
    } else node = undefined;
    if (node === undefined) return undefined;
  }
  return { node, path };
}

/** The top-level keys of a file, for error messages. */
function topKeys(root: StructureNode): string[] {
  return root.kind === "dict" ? root.items.map((i) => String(i.key)) : [];
}

/**
 * The part of a file under `key` (`model_state_dict`), as a Checkpoint of its own: tensor keys lose the
 * prefix, so a general checkpoint's state dict compares with a plain state dict file.
 */
export function selectKey(ckpt: Checkpoint, key: string): Checkpoint {
  const found = findNode(ckpt.structure, key);
  if (!found) {
    const keys = topKeys(ckpt.structure);
    throw new FileError(ckpt.path, new CliError(`no key '${key}' in the file${keys.length > 0 ? `; its top-level keys are: ${keys.slice(0, 20).join(", ")}${keys.length > 20 ? ", ..." : ""}` : ""}`));
  }
  const depth = found.path.length;
  const oldToNew = new Map<number, number>();
  const tensors: TensorInfo[] = [];
  for (const t of ckpt.tensors) {
    if (t.path.length < depth || !found.path.every((p, i) => t.path[i] === p)) continue;
    oldToNew.set(t.index, tensors.length);
    const path = t.path.slice(depth);
    tensors.push({ ...t, index: tensors.length, path, key: path.map(String).join(".") });
  }
  const newToOld = [...oldToNew.entries()].sort((a, b) => a[1] - b[1]).map(([old]) => old);
  const remap = (node: StructureNode): StructureNode => {
    if (node.kind === "tensor") {
      const index = oldToNew.get(node.index) as number;
      return { kind: "tensor", index, key: tensors[index].key };
    }
    if (node.kind === "dict") return { ...node, items: node.items.map((i) => ({ ...i, value: remap(i.value) })) };
    if (node.kind === "list") return { ...node, items: node.items.map(remap) };
    return node;
  };
  const kept = new Set(tensors.map((t) => t.storage).filter((s) => s !== null));
  return {
    ...ckpt,
    selectedKey: ckpt.selectedKey === undefined ? key : `${ckpt.selectedKey}.${key}`,
    structure: remap(found.node),
    tensors,
    storages: ckpt.storages.filter((s) => kept.has(s.key)),
    readTensor: (index) => ckpt.readTensor(newToOld[index]),
    readChunk: (index, start, count) => ckpt.readChunk(newToOld[index], start, count),
  };
}
