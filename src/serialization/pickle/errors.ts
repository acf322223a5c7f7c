/** Typed errors of the pickle layer. */

/** Why unpickling failed. */
export type UnpicklingErrorCode =
  | "EOF" // no data at all where a pickle should start ("Ran out of input")
  | "TRUNCATED" // the data ended inside a pickle
  | "UNKNOWN_OPCODE" // a byte that no protocol defines
  | "UNSUPPORTED_OPCODE" // a defined opcode this loader refuses (EXT*, out-of-band buffers)
  | "UNSUPPORTED_PROTOCOL"
  | "BLOCKED_GLOBAL" // a global from sys, os, posix or nt
  | "UNSUPPORTED_GLOBAL" // a global the allowlist does not name
  | "NOT_ALLOWED" // REDUCE/NEWOBJ/BUILD/APPEND/SETITEM on something that does not support it
  | "STACK_UNDERFLOW"
  | "MARK_MISSING"
  | "MEMO_MISSING"
  | "TOO_DEEP"
  | "TOO_LARGE"
  | "BAD_VALUE" // malformed argument: bad text, wrong types, undecodable UTF-8
  | "PERSISTENT_ID"; // a persistent id but no persistentLoad, or one it refused

/** A pickle could not be loaded. `offset` is the byte position of the failing opcode, when known. */
export class UnpicklingError extends Error {
  override name = "UnpicklingError";
  /**
   * @param code machine-readable reason
   * @param message human-readable text (PyTorch's wording where it has one)
   * @param offset byte offset of the opcode that failed
   */
  constructor(
    readonly code: UnpicklingErrorCode,
    message: string,
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why pickling failed. */
export type PicklingErrorCode =
  | "UNPICKLABLE" // a value with no Python form and no hook that handled it
  | "CYCLE" // a cycle through a tuple, set or reduced value
  | "TOO_DEEP"
  | "BAD_VALUE"; // e.g. a global name containing a newline

/** A value could not be pickled. */
export class PicklingError extends Error {
  override name = "PicklingError";
  /**
   * @param code machine-readable reason
   * @param message human-readable text
   */
  constructor(
    readonly code: PicklingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
