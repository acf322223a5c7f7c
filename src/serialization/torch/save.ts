/**
 * torch.save: pickles a value (protocol 2) with tensors as `_rebuild_tensor_v2` over persistent storage ids, and
 * writes the zip layout PyTorch writes: `<archive>/data.pkl`, `byteorder`, `data/<key>` (one record per storage,
 * 64-byte aligned), `version`.
 */
import { Pickler, type PyReduce } from "../pickle/pickler.ts";
import { ZipWriter, AsyncZipWriter } from "../zip/writer.ts";
import type { AsyncByteSink, ByteSink } from "../../io/types.ts";
import { markOrderedDict } from "../../python/dict.ts";
import { Tuple } from "../../python/tuple.ts";
import { Device } from "../../tensor/device.ts";
import { DType } from "../../tensor/dtype.ts";
import { Size } from "../../tensor/size.ts";
import type { Storage } from "../../tensor/storage.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { Parameter } from "../../nn/parameter.ts";
import { CheckpointError } from "./errors.ts";
import { LazyTensor } from "./lazy-tensor.ts";
import { storageGlobal } from "./storage-kinds.ts";
import { DTypeGlobals, dtypeGlobal } from "./dtype-globals.ts";
import { moduleReduceHook } from "./module-pickle.ts";
import type { ModuleClasses } from "./module-registry.ts";

/** The `version` record torch.save writes. */
export const FORMAT_VERSION = "3\n";

/** A storage to be written as `data/<key>`. */
export interface PlannedStorage {
  readonly key: string;
  readonly storage: Storage;
  readonly dtype: DType;
}

/** Hooks that let higher layers (whole-model pickles) describe their own objects. */
export type ReduceHook = (value: unknown) => PyReduce | undefined;

/** A reference to a storage inside the pickle (written as a persistent id). */
class StorageRef {
  constructor(readonly planned: PlannedStorage) {}
}

/** The tensor itself, without its Parameter-ness (the argument of `_rebuild_parameter`). */
class PlainTensor {
  constructor(readonly tensor: Tensor) {}
}

const emptyHooks = () => markOrderedDict({});

/** Pickles `value` for torch.save, collecting the storages its tensors use (in order of first use). */
export function picklePlan(value: unknown, reduceHook?: ReduceHook): { pickle: Uint8Array; storages: PlannedStorage[] } {
  const storages: PlannedStorage[] = [];
  const dtypes = new DTypeGlobals();
  const byStorage = new Map<Storage, StorageRef>();

  const storageRef = (t: Tensor): StorageRef => {
    let ref = byStorage.get(t.storage);
    if (!ref) {
      ref = new StorageRef({ key: String(storages.length), storage: t.storage, dtype: t.dtype });
      storages.push(ref.planned);
      byStorage.set(t.storage, ref);
    } else if (ref.planned.dtype !== t.dtype) {
      throw new CheckpointError("DTYPE_CONFLICT", `Cannot save multiple tensors or storages that view the same data as different types (${ref.planned.dtype} and ${t.dtype})`);
    }
    return ref;
  };

  const tensorReduce = (t: Tensor, requiresGrad = t.requiresGrad): PyReduce => {
    if (t.dtype.isComplex === false && t.isMeta) {
      return {
        module: "torch._utils", name: "_rebuild_meta_tensor_no_storage",
        args: [dtypeGlobal(t.dtype), Tuple.from(t.dims), Tuple.from(t.strides), requiresGrad],
      };
    }
    return {
      module: "torch._utils", name: "_rebuild_tensor_v2",
      args: [storageRef(t), t.offset, Tuple.from(t.dims), Tuple.from(t.strides), requiresGrad, emptyHooks()],
    };
  };

  const pickler = new Pickler({
    persistentId: (v) => {
      if (!(v instanceof StorageRef)) return undefined;
      const { key, storage, dtype } = v.planned;
      const location = storage.device.toString();
      return Tuple.from(["storage", storageGlobal(dtype), key, location, Math.floor(storage.nbytes / dtype.itemsize)]);
    },
    reduceValue: (v) => {
      const hooked = reduceHook?.(v);
      if (hooked) return { ...hooked, args: dtypes.apply(hooked.args) as unknown[], state: dtypes.apply(hooked.state) };
      // Parameter.__reduce_ex__ pickles `self.data`, which does not require grad (the flag is _rebuild_parameter's).
      if (v instanceof PlainTensor) return tensorReduce(v.tensor, false);
      const t = v instanceof LazyTensor ? v.materialize() : v;
      if (t instanceof Parameter) {
        return { module: "torch._utils", name: "_rebuild_parameter", args: [new PlainTensor(t), t.requiresGrad, emptyHooks()] };
      }
      if (t instanceof Tensor) return tensorReduce(t);
      if (v instanceof Size) return { module: "torch", name: "Size", args: [Tuple.from(v)] };
      if (v instanceof Device) return { module: "torch", name: "device", args: v.index === null ? [v.type] : [v.type, v.index] };
      return undefined;
    },
  });
  // DTypes anywhere in the value are written as the GLOBAL `torch.<name>`, as PyTorch pickles them.
  return { pickle: pickler.dump(dtypes.apply(value)), storages };
}

