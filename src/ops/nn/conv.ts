/**
 * conv2d: im2col into a reusable scratch buffer, then one matrix product per group over a chunk of samples
 * (weights [OC/G, C/G*kH*kW] x columns [C/G*kH*kW, chunk*outH*outW]). Backward reuses the same pieces:
 * weight gradient = grad x columns^T, input gradient = col2im(weight^T x grad).
 */
import { Tensor } from "../../tensor/tensor.ts";
import { col2im, type Conv2dGeometry, convOutputSize, im2col } from "../../kernels/conv.ts";
import { gemmStrided } from "../../kernels/gemm.ts";
import { inKernelMemory, scratch, zeroedScratch } from "../../kernels/workspace.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import { checkSameDtype, formatList, type IntOrPair, pair } from "./args.ts";

/** Options of conv2d (PyTorch's keyword arguments). */
export interface Conv2dOptions {
  /** Stride of the window (default 1). */
  stride?: IntOrPair;
  /** Zero padding on both sides, or "same" (output size = input size; stride 1 only) or "valid" (no padding). */
  padding?: IntOrPair | "same" | "valid";
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrPair;
  /** Number of blocked connections from input to output channels (default 1). */
  groups?: number;
}

/** Columns per gemm: samples are batched into one product until it is at least this wide. */
const MIN_GEMM_COLUMNS = 256;
/** Scratch slots (kernels/workspace.ts): 0 columns, 1 gathered outputs/gradients, 2 column gradients. */
const IMAGE_SLOT = 3;
const IMAGE_GRAD_SLOT = 4;

/**
 * 2-D convolution over a [N, C, H, W] (or unbatched [C, H, W]) input with weight [OC, C/groups, kH, kW] and
 * optional bias [OC], with PyTorch's argument checks and messages. Differentiable in input, weight and bias.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const nd = input.dims.length;
  if (nd !== 3 && nd !== 4) {
    throw new RangeError(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatList(input.dims)}`);
  }
  const stride = options.stride ?? 1;
  const dilation = pair(options.dilation ?? 1, "dilation");
  const groups = options.groups ?? 1;
  if (weight.dims.length < 3) throw new RangeError("weight should have at least three dimensions");
  if (weight.dims.length !== 4) {
    throw new RangeError(`expected stride to be a single integer value or a list of ${weight.dims.length - 2} values to match the convolution dimensions, but got stride=${formatList(pair(stride, "stride"))}`);
  }
  const [sH, sW] = pair(stride, "stride");
  const x = nd === 3 ? input.unsqueeze(0) : input;
  const [kH, kW] = [weight.dims[2], weight.dims[3]];
  const [H, W] = [x.dims[2], x.dims[3]];
  let padTop: number, padLeft: number, padH: number, padW: number;
  const padding = options.padding ?? 0;
  if (typeof padding === "string") {
    if (padding === "valid") [padTop, padLeft, padH, padW] = [0, 0, 0, 0];
    else if (padding === "same") {
      if (sH !== 1 || sW !== 1) throw new Error("padding='same' is not supported for strided convolutions");
      const totalH = dilation[0] * (kH - 1);
      const totalW = dilation[1] * (kW - 1);
      [padTop, padLeft, padH, padW] = [Math.floor(totalH / 2), Math.floor(totalW / 2), totalH, totalW];
    } else throw new RangeError(`Invalid padding string: '${padding}'`);
  } else {
    const [pH, pW] = pair(padding, "padding");
    [padTop, padLeft, padH, padW] = [pH, pW, 2 * pH, 2 * pW];
  }
  if (padTop < 0 || padLeft < 0) throw new RangeError("negative padding is not supported");
  if (sH <= 0 || sW <= 0) throw new RangeError("non-positive stride is not supported");
  if (dilation[0] <= 0 || dilation[1] <= 0) throw new RangeError("non-positive dilation is not supported");
  if (groups <= 0) throw new RangeError("non-positive groups is not supported");
  checkSameDtype(input, weight);
  const OC = weight.dims[0];
  if (OC < groups) {
    throw new RangeError(`Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${formatList(weight.dims)} instead`);
  }
  if (OC % groups !== 0) {
    throw new RangeError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${formatList(weight.dims)}] instead`);
  }
  if (x.dims[1] !== weight.dims[1] * groups) {
    throw new RangeError(`Given groups=${groups}, weight of size ${formatList(weight.dims)}, expected input${formatList(x.dims)} to have ${weight.dims[1] * groups} channels, but got ${x.dims[1]} channels instead`);
  }
  if (bias && (bias.dims.length !== 1 || bias.dims[0] !== OC)) {
    throw new RangeError(`Given weight of size ${formatList(weight.dims)}, expected bias to be 1-dimensional with ${OC} elements, but got bias of size ${formatList(bias.dims)} instead`);
  }
  checkSameDtype(input, bias);
  const kernelH = dilation[0] * (kH - 1) + 1;
  const kernelW = dilation[1] * (kW - 1) + 1;
  if (H + padH < kernelH || W + padW < kernelW) {
    throw new RangeError(`Calculated padded input size per channel: (${H + padH} x ${W + padW}). Kernel size: (${kernelH} x ${kernelW}). Kernel size can't be greater than actual input size`);
  }
  const geometry: Conv2dGeometry = {
    channels: x.dims[1], height: H, width: W, kH, kW, sH, sW, padTop, padLeft, dH: dilation[0], dW: dilation[1],
    outH: convOutputSize(H, kH, sH, padH, dilation[0]), outW: convOutputSize(W, kW, sW, padW, dilation[1]),
  };
  const out = convolution(x, weight, bias ?? null, geometry, groups);
  return nd === 3 ? out.squeeze(0) : out;
}

/** Batch layout of one convolution: sizes, and how samples are chunked into products. */
interface Plan {
  g: Conv2dGeometry;
  N: number;
  OC: number;
  groups: number;
  /** Rows of the column matrix per group (C/G*kH*kW) and columns per sample (outH*outW). */
  rowsG: number;
  L: number;
  /** Samples per product. */
  chunk: number;
  /** True when the column matrix of one sample is the input itself (1x1 kernel, stride 1, no padding). */
  pointwise: boolean;
}

