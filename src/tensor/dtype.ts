/**
 * The dtype table: one row per PyTorch dtype, with its element size, the typed array that holds it,
 * the legacy storage class name PyTorch pickles (`torch.FloatStorage`) and the safetensors code.
 */

/** Names of the dtypes tsorch knows, as PyTorch spells them after `torch.`. */
export type DTypeName =
  | "float32" | "float64" | "float16" | "bfloat16"
  | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool"
  | "complex64" | "complex128";

/** Constructors of the typed arrays that back each dtype (float16/bfloat16 keep raw 16-bit words). */
export type StorageArray =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** A PyTorch dtype: `torch.float32`, `torch.int64`, ... */
export class DType {
  /** @internal */
  constructor(
    /** PyTorch's name without the `torch.` prefix. */
    readonly name: DTypeName,
    /** Bytes per element. */
    readonly itemsize: number,
    /** True for float16/bfloat16/float32/float64. */
    readonly isFloatingPoint: boolean,
    /** True for complex64/complex128 (storage only: tsorch does not compute with them). */
    readonly isComplex: boolean,
    /** The storage class PyTorch pickles for this dtype (`FloatStorage`). */
    readonly storageClass: string,
    /** The dtype's code in safetensors headers (`F32`). */
    readonly safetensorsCode: string,
  ) {}

  /** Python's repr, e.g. `torch.float32`. */
  toString(): string {
    return `torch.${this.name}`;
  }
}

const row = (name: DTypeName, size: number, isFloat: boolean, isComplex: boolean, storage: string, st: string) =>
  new DType(name, size, isFloat, isComplex, storage, st);

/** torch.float32 (the default dtype). */
export const float32 = row("float32", 4, true, false, "FloatStorage", "F32");
/** torch.float64. */
export const float64 = row("float64", 8, true, false, "DoubleStorage", "F64");
/** torch.float16 (IEEE half). */
export const float16 = row("float16", 2, true, false, "HalfStorage", "F16");
/** torch.bfloat16. */
export const bfloat16 = row("bfloat16", 2, true, false, "BFloat16Storage", "BF16");
/** torch.int64 (torch.long). */
export const int64 = row("int64", 8, false, false, "LongStorage", "I64");
/** torch.int32. */
export const int32 = row("int32", 4, false, false, "IntStorage", "I32");
/** torch.int16. */
export const int16 = row("int16", 2, false, false, "ShortStorage", "I16");
/** torch.int8. */
export const int8 = row("int8", 1, false, false, "CharStorage", "I8");
/** torch.uint8. */
export const uint8 = row("uint8", 1, false, false, "ByteStorage", "U8");
/** torch.bool. */
export const bool = row("bool", 1, false, false, "BoolStorage", "BOOL");
/** torch.complex64 (load/save only). */
export const complex64 = row("complex64", 8, false, true, "ComplexFloatStorage", "C64");
/** torch.complex128 (load/save only). */
export const complex128 = row("complex128", 16, false, true, "ComplexDoubleStorage", "C128");

/** Every dtype, in the order of the table above. */
export const ALL_DTYPES: readonly DType[] = [
  float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool, complex64, complex128,
];

const BY_NAME = new Map<string, DType>(ALL_DTYPES.map((d) => [d.name, d]));
const ALIASES: Record<string, DType> = {
  float: float32, double: float64, half: float16, long: int64, int: int32, short: int16,
  cfloat: complex64, cdouble: complex128,
};
const BY_STORAGE_CLASS = new Map<string, DType>(ALL_DTYPES.map((d) => [d.storageClass, d]));
const BY_SAFETENSORS = new Map<string, DType>(ALL_DTYPES.map((d) => [d.safetensorsCode, d]));

/** Something that names a dtype: a DType or its name (`"float32"`, `"torch.float32"`, `"long"`). */
export type DTypeLike = DType | DTypeName | string;

/** Resolves a dtype name or DType; throws TypeError for unknown names. */
export function toDType(d: DTypeLike): DType {
  if (d instanceof DType) return d;
  const name = d.startsWith("torch.") ? d.slice(6) : d;
  const found = BY_NAME.get(name) ?? ALIASES[name];
  if (!found) throw new TypeError(`unknown dtype '${d}'; expected one of ${[...BY_NAME.keys()].join(", ")}`);
  return found;
}

/** The dtype of a PyTorch storage class name (`FloatStorage` -> float32), or undefined. */
export function dtypeFromStorageClass(name: string): DType | undefined {
  return BY_STORAGE_CLASS.get(name);
}

/** The dtype of a safetensors code (`F32` -> float32), or undefined. */
export function dtypeFromSafetensors(code: string): DType | undefined {
  return BY_SAFETENSORS.get(code);
}

/** A typed array over `bytes` (whose byteOffset must be aligned to the itemsize) for this dtype. */
export function typedArrayFor(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): StorageArray {
  switch (dtype.name) {
    case "float32": return new Float32Array(buffer, byteOffset, length);
    case "float64": return new Float64Array(buffer, byteOffset, length);
    case "int64": return new BigInt64Array(buffer, byteOffset, length);
    case "int32": return new Int32Array(buffer, byteOffset, length);
    case "int16": return new Int16Array(buffer, byteOffset, length);
    case "int8": return new Int8Array(buffer, byteOffset, length);
    case "uint8": case "bool": return new Uint8Array(buffer, byteOffset, length);
    case "float16": case "bfloat16": return new Uint16Array(buffer, byteOffset, length);
    case "complex64": return new Float32Array(buffer, byteOffset, length * 2);
    case "complex128": return new Float64Array(buffer, byteOffset, length * 2);
  }
}

/**
 * PyTorch's type promotion for two tensor dtypes (bool < integers < floats; wider wins).
 * float16 with bfloat16 gives float32, as in PyTorch.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.isComplex || b.isComplex) throw new TypeError(`complex dtypes are not supported in computation (${a}, ${b})`);
  if (a.isFloatingPoint || b.isFloatingPoint) {
    if (!b.isFloatingPoint) return a;
    if (!a.isFloatingPoint) return b;
    if ((a === float16 && b === bfloat16) || (a === bfloat16 && b === float16)) return float32;
    return a.itemsize >= b.itemsize ? a : b;
  }
  if (a === bool) return b;
  if (b === bool) return a;
  if ((a === uint8 && b === int8) || (a === int8 && b === uint8)) return int16;
  return a.itemsize >= b.itemsize ? a : b;
}
