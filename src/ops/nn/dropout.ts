/**
 * Dropout: zeroes elements (or whole channels) with probability p using the global generator, scaling survivors
 * by 1 / (1 - p) so the expectation is unchanged. Identity outside training.
 */
import { Tensor } from "../../tensor/tensor.ts";
import { globalGenerator } from "../../tensor/random.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import { floatType } from "../elementwise.ts";
import { inPlaceResult } from "./in-place.ts";

/** Options of dropout. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout (default true); when false the input is returned as it is. */
  training?: boolean;
  /** Overwrite the input (see inPlaceResult for autograd). */
  inplace?: boolean;
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/** A keep-mask scaled by 1/(1-p): `groups` Bernoulli(1-p) draws, each repeated `repeat` times. */
function scaledMask(groups: number, repeat: number, p: number): Float32Array {
  const mask = new Float32Array(groups * repeat);
  if (p === 1) return mask;
  const gen = globalGenerator();
  const threshold = (1 - p) * 4294967296;
  const scale = 1 / (1 - p);
  for (let i = 0; i < groups; i++) {
    if (gen.nextUint32() < threshold) mask.fill(scale, i * repeat, (i + 1) * repeat);
  }
  return mask;
}

function applyMask(input: Tensor, mask: Float32Array, name: string): Tensor {
  const dtype = floatType(input);
  const x = toFloatArray(input);
  const y = computeArrayFor(dtype, x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * mask[i];
  return fromNumbers(y, input.dims, dtype).withGrad(name, [input], (g) => {
    const G = toFloatArray(g);
    const d: FloatArray = computeArrayFor(g.dtype, G.length);
    for (let i = 0; i < G.length; i++) d[i] = G[i] * mask[i];
    return [fromNumbers(d, input.dims, g.dtype)];
  });
}

/** Zeroes each element with probability p and scales the rest by 1/(1-p) (training); identity otherwise. */
export function dropout(input: Tensor, options: DropoutOptions = {}): Tensor {
  const p = options.p ?? 0.5;
  checkP(p);
  if (!(options.training ?? true) || p === 0 || input.numel() === 0) return input;
  return inPlaceResult(input, applyMask(input, scaledMask(input.numel(), 1, p), "NativeDropoutBackward0"), options.inplace);
}

/**
 * Zeroes whole channels: for input [N, C, *] each (n, c) slice is dropped with probability p. As in PyTorch 1.13,
 * a 3-D input is read as (N, C, L), not as an unbatched (C, H, W) image.
 */
export function dropout2d(input: Tensor, options: DropoutOptions = {}): Tensor {
  const p = options.p ?? 0.5;
  checkP(p);
  if (!(options.training ?? true) || p === 0 || input.numel() === 0) return input;
  if (input.dims.length < 2) throw new RangeError("Feature dropout requires at least 2 dimensions in the input");
  const groups = input.dims[0] * input.dims[1];
  return inPlaceResult(input, applyMask(input, scaledMask(groups, input.numel() / groups, p), "MulBackward0"), options.inplace);
}