function plan(x: Tensor, weight: Tensor, g: Conv2dGeometry, groups: number): Plan {
  const L = g.outH * g.outW;
  return {
    g, N: x.dims[0], OC: weight.dims[0], groups, L,
    rowsG: (g.channels / groups) * g.kH * g.kW,
    chunk: Math.max(1, Math.min(x.dims[0], Math.ceil(MIN_GEMM_COLUMNS / Math.max(L, 1)))),
    pointwise: g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.padTop === 0 && g.padLeft === 0 && g.outH === g.height && g.outW === g.width,
  };
}

/** The column matrix of samples n0..n0+nb as [array, offset, leading dim]: the input itself when pointwise. */
function columns(X: FloatArray, p: Plan, n0: number, nb: number): [FloatArray, number, number] {
  const imageSize = p.g.channels * p.g.height * p.g.width;
  if (p.pointwise && nb === 1) return [X, n0 * imageSize, p.L];
  const ld = nb * p.L;
  const cols = scratch(X, p.rowsG * p.groups * ld, 0);
  for (let s = 0; s < nb; s++) im2col(X, (n0 + s) * imageSize, p.g, cols, s * p.L, ld);
  return [cols, 0, ld];
}

function convolution(x: Tensor, weight: Tensor, bias: Tensor | null, g: Conv2dGeometry, groups: number): Tensor {
  const p = plan(x, weight, g, groups);
  const { N, OC, L, rowsG } = p;
  const OCg = OC / groups;
  const X = toFloatArray(x);
  const Wt = toFloatArray(weight);
  const B = bias ? toFloatArray(bias) : null;
  const Y = computeArrayFor(x.dtype, N * OC * L);
  const Xk = inKernelMemory(X, IMAGE_SLOT);
  for (let n0 = 0; n0 < N; n0 += p.chunk) {
    const nb = Math.min(p.chunk, N - n0);
    const [cols, cOff, ld] = columns(Xk, p, n0, nb);
    const direct = nb === 1;
    const dst = direct ? Y : scratch(X, OC * ld, 1);
    const dOff = direct ? n0 * OC * L : 0;
    for (let gi = 0; gi < groups; gi++) {
      gemmStrided(OCg, ld, rowsG, Wt, gi * OCg * rowsG, rowsG, 1, cols, cOff + gi * rowsG * ld, ld, 1, dst, dOff + gi * OCg * ld, ld);
    }
    if (!direct) {
      for (let s = 0; s < nb; s++) {
        for (let oc = 0; oc < OC; oc++) {
          const from = oc * ld + s * L;
          Y.set(dst.subarray(from, from + L), ((n0 + s) * OC + oc) * L);
        }
      }
    }
  }
  if (B) {
    for (let n = 0; n < N; n++) {
      for (let oc = 0; oc < OC; oc++) {
        const b = B[oc];
        const base = (n * OC + oc) * L;
        for (let l = 0; l < L; l++) Y[base + l] += b;
      }
    }
  }
  const out = fromNumbers(Y, [N, OC, g.outH, g.outW], x.dtype);
  return out.withGrad("ConvolutionBackward0", [x, weight, bias], (grad) => {
    const G = toFloatArray(grad);
    return [
      x.requiresGrad ? fromNumbers(inputGrad(G, Wt, p, computeArrayFor(x.dtype, x.numel())), x.dims, x.dtype) : null,
      weight.requiresGrad ? fromNumbers(weightGrad(G, X, p, computeArrayFor(weight.dtype, weight.numel())), weight.dims, weight.dtype) : null,
      bias?.requiresGrad ? fromNumbers(biasGrad(G, p, computeArrayFor(bias.dtype, OC)), bias.dims, bias.dtype) : null,
    ];
  });
}

