/** 2-D pooling ops (max, average, adaptive average, adaptive max) with PyTorch's output sizes, checks and gradients. */
import { int64 } from "../../tensor/dtype.ts";
import { wrapDim } from "../../tensor/shape.ts";
import { Tensor } from "../../tensor/tensor.ts";
import type { Conv2dGeometry } from "../../kernels/conv.ts";
import * as K from "../../kernels/pool.ts";
import { computeArrayFor, fromNumbers, toFloatArray } from "../convert.ts";
import { formatList, type IntOrPair } from "./args.ts";

/** Options of maxPool2d. */
export interface MaxPool2dOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrPair | null;
  /** Implicit -inf padding on both sides (at most half the kernel). */
  padding?: IntOrPair;
  /** Spacing between window elements. */
  dilation?: IntOrPair;
  /** Use ceil instead of floor for the output size. */
  ceilMode?: boolean;
  /** Also return the argmax indices (flat within each H x W plane). */
  returnIndices?: boolean;
}

/** Options of avgPool2d. */
export interface AvgPool2dOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrPair | null;
  /** Implicit zero padding on both sides (at most half the kernel). */
  padding?: IntOrPair;
  /** Use ceil instead of floor for the output size. */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. */
  divisorOverride?: number | null;
}

function pairArg(v: IntOrPair, fn: string, name: string, what: string): [number, number] {
  if (typeof v === "number") return [v, v];
  if (v.length === 1) return [v[0], v[0]];
  if (v.length === 2) return [v[0], v[1]];
  throw new RangeError(`${fn}: ${name} must ${what}`);
}

/** PyTorch's pooling_output_shape (with the ceil-mode rule that the last window starts inside the image). */
export function poolOutputSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  if (stride === 0) throw new RangeError("stride should not be zero");
  if (pad < 0) throw new RangeError(`pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.floor(kernel / 2)) throw new RangeError(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${kernel}`);
  const numerator = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(numerator / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

interface PoolSetup {
  g: Conv2dGeometry;
  planes: number;
  outShape: number[];
}

function setup(input: Tensor, fn: string, kernelSize: IntOrPair, stride: IntOrPair | null | undefined, padding: IntOrPair, dilation: IntOrPair, ceilMode: boolean): PoolSetup {
  const [kH, kW] = pairArg(kernelSize, fn, "kernel_size", "either be a single int, or a tuple of two ints");
  const s = stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0) ? [kH, kW] : pairArg(stride, fn, "stride", "either be omitted, a single int, or a tuple of two ints");
  const [pH, pW] = pairArg(padding, fn, "padding", "either be a single int, or a tuple of two ints");
  const [dH, dW] = pairArg(dilation, fn, "dilation", "be either a single int, or a tuple of two ints");
  const nd = input.dims.length;
  if (fn === "max_pool2d" && nd !== 3 && nd !== 4) throw new RangeError("non-empty 3D or 4D (batch mode) tensor expected for input");
  const C = input.dims[wrapDim(-3, nd)];
  const H = input.dims[wrapDim(-2, nd)];
  const W = input.dims[wrapDim(-1, nd)];
  const outH = poolOutputSize(H, kH, pH, s[0], dH, ceilMode);
  const outW = poolOutputSize(W, kW, pW, s[1], dW, ceilMode);
  if (kH <= 0 || kW <= 0) throw new RangeError(`kernel size should be greater than zero, but got kH: ${kH} kW: ${kW}`);
  if (s[0] <= 0 || s[1] <= 0) throw new RangeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (dH <= 0 || dW <= 0) throw new RangeError(`dilation should be greater than zero, but got dilationH: ${dH} dilationW: ${dW}`);
  const validDims = input.dims[nd - 3] !== 0 && input.dims[nd - 2] !== 0;
  if (!((nd === 3 && input.dims[0] !== 0 && validDims) || (nd === 4 && validDims && input.dims[3] !== 0))) {
    throw new RangeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${formatList(input.dims)}`);
  }
  if (outH < 1 || outW < 1) {
    throw new RangeError(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${outH}x${outW}). Output size is too small`);
  }
  const g: Conv2dGeometry = { channels: 1, height: H, width: W, kH, kW, sH: s[0], sW: s[1], padTop: pH, padLeft: pW, dH, dW, outH, outW };
  return { g, planes: input.numel() / (H * W), outShape: [...input.dims.slice(0, -2), outH, outW] };
}

/** Gradient of a max-style pool: scatters grad to the recorded argmax positions. */
function scatterBack(input: Tensor, grad: Tensor, indices: Int32Array, planes: number, outPlane: number): Tensor {
  const gIn = computeArrayFor(input.dtype, input.numel());
  const inPlane = input.numel() / Math.max(planes, 1);
  K.maxPool2dBackward(toFloatArray(grad), indices, planes, inPlane, outPlane, gIn);
  return fromNumbers(gIn, input.dims, input.dtype);
}

