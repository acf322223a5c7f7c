/**
 * The allowlist of globals torch.load accepts, modelled on PyTorch's weights_only unpickler: tensor and parameter
 * rebuild functions, storage classes, dtypes, torch.Size, torch.device. Everything else is refused by the unpickler.
 */
import type { GlobalHandler } from "../pickle/globals.ts";
import { PyGlobal } from "../../python/global.ts";
import { Tuple } from "../../python/tuple.ts";
import { ALL_DTYPES, DType } from "../../tensor/dtype.ts";
import { Device, META } from "../../tensor/device.ts";
import { Storage } from "../../tensor/storage.ts";
import { Size } from "../../tensor/size.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { Parameter } from "../../nn/parameter.ts";
import { CheckpointError } from "./errors.ts";
import { LazyTensor } from "./lazy-tensor.ts";
import { StorageHandle } from "./storage-handle.ts";
import { storageKind } from "./storage-kinds.ts";

/** Builds tensors from storages: eagerly (Tensor) or lazily (LazyTensor). */
export type TensorFactory = (
  handle: StorageHandle, dtype: DType, offset: number, size: readonly number[], stride: readonly number[], requiresGrad: boolean,
) => Tensor | LazyTensor;

/** A storage view of the legacy format: (root storage, element offset). */
export class LegacyStorageView {
  constructor(readonly root: StorageHandle, readonly elementOffset: number) {}
}

function intTuple(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) {
    throw new CheckpointError("UNSUPPORTED_TENSOR", `${what} must be a tuple of non-negative ints, got ${describe(value)}`);
  }
  return Array.from(value as number[]);
}

function describe(value: unknown): string {
  if (value === null) return "None";
  if (Array.isArray(value)) return `(${value.map(describe).join(", ")})`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/** Checks that a view fits inside its storage, with PyTorch's setStorage message. */
export function checkBounds(handle: StorageHandle, dtype: DType, offset: number, size: readonly number[], stride: readonly number[]): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new CheckpointError("STORAGE_OUT_OF_BOUNDS", `storage offset must be a non-negative int, got ${offset}`);
  if (size.length !== stride.length) {
    throw new CheckpointError("UNSUPPORTED_TENSOR", `size (${size.join(", ")}) and stride (${stride.join(", ")}) have different lengths`);
  }
  const numel = size.reduce((a, b) => a * b, 1);
  if (numel === 0) return;
  let extent = offset + 1;
  size.forEach((d, i) => (extent += (d - 1) * stride[i]));
  const available = Math.floor(handle.nbytes / dtype.itemsize);
  if (!Number.isSafeInteger(extent) || extent > available) {
    throw new CheckpointError(
      "STORAGE_OUT_OF_BOUNDS",
      `setStorage: sizes [${size.join(", ")}], strides [${stride.join(", ")}], storage offset ${offset}, and itemsize ${dtype.itemsize} ` +
        `requiring a storage size of ${extent * dtype.itemsize} are out of bounds for storage of size ${handle.nbytes}`,
    );
  }
}

function rebuild(make: TensorFactory, storage: unknown, offset: unknown, size: unknown, stride: unknown, requiresGrad: unknown, dtype?: DType): Tensor | LazyTensor {
  let handle: StorageHandle;
  let extra = 0;
  if (storage instanceof LegacyStorageView) {
    handle = storage.root;
    extra = storage.elementOffset;
  } else if (storage instanceof StorageHandle) handle = storage;
  else throw new CheckpointError("UNSUPPORTED_TENSOR", `expected a storage as the first argument of a tensor rebuild, got ${describe(storage)}`);
  const type = dtype ?? handle.dtype;
  if (!type) throw new CheckpointError("UNSUPPORTED_TENSOR", `untyped storage '${handle.key}' used without a dtype`);
  handle.dtype ??= type;
  const dims = intTuple(size, "size");
  const strides = intTuple(stride, "stride");
  const off = Number(offset) + extra;
  checkBounds(handle, type, off, dims, strides);
  return make(handle, type, off, dims, strides, requiresGrad === true);
}

function toParameter(data: unknown, requiresGrad: unknown): Tensor | LazyTensor {
  if (data instanceof LazyTensor) return data.asParameter(requiresGrad === true);
  if (!(data instanceof Tensor)) throw new CheckpointError("UNSUPPORTED_TENSOR", `_rebuild_parameter expects a tensor, got ${describe(data)}`);
  return new Parameter(data, requiresGrad === true && data.dtype.isFloatingPoint);
}