/** The output gradient of samples n0..n0+nb as [array, offset, leading dim] in [OC, nb*L] layout. */
function gradChunk(G: FloatArray, p: Plan, n0: number, nb: number): [FloatArray, number, number] {
  const { OC, L } = p;
  if (nb === 1) return [G, n0 * OC * L, L];
  const ld = nb * L;
  const buf = scratch(G, OC * ld, 1);
  for (let s = 0; s < nb; s++) {
    for (let oc = 0; oc < OC; oc++) {
      const from = ((n0 + s) * OC + oc) * L;
      buf.set(G.subarray(from, from + L), oc * ld + s * L);
    }
  }
  return [buf, 0, ld];
}

function weightGrad(G: FloatArray, X: FloatArray, p: Plan, gW: FloatArray): FloatArray {
  const { OC, groups, rowsG } = p;
  const OCg = OC / groups;
  X = inKernelMemory(X, IMAGE_SLOT);
  for (let n0 = 0; n0 < p.N; n0 += p.chunk) {
    const nb = Math.min(p.chunk, p.N - n0);
    const [cols, cOff, ld] = columns(X, p, n0, nb);
    const [gy, gOff] = gradChunk(G, p, n0, nb);
    for (let gi = 0; gi < groups; gi++) {
      // gW_g[OCg, rowsG] += gY_g[OCg, ld] x cols_g[rowsG, ld]^T
      gemmStrided(OCg, rowsG, ld, gy, gOff + gi * OCg * ld, ld, 1, cols, cOff + gi * rowsG * ld, 1, ld, gW, gi * OCg * rowsG, rowsG, true);
    }
  }
  return gW;
}

function inputGrad(G: FloatArray, Wt: FloatArray, p: Plan, result: FloatArray): FloatArray {
  const { OC, groups, rowsG, L, g } = p;
  const OCg = OC / groups;
  const imageSize = g.channels * g.height * g.width;
  const gX = zeroedScratch(result, result.length, IMAGE_GRAD_SLOT);
  for (let n0 = 0; n0 < p.N; n0 += p.chunk) {
    const nb = Math.min(p.chunk, p.N - n0);
    const [gy, gOff, ld] = gradChunk(G, p, n0, nb);
    const direct = p.pointwise && nb === 1;
    const dcols = direct ? gX : scratch(G, rowsG * groups * ld, 2);
    const dOff = direct ? n0 * imageSize : 0;
    for (let gi = 0; gi < groups; gi++) {
      // dcols_g[rowsG, ld] = W_g[OCg, rowsG]^T x gY_g[OCg, ld]
      gemmStrided(rowsG, ld, OCg, Wt, gi * OCg * rowsG, 1, rowsG, gy, gOff + gi * OCg * ld, ld, 1, dcols, dOff + gi * rowsG * ld, ld);
    }
    if (!direct) for (let s = 0; s < nb; s++) col2im(dcols, s * L, ld, g, gX, (n0 + s) * imageSize);
  }
  result.set(gX);
  return result;
}

function biasGrad(G: FloatArray, p: Plan, gB: FloatArray): FloatArray {
  const { N, OC, L } = p;
  for (let oc = 0; oc < OC; oc++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * OC + oc) * L;
      for (let l = 0; l < L; l++) s += G[base + l];
    }
    gB[oc] = s;
  }
  return gB;
}
