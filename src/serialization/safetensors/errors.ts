/** The one error class of the safetensors reader and writer, with a code per failure family. */

/**
 * What went wrong, named after the reference implementation's `SafeTensorError` variants where one exists
 * (huggingface/safetensors `safetensors/src/tensor.rs`).
 */
export type SafetensorsErrorCode =
  /** The input is shorter than the 8-byte header length. */
  | "HEADER_TOO_SMALL"
  /** The header length is over the reference limit of 100,000,000 bytes. */
  | "HEADER_TOO_LARGE"
  /** The header length runs past the end of the input. */
  | "INVALID_HEADER_LENGTH"
  /** The header bytes are not valid UTF-8. */
  | "INVALID_HEADER"
  /** The header is not JSON, or not a JSON object of tensor entries. */
  | "INVALID_JSON"
  /** A dtype code that safetensors does not define. */
  | "UNKNOWN_DTYPE"
  /** A safetensors dtype that tsorch has no dtype for (U16, U32, U64, F8_*), or complex128 on save. */
  | "UNSUPPORTED_DTYPE"
  /** A tensor entry whose fields are malformed, or whose byte count does not match shape x element size. */
  | "INVALID_TENSOR_INFO"
  /** data_offsets that overlap, leave a gap, or point past the end of the data. */
  | "INVALID_OFFSET"
  /** Bytes after the last tensor's data (the reference's MetadataIncompleteBuffer). */
  | "INCOMPLETE_BUFFER"
  /** `__metadata__` that is not a map of strings to strings. */
  | "INVALID_METADATA"
  /** Tensors to save that share memory (without `dedupe: true`). */
  | "SHARED_MEMORY"
  /** Something to save that is not a savable tensor (not a Tensor, a meta tensor, a reserved name). */
  | "INVALID_TENSOR";

/** A safetensors file could not be read or written; `code` says why, the message names what was expected and what came. */
export class SafetensorsError extends Error {
  override readonly name = "SafetensorsError";

  /** @param code the failure family @param message what was expected and what came */
  constructor(
    readonly code: SafetensorsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
