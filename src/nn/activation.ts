/** Activation layers: ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax. */
import type { Tensor } from "../tensor/tensor.ts";
import { strRepr } from "../python/index.ts";
import { type PositionalOrOptions, parseArgs } from "./args.ts";
import * as F from "./functional.ts";
import { pyStr } from "./layer-utils.ts";
import { Module } from "./module.ts";

/** `max(x, 0)` (`nn.ReLU(inplace=False)`); with `inplace` the input tensor is overwritten. */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(...args: PositionalOrOptions<[inplace: boolean], { inplace?: boolean }>) {
    super();
    this.inplace = parseArgs("ReLU", ["inplace"], args, { inplace: false }, []).inplace;
  }

  /** `F.relu(input)` (tsorch computes out of place even with `inplace`: autograd has no in-place ops). */
  override forward(input: Tensor): Tensor {
    return F.relu(input);
  }

  /** `inplace=True`, or nothing. */
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** `1 / (1 + e^-x)` (`nn.Sigmoid()`). */
export class Sigmoid extends Module {
  /** `input.sigmoid()`. */
  override forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** Hyperbolic tangent (`nn.Tanh()`). */
export class Tanh extends Module {
  /** `input.tanh()`. */
  override forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/** Gaussian error linear unit (`nn.GELU(approximate='none')`; `'tanh'` for the tanh approximation). */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(...args: PositionalOrOptions<[approximate: "none" | "tanh"], { approximate?: "none" | "tanh" }>) {
    super();
    this.approximate = parseArgs("GELU", ["approximate"], args, { approximate: "none" as "none" | "tanh" }, []).approximate;
  }

  /** `F.gelu(input, { approximate })`. */
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  /** `approximate='none'`. */
  override extraRepr(): string {
    return `approximate=${strRepr(this.approximate)}`;
  }
}

/** PyTorch's implicit softmax dim for legacy calls without one: 0 for 0-, 1- and 3-d input, else 1 (with a warning). */
export function implicitSoftmaxDim(name: string, ndim: number): number {
  const dim = ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
  const message = `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`;
  const proc = (globalThis as { process?: { emitWarning?: (m: string) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(message);
  else console.warn(message);
  return dim;
}

/** Softmax along `dim` (`nn.Softmax(dim=None)`; give a dim). */
export class Softmax extends Module {
  readonly dim: number | null;

  constructor(...args: PositionalOrOptions<[dim: number | null], { dim?: number | null }>) {
    super();
    this.dim = parseArgs("Softmax", ["dim"], args, { dim: null as number | null }, []).dim;
  }

  /** `input.softmax(dim)`. */
  override forward(input: Tensor): Tensor {
    return input.softmax(this.dim ?? implicitSoftmaxDim("softmax", input.dim()));
  }

  /** `dim=1`. */
  override extraRepr(): string {
    return `dim=${pyStr(this.dim)}`;
  }
}

/** Log-softmax along `dim` (`nn.LogSoftmax(dim=None)`; give a dim). */
export class LogSoftmax extends Module {
  readonly dim: number | null;

  constructor(...args: PositionalOrOptions<[dim: number | null], { dim?: number | null }>) {
    super();
    this.dim = parseArgs("LogSoftmax", ["dim"], args, { dim: null as number | null }, []).dim;
  }

  /** `input.logSoftmax(dim)`. */
  override forward(input: Tensor): Tensor {
    return input.logSoftmax(this.dim ?? implicitSoftmaxDim("log_softmax", input.dim()));
  }

  /** `dim=1`. */
  override extraRepr(): string {
    return `dim=${pyStr(this.dim)}`;
  }
}
