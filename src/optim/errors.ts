/**
 * Errors of the optim family. Messages are PyTorch 1.13's own text; `pythonType` names the Python exception
 * PyTorch raises for the same mistake (`ValueError`, `TypeError`, `KeyError`, ...).
 */
import { pyTypeName } from "../python/types.ts";
import { Tensor } from "../tensor/tensor.ts";

/** What went wrong, as a stable code. */
export type OptimErrorCode =
  | "ERR_OPTIM_ARGUMENT" // an invalid hyperparameter or params argument
  | "ERR_OPTIM_PARAM_GROUP" // add_param_group: a parameter in two groups, a required option missing, a non-leaf tensor
  | "ERR_OPTIM_LOAD_STATE_DICT" // load_state_dict: the saved groups do not fit the optimizer's
  | "ERR_OPTIM_STATE" // state that cannot be used (a scheduler resuming without initial_lr, state of an unknown tensor)
  | "ERR_OPTIM_NOT_SUPPORTED"; // a PyTorch option tsorch cannot run (CUDA-only or differentiable optimizers)

/** The Python exception class PyTorch raises in the same situation. */
export type OptimPythonErrorType = "ValueError" | "TypeError" | "KeyError" | "RuntimeError" | "AssertionError";

/** An error raised by tsorch.optim: PyTorch's message plus a code and the Python exception type. */
export class OptimError extends Error {
  /** The Python exception PyTorch raises for this error. */
  readonly pythonType: OptimPythonErrorType;
  /** A stable code. */
  readonly code: OptimErrorCode;

  constructor(code: OptimErrorCode, pythonType: OptimPythonErrorType, message: string) {
    super(message);
    this.name = "OptimError";
    this.code = code;
    this.pythonType = pythonType;
  }
}

/** `torch.typename(value)`: `torch.FloatTensor` for tensors, else the Python type name (`int`, `list`). */
export function typename(value: unknown): string {
  if (value instanceof Tensor) return `torch.${value.dtype.storageClass.replace("Storage", "Tensor")}`;
  return pyTypeName(value);
}
