/**
 * Element-wise activations of torch.nn.functional (relu, relu6, leakyRelu, hardtanh, gelu, silu) as tight
 * loops over typed arrays, with gradients that follow ATen's rules at the kinks.
 */
import { Tensor } from "../../tensor/tensor.ts";
import { erf } from "../../kernels/special.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import { floatType } from "../elementwise.ts";
import { inPlaceResult } from "./in-place.ts";

/** The `inplace` keyword of activations: overwrite the input (see inPlaceResult for autograd). */
export interface InPlaceOptions {
  inplace?: boolean;
}

type Loop = (x: FloatArray, out: FloatArray) => void;
type GradLoop = (x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray) => void;

/** Runs `forward` over the whole input at once, and `backward` (given input, output, grad) for the gradient. */
function pointwise(t: Tensor, name: string, forward: Loop, backward: GradLoop, dtype = t.dtype): Tensor {
  const x = toFloatArray(t);
  const y = computeArrayFor(dtype, x.length);
  forward(x, y);
  return fromNumbers(y, t.dims, dtype).withGrad(name, [t], (g) => {
    const gd = computeArrayFor(g.dtype, x.length);
    backward(x, y, toFloatArray(g), gd);
    return [fromNumbers(gd, t.dims, g.dtype)];
  });
}

/** max(x, 0); the gradient is zero where the output is zero. */
export function relu(t: Tensor, options: InPlaceOptions = {}): Tensor {
  return inPlaceResult(t, reluOp(t), options.inplace);
}

function reluOp(t: Tensor): Tensor {
  return pointwise(t, "ReluBackward0", (x, y) => {
    if (x instanceof Float32Array) {
      // Branch-free (signs of activations are unpredictable): (v + |v|) / 2 is exact in float64 for float32 v.
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        y[i] = (v + Math.abs(v)) * 0.5;
      }
    } else for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  }, (_x, y, g, d) => {
    if (y instanceof Float32Array && g instanceof Float32Array && d instanceof Float32Array) {
      // Branch-free on the bits: an output > 0 has positive int32 bits, so (-bits >> 31) masks the gradient.
      const yi = new Int32Array(y.buffer, y.byteOffset, y.length);
      const gi = new Int32Array(g.buffer, g.byteOffset, g.length);
      const di = new Int32Array(d.buffer, d.byteOffset, d.length);
      for (let i = 0; i < yi.length; i++) di[i] = gi[i] & (-yi[i] >> 31);
    } else for (let i = 0; i < y.length; i++) d[i] = y[i] > 0 ? g[i] : 0;
  });
}

/** Clamps into [minVal, maxVal]; the gradient passes strictly inside the interval. */
export function hardtanh(t: Tensor, minVal = -1, maxVal = 1, options: InPlaceOptions = {}): Tensor {
  return inPlaceResult(t, hardtanhOp(t, minVal, maxVal), options.inplace);
}

function hardtanhOp(t: Tensor, minVal: number, maxVal: number): Tensor {
  return pointwise(t, "HardtanhBackward0", (x, y) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v < minVal ? minVal : v > maxVal ? maxVal : v;
    }
  }, (x, _y, g, d) => {
    for (let i = 0; i < x.length; i++) d[i] = x[i] <= minVal || x[i] >= maxVal ? 0 : g[i];
  });
}

/** min(max(x, 0), 6). */
export function relu6(t: Tensor, options: InPlaceOptions = {}): Tensor {
  return hardtanh(t, 0, 6, options);
}

/** x for x > 0, negativeSlope * x otherwise. */
export function leakyRelu(t: Tensor, negativeSlope = 0.01, options: InPlaceOptions = {}): Tensor {
  return inPlaceResult(t, pointwise(t, "LeakyReluBackward0", (x, y) => {
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : x[i] * negativeSlope;
  }, (x, _y, g, d) => {
    for (let i = 0; i < x.length; i++) d[i] = x[i] > 0 ? g[i] : g[i] * negativeSlope;
  }), options.inplace);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;
const KAPPA = 0.044715;

/** Options of gelu. */
export interface GeluOptions {
  /** "none" (exact, with erf; default) or "tanh" (the tanh approximation). */
  approximate?: "none" | "tanh";
}

/** Gaussian error linear unit: x * Phi(x) (exact erf form, or the tanh approximation). */
export function gelu(t: Tensor, options: GeluOptions = {}): Tensor {
  const approximate = options.approximate ?? "none";
  const dtype = floatType(t);
  if (approximate === "tanh") {
    return pointwise(t, "GeluBackward0", (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + KAPPA * v * v * v)));
      }
    }, (x, _y, g, d) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        const th = Math.tanh(SQRT_2_OVER_PI * (v + KAPPA * v * v * v));
        const right = 0.5 * v * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * v * v);
        d[i] = g[i] * (0.5 * (1 + th) + right);
      }
    }, dtype);
  }
  if (approximate !== "none") throw new RangeError("approximate argument must be either none or tanh.");
  return pointwise(t, "GeluBackward0", (x, y) => {
    for (let i = 0; i < x.length; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] * SQRT1_2));
  }, (x, _y, g, d) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const cdf = 0.5 * (1 + erf(v * SQRT1_2));
      d[i] = g[i] * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  }, dtype);
}

/** x * sigmoid(x) (also called swish). */
export function silu(t: Tensor, options: InPlaceOptions = {}): Tensor {
  return inPlaceResult(t, siluOp(t), options.inplace);
}

function siluOp(t: Tensor): Tensor {
  return pointwise(t, "SiluBackward0", (x, y) => {
    for (let i = 0; i < x.length; i++) y[i] = x[i] / (1 + Math.exp(-x[i]));
  }, (x, _y, g, d) => {
    for (let i = 0; i < x.length; i++) {
      const s = 1 / (1 + Math.exp(-x[i]));
      d[i] = g[i] * s * (1 + x[i] * (1 - s));
    }
  }, floatType(t));
}