function indicesTensor(indices: Int32Array, shape: readonly number[]): Tensor {
  const big = new BigInt64Array(indices.length);
  for (let i = 0; i < indices.length; i++) big[i] = BigInt(indices[i]);
  return Tensor.fromTypedArray(big, shape, int64);
}

/** 2-D max pooling over [N, C, H, W] or [C, H, W] input; with `returnIndices`, also the argmax indices. */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options?: MaxPool2dOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  const { g, planes, outShape } = setup(input, "max_pool2d", kernelSize, options.stride, options.padding ?? 0, options.dilation ?? 1, options.ceilMode ?? false);
  const outPlane = g.outH * g.outW;
  const out = computeArrayFor(input.dtype, planes * outPlane);
  const indices = new Int32Array(planes * outPlane);
  K.maxPool2d(toFloatArray(input), planes, g, out, indices);
  const result = fromNumbers(out, outShape, input.dtype).withGrad("MaxPool2DWithIndicesBackward0", [input], (grad) => [
    scatterBack(input, grad, indices, planes, outPlane),
  ]);
  return options.returnIndices ? [result, indicesTensor(indices, outShape)] : result;
}

/** 2-D average pooling with PyTorch's padding, ceilMode, countIncludePad and divisorOverride rules. */
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, options: AvgPool2dOptions = {}): Tensor {
  const divisorOverride = options.divisorOverride ?? undefined;
  if (divisorOverride === 0) throw new RangeError("divisor must be not zero");
  const { g, planes, outShape } = setup(input, "avg_pool2d", kernelSize, options.stride, options.padding ?? 0, 1, options.ceilMode ?? false);
  const divisor: K.AvgDivisor = { countIncludePad: options.countIncludePad ?? true, divisorOverride };
  const out = computeArrayFor(input.dtype, planes * g.outH * g.outW);
  K.avgPool2d(toFloatArray(input), planes, g, divisor, out);
  return fromNumbers(out, outShape, input.dtype).withGrad("AvgPool2DBackward0", [input], (grad) => {
    const gIn = computeArrayFor(input.dtype, input.numel());
    K.avgPool2dBackward(toFloatArray(grad), planes, g, divisor, gIn);
    return [fromNumbers(gIn, input.dims, input.dtype)];
  });
}

/** An adaptive output size: one int, or a pair whose null entries keep the input's size. */
export type AdaptiveSize = number | null | readonly [number | null, number | null];

function adaptiveSetup(input: Tensor, fn: string, outputSize: AdaptiveSize, colon: string) {
  const nd = input.dims.length;
  if (nd !== 3 && nd !== 4) throw new RangeError(`${fn}(): Expected 3D or 4D tensor, but got${colon} ${formatList(input.dims)}`);
  for (let i = 1; i < nd; i++) {
    if (input.dims[i] === 0) {
      throw new RangeError(`${fn}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatList(input.dims)} with dimension ${i} being empty`);
    }
  }
  const H = input.dims[nd - 2];
  const W = input.dims[nd - 1];
  const sizes = outputSize === null || typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  if (sizes.length !== 2) throw new RangeError(`${fn}: output_size must be 2`);
  const outH = sizes[0] ?? H;
  const outW = sizes[1] ?? W;
  if (outH < 0 || outW < 0) throw new RangeError(`${fn}: elements of output_size must be greater than or equal to 0 but received {${outH}, ${outW}}`);
  return { H, W, outH, outW, planes: input.numel() / (H * W), outShape: [...input.dims.slice(0, -2), outH, outW] };
}

/** Adaptive 2-D average pooling to `outputSize` (windows [floor(i*in/out), ceil((i+1)*in/out))). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  const { H, W, outH, outW, planes, outShape } = adaptiveSetup(input, "adaptive_avg_pool2d", outputSize, "");
  const out = computeArrayFor(input.dtype, planes * outH * outW);
  K.adaptiveAvgPool2d(toFloatArray(input), planes, H, W, outH, outW, out);
  return fromNumbers(out, outShape, input.dtype).withGrad("AdaptiveAvgPool2DBackward0", [input], (grad) => {
    const gIn = computeArrayFor(input.dtype, input.numel());
    K.adaptiveAvgPool2dBackward(toFloatArray(grad), planes, H, W, outH, outW, gIn);
    return [fromNumbers(gIn, input.dims, input.dtype)];
  });
}

/** Adaptive 2-D max pooling to `outputSize`; with `returnIndices`, also the argmax indices. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, options: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  const { H, W, outH, outW, planes, outShape } = adaptiveSetup(input, "adaptive_max_pool2d", outputSize, ":");
  const outPlane = outH * outW;
  const out = computeArrayFor(input.dtype, planes * outPlane);
  const indices = new Int32Array(planes * outPlane);
  K.adaptiveMaxPool2d(toFloatArray(input), planes, H, W, outH, outW, out, indices);
  const result = fromNumbers(out, outShape, input.dtype).withGrad("AdaptiveMaxPool2DBackward0", [input], (grad) => [
    scatterBack(input, grad, indices, planes, outPlane),
  ]);
  return options.returnIndices ? [result, indicesTensor(indices, outShape)] : result;
}
