/** Errors of torch.save / torch.load: one class, a code per failure, messages naming expected and got. */

/** What went wrong while reading or writing a checkpoint. */
export type CheckpointErrorCode =
  | "NOT_A_CHECKPOINT"
  | "TORCHSCRIPT_ARCHIVE"
  | "UNSUPPORTED_VERSION"
  | "BAD_PERSISTENT_ID"
  | "MISSING_RECORD"
  | "RECORD_TOO_SMALL"
  | "STORAGE_OUT_OF_BOUNDS"
  | "UNSUPPORTED_STORAGE"
  | "UNSUPPORTED_TENSOR"
  | "DEVICE_UNAVAILABLE"
  | "BAD_MAP_LOCATION"
  | "LEGACY_FORMAT"
  | "DTYPE_CONFLICT"
  | "UNSAVEABLE"
  | "UNKNOWN_MODULE_CLASS" // a whole-model file names a class no table or registry maps (or a module class has no Python name)
  | "BAD_MODULE_STATE"; // a module's pickled __dict__ does not fit its class

/** A checkpoint could not be read or written. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