/** The archive folder torch.save uses for a path: the file name without its last extension. */
export function archiveNameFor(path: string | undefined): string {
  if (!path) return "archive";
  const base = path.split(/[\\/]/).pop() ?? "archive";
  const dot = base.lastIndexOf(".");
  return (dot > 0 ? base.slice(0, dot) : base) || "archive";
}

function storageBytes(p: PlannedStorage): Uint8Array {
  const bytes = p.storage.bytes;
  if (!bytes) throw new CheckpointError("UNSAVEABLE", `storage '${p.key}' has no data (meta tensors are saved without storage)`);
  return bytes.subarray(0, Math.floor(p.storage.nbytes / p.dtype.itemsize) * p.dtype.itemsize);
}

/** Options of torch.save. */
export interface SaveOptions {
  /** The archive folder name (default: the file name without extension, or `archive`). */
  archiveName?: string;
  /** Describes objects the value model does not know (asked before nn.Modules are written as whole modules). */
  reduce?: ReduceHook;
  /** Python class names of the nn.Module classes in `value` (whole-model saves; see module-registry.ts). */
  classes?: ModuleClasses;
  /** CRC-32 implementation for the zip records (Node passes zlib's, about 4x faster than the JS one). */
  crc32?: (data: Uint8Array, previous?: number) => number;
}

/** The caller's reduce hook, then nn.Modules as whole-module pickles (module-pickle.ts). */
function saveHook(options: SaveOptions): ReduceHook {
  const modules = moduleReduceHook(options.classes);
  const custom = options.reduce;
  return custom ? (v) => custom(v) ?? modules(v) : modules;
}

/** Writes `value` as a torch.save zip archive to a synchronous sink. */
export function writeCheckpoint(value: unknown, sink: ByteSink, options: SaveOptions = {}): void {
  const { pickle, storages } = picklePlan(value, saveHook(options));
  const prefix = options.archiveName ?? "archive";
  const zip = new ZipWriter(sink, { crc32: options.crc32 });
  zip.add(`${prefix}/data.pkl`, pickle);
  zip.add(`${prefix}/byteorder`, "little");
  for (const p of storages) zip.add(`${prefix}/data/${p.key}`, storageBytes(p));
  zip.add(`${prefix}/version`, FORMAT_VERSION);
  zip.finish();
}

/** Writes `value` as a torch.save zip archive to an asynchronous sink (streams, browser file handles). */
export async function writeCheckpointAsync(value: unknown, sink: AsyncByteSink, options: SaveOptions = {}): Promise<void> {
  const { pickle, storages } = picklePlan(value, saveHook(options));
  const prefix = options.archiveName ?? "archive";
  const zip = new AsyncZipWriter(sink, { crc32: options.crc32 });
  await zip.add(`${prefix}/data.pkl`, pickle);
  await zip.add(`${prefix}/byteorder`, "little");
  for (const p of storages) await zip.add(`${prefix}/data/${p.key}`, storageBytes(p));
  await zip.add(`${prefix}/version`, FORMAT_VERSION);
  await zip.finish();
}
