/** Storage classes as pickles name them (`torch.FloatStorage`, `torch.storage.UntypedStorage`) and their dtypes. */
import { PyGlobal } from "../../python/global.ts";
import { DType, dtypeFromStorageClass } from "../../tensor/dtype.ts";
import { CheckpointError } from "./errors.ts";

/** What GLOBAL `torch.FloatStorage` (or `torch.storage.UntypedStorage`) loads as: the storage's element type. */
export class StorageKind {
  constructor(
    /** The element dtype; null for UntypedStorage (bytes; the tensor's dtype decides). */
    readonly dtype: DType | null,
    /** The class name as written. */
    readonly global: PyGlobal,
  ) {}
}

/** Names of storage classes tsorch cannot hold, with the reason given when one is met. */
const UNSUPPORTED: Record<string, string> = {
  QInt8Storage: "quantized (qint8)",
  QUInt8Storage: "quantized (quint8)",
  QInt32Storage: "quantized (qint32)",
  QUInt4x2Storage: "quantized (quint4x2)",
  QUInt2x4Storage: "quantized (quint2x4)",
  ComplexHalfStorage: "complex32",
};

/** The StorageKind for a `torch.<Name>Storage` global, or undefined when the name is no storage class. */
export function storageKind(module: string, name: string): StorageKind | undefined {
  if (module === "torch.storage" && (name === "UntypedStorage" || name === "_UntypedStorage")) {
    return new StorageKind(null, new PyGlobal(module, name));
  }
  if (module !== "torch" && module !== "torch.cuda") return undefined;
  const dtype = dtypeFromStorageClass(name);
  if (dtype) return new StorageKind(dtype, new PyGlobal(module, name));
  if (name in UNSUPPORTED) {
    throw new CheckpointError("UNSUPPORTED_STORAGE", `${module}.${name}: ${UNSUPPORTED[name]} storages are not supported by tsorch`);
  }
  if (name === "UntypedStorage") return new StorageKind(null, new PyGlobal(module, name));
  return undefined;
}

/** The GLOBAL written for a dtype's storage (`torch FloatStorage`). */
export function storageGlobal(dtype: DType): PyGlobal {
  return new PyGlobal("torch", dtype.storageClass);
}
