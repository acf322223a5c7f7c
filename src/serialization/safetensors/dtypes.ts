/**
 * safetensors dtype codes: element sizes, the reference writer's alignment order, and the mapping to tsorch
 * dtypes. Source: the `Dtype` enum of huggingface/safetensors `safetensors/src/tensor.rs`.
 */
import { type DType, dtypeFromSafetensors, int32, int64 } from "../../tensor/dtype.ts";
import { SafetensorsError } from "./errors.ts";

/**
 * Every byte-sized safetensors dtype code with its element size, in the order the reference declares them
 * (ascending alignment; `#[derive(Ord)]` sorts by this order). The sub-byte codes (F4, F6_E2M3, F6_E3M2)
 * are left out: tsorch reports them as unknown.
 */
const REFERENCE_DTYPES: readonly (readonly [code: string, itemsize: number])[] = [
  ["BOOL", 1], ["U8", 1], ["I8", 1],
  ["F8_E5M2", 1], ["F8_E4M3", 1], ["F8_E8M0", 1], ["F8_E4M3FNUZ", 1], ["F8_E5M2FNUZ", 1],
  ["I16", 2], ["U16", 2], ["F16", 2], ["BF16", 2],
  ["I32", 4], ["U32", 4], ["F32", 4],
  ["C64", 8], ["F64", 8], ["I64", 8], ["U64", 8],
];

const ITEMSIZE = new Map(REFERENCE_DTYPES.map(([code, size]) => [code, size]));
const RANK = new Map(REFERENCE_DTYPES.map(([code], i) => [code, i]));

/** The element size in bytes of a safetensors dtype code, or undefined when safetensors has no such code. */
export function safetensorsItemsize(code: string): number | undefined {
  return ITEMSIZE.get(code);
}

/** The reference's alignment rank of a dtype code (higher is written first). */
export function safetensorsRank(code: string): number {
  const rank = RANK.get(code);
  if (rank === undefined) throw new SafetensorsError("UNKNOWN_DTYPE", `unknown safetensors dtype '${code}'`);
  return rank;
}

/** The codes safetensors defines, for error messages. */
export const SAFETENSORS_DTYPE_CODES: readonly string[] = REFERENCE_DTYPES.map(([code]) => code);

/** The safetensors code to write for a tsorch dtype; complex128 has none (safetensors stops at C64). */
export function safetensorsCodeFor(dtype: DType, name: string): string {
  const code = dtype.safetensorsCode;
  if (!ITEMSIZE.has(code)) {
    throw new SafetensorsError("UNSUPPORTED_DTYPE", `cannot save tensor '${name}': safetensors has no dtype for ${dtype} (it defines ${SAFETENSORS_DTYPE_CODES.join(", ")})`);
  }
  return code;
}

/** How a stored dtype code becomes a tsorch tensor: read as is, or widened from an unsigned code. */
export interface LoadedDType {
  /** The dtype of the tensor tsorch builds. */
  dtype: DType;
  /** Set for unsigned codes read into the next wider signed dtype (U16 -> int32, U32 -> int64). */
  widenFrom?: "U16" | "U32";
}

/**
 * The tsorch dtype for a stored code. Unsigned codes wider than a byte have no tsorch dtype (nor one in
 * PyTorch 1.13); with `widenUnsigned` U16 and U32 load losslessly as int32 and int64.
 */
export function loadedDTypeFor(code: string, name: string, widenUnsigned: boolean): LoadedDType {
  const dtype = dtypeFromSafetensors(code);
  if (dtype && ITEMSIZE.has(code)) return { dtype };
  if (widenUnsigned && code === "U16") return { dtype: int32, widenFrom: "U16" };
  if (widenUnsigned && code === "U32") return { dtype: int64, widenFrom: "U32" };
  const hint = code === "U16" || code === "U32" ? "; pass { widenUnsigned: true } to load it as " + (code === "U16" ? "int32" : "int64") : "";
  throw new SafetensorsError("UNSUPPORTED_DTYPE", `tensor '${name}' has safetensors dtype ${code}, which tsorch has no dtype for${hint}`);
}