function unsupported(name: string, what: string): GlobalHandler {
  return {
    call: () => {
      throw new CheckpointError("UNSUPPORTED_TENSOR", `torch._utils.${name}: ${what} tensors are not supported by tsorch`);
    },
  };
}

/** The torch globals for one load: tensors are built by `make`. */
export function torchGlobals(make: TensorFactory): (module: string, name: string) => GlobalHandler | undefined {
  const table: Record<string, GlobalHandler> = {
    "torch._utils._rebuild_tensor_v2": {
      call: (a) => rebuild(make, a[0], a[1], a[2], a[3], a[4]),
    },
    "torch._utils._rebuild_tensor": {
      call: (a) => rebuild(make, a[0], a[1], a[2], a[3], false),
    },
    "torch._utils._rebuild_tensor_v3": {
      call: (a) => {
        if (!(a[6] instanceof DType)) throw new CheckpointError("UNSUPPORTED_TENSOR", `_rebuild_tensor_v3 expects a dtype as its 7th argument, got ${describe(a[6])}`);
        return rebuild(make, a[0], a[1], a[2], a[3], a[4], a[6]);
      },
    },
    "torch._utils._rebuild_parameter": { call: (a) => toParameter(a[0], a[1]) },
    "torch._utils._rebuild_parameter_with_state": { call: (a) => toParameter(a[0], a[1]) },
    "torch._utils._rebuild_meta_tensor_no_storage": {
      call: (a) => {
        if (!(a[0] instanceof DType)) throw new CheckpointError("UNSUPPORTED_TENSOR", `expected a dtype, got ${describe(a[0])}`);
        const dims = intTuple(a[1], "size");
        const t = Tensor.fromStorage(Storage.allocate(0, META), a[0], dims, intTuple(a[2], "stride"));
        if (a[3] === true && a[0].isFloatingPoint) t.requiresGrad = true;
        return t;
      },
    },
    "torch._tensor._rebuild_from_type_v2": {
      call: (a) => {
        const fn = a[0];
        const args = a[2];
        if (!(fn instanceof PyGlobal) || !Array.isArray(args)) throw new CheckpointError("UNSUPPORTED_TENSOR", "_rebuild_from_type_v2: malformed arguments");
        const handler = table[fn.qualifiedName];
        if (!handler?.call) throw new CheckpointError("UNSUPPORTED_TENSOR", `Unsupported global: GLOBAL ${fn.qualifiedName}`);
        const type = a[1];
        if (!(type instanceof PyGlobal) || !["torch.Tensor", "torch.nn.parameter.Parameter"].includes(type.qualifiedName)) {
          throw new CheckpointError("UNSUPPORTED_TENSOR", `tensor subclass ${type instanceof PyGlobal ? type.qualifiedName : describe(type)} is not supported`);
        }
        // a[3] holds Python attributes of the tensor object (rare); they are not kept.
        return handler.call(Tuple.from(args) as Tuple<unknown>, fn);
      },
    },
    "torch._utils._rebuild_qtensor": unsupported("_rebuild_qtensor", "quantized"),
    "torch._utils._rebuild_sparse_tensor": unsupported("_rebuild_sparse_tensor", "sparse"),
    "torch._utils._rebuild_sparse_csr_tensor": unsupported("_rebuild_sparse_csr_tensor", "sparse CSR"),
    "torch._utils._rebuild_nested_tensor": unsupported("_rebuild_nested_tensor", "nested"),
    "torch._utils._rebuild_wrapper_subclass": unsupported("_rebuild_wrapper_subclass", "wrapper-subclass"),
    "torch._utils._rebuild_device_tensor_from_numpy": unsupported("_rebuild_device_tensor_from_numpy", "numpy-backed device"),
    "torch._utils._rebuild_xla_tensor": unsupported("_rebuild_xla_tensor", "XLA"),
    "torch._utils._rebuild_mps_tensor": unsupported("_rebuild_mps_tensor", "MPS"),
    "torch.Size": { call: (a) => Size.fromArray(intTuple(a[0] ?? [], "torch.Size")) },
    "torch.device": {
      call: (a) => new Device(String(a[0]), typeof a[1] === "number" ? a[1] : undefined),
    },
    "torch.Tensor": {},
    "torch.nn.parameter.Parameter": {},
  };
  for (const dtype of ALL_DTYPES) table[`torch.${dtype.name}`] = { value: dtype };
  return (module, name) => {
    const kind = storageKind(module, name);
    if (kind) return { value: kind };
    return Object.hasOwn(table, `${module}.${name}`) ? table[`${module}.${name}`] : undefined;
  };
}
