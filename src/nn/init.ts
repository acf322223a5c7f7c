/**
 * `torch.nn.init`: in-place initialisers, run without recording gradients, with PyTorch's formulas
 * (`calculate_gain`, fan computation, Kaiming and Xavier bounds). Samples come from tsorch's global
 * generator: the distributions match PyTorch's, the individual numbers do not.
 */
import { noGrad } from "../autograd/grad-mode.ts";
import { globalGenerator } from "../tensor/random.ts";
import { Tensor } from "../tensor/tensor.ts";
import { float64 } from "../tensor/dtype.ts";
import { type PositionalOrOptions, parseArgs } from "./args.ts";
import { NNError } from "./errors.ts";

/** Nonlinearities known to `calculateGain`. */
export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** Which fan Kaiming initialisation preserves. */
export type FanMode = "fan_in" | "fan_out";

/** Options of `kaimingUniform_` / `kaimingNormal_`. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu); default 0. */
  a?: number;
  /** `fan_in` (default) preserves the forward pass's variance, `fan_out` the backward's. */
  mode?: FanMode;
  /** Default `leaky_relu`. */
  nonlinearity?: Nonlinearity;
}

function argError(message: string): NNError {
  return new NNError("ERR_NN_ARGUMENT", "ValueError", message);
}

function warn(message: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (m: string) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(message);
  else console.warn(message);
}

/** The recommended gain for a nonlinearity (`calculate_gain`): relu sqrt(2), tanh 5/3, leaky_relu sqrt(2/(1+slope^2)), selu 3/4. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linear.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== "number") throw argError(`negative_slope ${String(param)} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw argError(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** `_calculate_fan_in_and_fan_out`: `[size(1) * receptive field, size(0) * receptive field]`. */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.dim() < 2) throw argError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  let receptive = 1;
  for (const s of tensor.dims.slice(2)) receptive *= s;
  return [tensor.dims[1] * receptive, tensor.dims[0] * receptive];
}

function calculateCorrectFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw argError(`Mode ${mode} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

/** Fills with U(a, b) (defaults 0, 1): `uniform_(t, -0.1, 0.1)` or `uniform_(t, { a: -0.1, b: 0.1 })`. */
export function uniform_(tensor: Tensor, ...args: PositionalOrOptions<[a: number, b: number], { a?: number; b?: number }>): Tensor {
  const { a, b } = parseArgs("uniform_", ["a", "b"], args, { a: 0, b: 1 }, []);
  return noGrad(() => tensor.uniform_(a, b));
}

/** Fills with N(mean, std) (defaults 0, 1). */
export function normal_(tensor: Tensor, ...args: PositionalOrOptions<[mean: number, std: number], { mean?: number; std?: number }>): Tensor {
  const { mean, std } = parseArgs("normal_", ["mean", "std"], args, { mean: 0, std: 1 }, []);
  return noGrad(() => tensor.normal_(mean, std));
}

/**
 * Fills with N(mean, std) truncated to [a, b] (defaults 0, 1, -2, 2), by rejection: exact samples of
 * the truncated distribution (PyTorch uses the inverse CDF; the distribution is the same).
 */
export function truncNormal_(
  tensor: Tensor,
  ...args: PositionalOrOptions<[mean: number, std: number, a: number, b: number], { mean?: number; std?: number; a?: number; b?: number }>
): Tensor {
  const { mean, std, a, b } = parseArgs("trunc_normal_", ["mean", "std", "a", "b"], args, { mean: 0, std: 1, a: -2, b: 2 }, []);
  if (mean < a - 2 * std || mean > b + 2 * std) {
    warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  if (tensor.isMeta) return tensor;
  const gen = globalGenerator();
  const n = tensor.numel();
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = mean + std * gen.normal();
    for (let tries = 0; (v < a || v > b) && tries < 1000; tries++) v = mean + std * gen.normal();
    values[i] = Math.min(b, Math.max(a, v));
  }
  return noGrad(() => tensor.copy_(Tensor.fromTypedArray(values, tensor.dims, float64)));
}

/** Fills with `val`. */
export function constant_(tensor: Tensor, val: number): Tensor {
  return noGrad(() => tensor.fill_(val));
}

/** Fills with 1. */
export function ones_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.fill_(1));
}

/** Fills with 0. */
export function zeros_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.zero_());
}

/** Fills a 2-D tensor with the identity matrix. */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.dim() !== 2) throw argError("Only tensors with 2 dimensions are supported");
  return noGrad(() => {
    tensor.zero_();
    for (let i = 0; i < Math.min(tensor.dims[0], tensor.dims[1]); i++) tensor.select(0, i).narrow(0, i, 1).fill_(1);
    return tensor;
  });
}

/** Xavier/Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(tensor: Tensor, ...args: PositionalOrOptions<[gain: number], { gain?: number }>): Tensor {
  const { gain } = parseArgs("xavier_uniform_", ["gain"], args, { gain: 1 }, []);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return noGrad(() => tensor.uniform_(-a, a));
}

/** Xavier/Glorot normal: N(0, gain * sqrt(2 / (fan_in + fan_out))). */
export function xavierNormal_(tensor: Tensor, ...args: PositionalOrOptions<[gain: number], { gain?: number }>): Tensor {
  const { gain } = parseArgs("xavier_normal_", ["gain"], args, { gain: 1 }, []);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return noGrad(() => tensor.normal_(0, std));
}

function kaimingStd(tensor: Tensor, o: Required<KaimingOptions>): number {
  const fan = calculateCorrectFan(tensor, o.mode);
  return calculateGain(o.nonlinearity, o.a) / Math.sqrt(fan);
}

const KAIMING_DEFAULTS: Required<KaimingOptions> = { a: 0, mode: "fan_in", nonlinearity: "leaky_relu" };

/**
 * Kaiming/He uniform: U(-bound, bound), bound = gain(nonlinearity, a) * sqrt(3 / fan). PyTorch's layers use
 * `kaimingUniform_(w, { a: Math.sqrt(5) })`, i.e. bound = 1 / sqrt(fan_in).
 */
export function kaimingUniform_(
  tensor: Tensor,
  ...args: PositionalOrOptions<[a: number, mode: FanMode, nonlinearity: Nonlinearity], KaimingOptions>
): Tensor {
  const o = parseArgs("kaiming_uniform_", ["a", "mode", "nonlinearity"], args, KAIMING_DEFAULTS, []);
  if (tensor.dims.includes(0)) {
    warn("Initializing zero-element tensors is a no-op");
    return tensor;
  }
  const bound = Math.sqrt(3.0) * kaimingStd(tensor, o);
  return noGrad(() => tensor.uniform_(-bound, bound));
}

/** Kaiming/He normal: N(0, gain(nonlinearity, a) / sqrt(fan)). */
export function kaimingNormal_(
  tensor: Tensor,
  ...args: PositionalOrOptions<[a: number, mode: FanMode, nonlinearity: Nonlinearity], KaimingOptions>
): Tensor {
  const o = parseArgs("kaiming_normal_", ["a", "mode", "nonlinearity"], args, KAIMING_DEFAULTS, []);
  if (tensor.dims.includes(0)) {
    warn("Initializing zero-element tensors is a no-op");
    return tensor;
  }
  const std = kaimingStd(tensor, o);
  return noGrad(() => tensor.normal_(0, std));
}
