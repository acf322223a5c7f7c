/** Typed errors of the zip layer. */

/** Why a zip operation failed. */
export type ZipErrorCode =
  | "NOT_A_ZIP" // no end of central directory record
  | "TRUNCATED" // a record or entry data runs past the end of the file
  | "BAD_SIGNATURE" // a record does not start with its signature
  | "BAD_CENTRAL_DIRECTORY" // counts, sizes or lengths that cannot be right
  | "OUT_OF_BOUNDS" // an offset pointing outside the region it must lie in
  | "NAME_MISMATCH" // local header and central directory disagree on a name
  | "BAD_NAME" // undecodable or invalid entry name
  | "DUPLICATE_NAME"
  | "MULTI_DISK" // split archives are not supported
  | "TOO_LARGE" // a size or offset beyond 2^53
  | "NOT_FOUND" // no entry of that name
  | "COMPRESSED" // a deflated entry read without an inflate function
  | "UNSUPPORTED_METHOD"
  | "ENCRYPTED"
  | "BAD_DATA" // inflate failed
  | "CRC_MISMATCH"
  | "SIZE_MISMATCH" // data length differs from the recorded or declared size
  | "WRITER_STATE"; // writer used out of order (entry open, finished, ...)

/** A zip archive could not be read or written; the message names what was expected and what came. */
export class ZipError extends Error {
  override name = "ZipError";
  /**
   * @param code machine-readable reason
   * @param message human-readable text
   */
  constructor(
    readonly code: ZipErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `0x04034b50` as zip messages print signatures. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}
