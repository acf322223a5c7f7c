/**
 * Errors of the command line: every failure becomes one line `tsorch <command>: error: <file>: <what>` plus
 * `hint:` lines, never a stack trace (set TSORCH_DEBUG=1 to see one). Exit codes: 0 success, 1 differences
 * found (diff), 2 any error (usage, missing file, unknown format, refused pickle, corrupt file).
 */
import { UnpicklingError } from "../serialization/pickle/errors.ts";
import { SafetensorsError } from "../serialization/safetensors/errors.ts";
import { CheckpointError } from "../serialization/torch/errors.ts";
import { ZipError } from "../serialization/zip/errors.ts";

/** Exit code when everything went well (diff: the files are the same). */
export const EXIT_OK = 0;
/** Exit code of diff when the files differ. */
export const EXIT_DIFFERENT = 1;
/** Exit code of every error. */
export const EXIT_ERROR = 2;

/** An error the command line reports as it is: a message and hints. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    /** Lines printed after the message, each prefixed with `hint: `. */
    readonly hints: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Wraps an error with the file it happened in. */
export class FileError extends Error {
  override readonly name = "FileError";
  constructor(
    /** The file being read or written. */
    readonly path: string,
    /** What failed. */
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

const TRUNCATED_HINT = "the file looks truncated or corrupt (an interrupted download or save?); compare its size with the original";
const FORMATS_HINT = "tsorch reads torch.save checkpoints (zip, PyTorch >= 1.6, or the legacy format of PyTorch 0.4-1.5) and .safetensors files";

/** What to print for an error: the message and hints. */
export function describeError(error: unknown): { message: string; hints: string[] } {
  if (error instanceof FileError) {
    const inner = describeError(error.error);
    return { message: `${error.path}: ${inner.message}`, hints: inner.hints };
  }
  if (error instanceof CliError) return { message: error.message, hints: [...error.hints] };
  if (error instanceof UnpicklingError) return describeUnpickling(error);
  if (error instanceof CheckpointError) return describeCheckpoint(error);
  if (error instanceof ZipError) {
    const truncated = ["NOT_A_ZIP", "TRUNCATED", "BAD_SIGNATURE", "BAD_CENTRAL_DIRECTORY", "OUT_OF_BOUNDS", "SIZE_MISMATCH", "CRC_MISMATCH"].includes(error.code);
    return { message: `corrupt zip archive: ${error.message}`, hints: truncated ? [TRUNCATED_HINT] : [] };
  }
  if (error instanceof SafetensorsError) {
    const truncated = ["INVALID_OFFSET", "INVALID_HEADER_LENGTH", "INCOMPLETE_BUFFER", "HEADER_TOO_SMALL"].includes(error.code);
    return { message: `invalid safetensors file: ${error.message}`, hints: truncated ? [TRUNCATED_HINT] : [] };
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === "string" && (error as NodeJS.ErrnoException).syscall) return describeSystem(error as NodeJS.ErrnoException);
  if (error instanceof RangeError && /past the end|unexpected end of file/.test(error.message)) {
    return { message: `unexpected end of file (${error.message})`, hints: [TRUNCATED_HINT] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `internal error: ${message}`, hints: ["this is a bug in tsorch; run with TSORCH_DEBUG=1 for a stack trace and report it"] };
}

function describeSystem(error: NodeJS.ErrnoException): { message: string; hints: string[] } {
  switch (error.code) {
    case "ENOENT":
      return { message: "no such file or directory", hints: [] };
    case "EISDIR":
      return { message: "is a directory, not a file", hints: [] };
    case "EACCES":
    case "EPERM":
      return { message: "permission denied", hints: [] };
    case "ENOSPC":
      return { message: "no space left on the device", hints: [] };
    default:
      return { message: `${error.syscall ?? "i/o"} failed: ${error.code}`, hints: [] };
  }
}

function describeUnpickling(error: UnpicklingError): { message: string; hints: string[] } {
  const refusedHints = [
    "tsorch loads only tensors, storages and plain Python values and never runs code from a file (like torch.load(..., weights_only=True))",
    "if you trust the file, load it in Python with torch.load(path, weights_only=False) and re-save the tensors you need, e.g. torch.save(model.state_dict(), path)",
  ];
  if (error.code === "BLOCKED_GLOBAL") {
    const m = /unsupported (\S+) (\S+) whose module (\S+) is blocked/.exec(error.message);
    const what = m ? `Unsupported global: ${m[1]} ${m[2]} (module '${m[3]}' is blocked: it can run commands on this machine)` : error.message;
    return { message: `refused to load the pickle: ${what}`, hints: ["this file tries to run code when loaded; it is probably malicious. Do not load it with torch.load(weights_only=False)", refusedHints[0]] };
  }
  if (error.code === "UNSUPPORTED_GLOBAL") {
    const text = error.message.replace(/ was not an allowed global by default\..*$/s, " is not allowed");
    return { message: `refused to load the pickle: ${text}`, hints: refusedHints };
  }
  if (error.code === "NOT_ALLOWED") return { message: `refused to load the pickle: ${error.message}`, hints: refusedHints };
  if (error.code === "EOF" || error.code === "TRUNCATED") return { message: `corrupt pickle: ${error.message}`, hints: [TRUNCATED_HINT] };
  return { message: `corrupt pickle: ${error.message}`, hints: [] };
}

function describeCheckpoint(error: CheckpointError): { message: string; hints: string[] } {
  switch (error.code) {
    case "NOT_A_CHECKPOINT":
      if (error.cause instanceof UnpicklingError) {
        return { message: `unknown file format: not a PyTorch checkpoint nor a safetensors file`, hints: [FORMATS_HINT] };
      }
      return { message: error.message, hints: [FORMATS_HINT] };
    case "RECORD_TOO_SMALL":
    case "MISSING_RECORD":
      return { message: error.message, hints: [TRUNCATED_HINT] };
    case "DEVICE_UNAVAILABLE":
      return { message: error.message.replace(/ In tsorch:.*$/, ""), hints: ["pass --map-location cpu"] };
    case "UNKNOWN_MODULE_CLASS": {
      const m = /GLOBAL (\S+) is the class of an object/.exec(error.message);
      if (!m) return { message: error.message, hints: [] };
      return {
        message: `refused to load the pickle: Unsupported global: GLOBAL ${m[1]} (the file holds a whole pickled model, torch.save(model, PATH), whose classes tsorch does not know)`,
        hints: [
          "in Python, save its state dict and use that file: torch.save(torch.load(PATH, weights_only=False).state_dict(), 'state_dict.pt')",
          `from TypeScript, load it with the class that implements it: torch.load(path, { classes: { "${m[1]}": MyModel } })`,
        ],
      };
    }
    case "TORCHSCRIPT_ARCHIVE":
      return { message: "this is a TorchScript archive (torch.jit.save: it has constants.pkl), not a torch.save checkpoint", hints: ["in Python: torch.save(torch.jit.load(path).state_dict(), 'model.pt'), then use that file"] };
    default:
      return { message: error.message, hints: [] };
  }
}
