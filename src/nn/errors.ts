/**
 * Errors of the nn family. Messages are PyTorch's own text; `pythonType` names the Python exception
 * PyTorch raises for the same mistake (`RuntimeError`, `TypeError`, `KeyError`, ...).
 */
import { Tensor } from "../tensor/tensor.ts";
import { pyTypeName } from "../python/index.ts";

/** What went wrong, as a stable code. */
export type NNErrorCode =
  | "ERR_NN_REGISTRATION" // bad name or value registering a parameter, buffer or child module
  | "ERR_NN_ATTRIBUTE" // get_submodule / get_parameter / get_buffer found nothing
  | "ERR_NN_ARGUMENT" // a layer got an invalid constructor argument
  | "ERR_NN_INPUT" // a layer got an input of the wrong shape
  | "ERR_NN_NOT_IMPLEMENTED" // forward (or get_extra_state) missing
  | "ERR_NN_LOAD_STATE_DICT"; // load_state_dict mismatch

/** The Python exception class PyTorch raises in the same situation. */
export type PythonErrorType =
  | "RuntimeError" | "TypeError" | "KeyError" | "ValueError" | "AttributeError" | "IndexError" | "NotImplementedError";

/** An error raised by tsorch.nn: PyTorch's message plus a code and the Python exception type. */
export class NNError extends Error {
  /** The Python exception PyTorch raises for this error. */
  readonly pythonType: PythonErrorType;
  /** A stable code. */
  readonly code: NNErrorCode;

  constructor(code: NNErrorCode, pythonType: PythonErrorType, message: string) {
    super(message);
    this.name = "NNError";
    this.code = code;
    this.pythonType = pythonType;
  }
}

/**
 * `Module.loadStateDict` found missing/unexpected keys (strict) or values it could not load.
 * The message is PyTorch's `Error(s) in loading state_dict for Net:\n\t...` text.
 */
export class LoadStateDictError extends NNError {
  constructor(
    message: string,
    /** Keys the module expected but the state dict lacked (reported with strict). */
    readonly missingKeys: string[],
    /** Keys of the state dict that the module has no place for (reported with strict). */
    readonly unexpectedKeys: string[],
    /** The individual error lines, in PyTorch's order. */
    readonly errorMessages: string[],
  ) {
    super("ERR_NN_LOAD_STATE_DICT", "RuntimeError", message);
    this.name = "LoadStateDictError";
  }
}

/** `torch.typename(value)`: `torch.FloatTensor` for tensors, else the Python type name (`int`, `list`). */
export function typename(value: unknown): string {
  if (value instanceof Tensor) return `torch.${value.dtype.storageClass.replace("Storage", "Tensor")}`;
  return pyTypeName(value);
}

/** Python's `repr(type(value))`: `<class 'int'>`, `<class 'torch.Tensor'>`. */
export function pyClassRepr(value: unknown): string {
  if (value instanceof Tensor) return "<class 'torch.Tensor'>";
  return `<class '${pyTypeName(value)}'>`;
}
