/** embedding: a lookup of weight rows by int64/int32 indices, whose gradient adds back into those rows. */
import { Tensor } from "../../tensor/tensor.ts";
import { computeArrayFor, type FloatArray, fromNumbers, toFloatArray } from "../convert.ts";
import { assign } from "../inplace.ts";
import { tensorTypeName } from "./args.ts";

/** Options of embedding (PyTorch's keywords). */
export interface EmbeddingOptions {
  /** A row that receives no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up with a larger p-norm are rescaled in place (in `weight`) to this norm first. */
  maxNorm?: number | null;
  /** The p of the norm for maxNorm (default 2). */
  normType?: number;
  /** Divide each row's gradient by how often its index occurs in the input. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients: not supported by tsorch (throws when true). */
  sparse?: boolean;
}

/** Rows of `weight` [num_embeddings, dim] picked by `input` (any shape, int64 or int32); output [*input.shape, dim]. */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (weight.dims.length !== 2) throw new RangeError("'weight' must be 2-D");
  const [V, D] = weight.dims;
  let paddingIdx = options.paddingIdx ?? null;
  if (paddingIdx !== null) {
    if (paddingIdx >= V || paddingIdx < -V) throw new RangeError("Padding_idx must be within num_embeddings");
    if (paddingIdx < 0) paddingIdx += V;
  }
  if (options.sparse) throw new Error("embedding: sparse gradients are not supported by tsorch");
  if (input.dtype.name !== "int64" && input.dtype.name !== "int32") {
    throw new TypeError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${tensorTypeName(input.dtype)} instead (while checking arguments for embedding)`);
  }
  const idx = toFloatArray(input);
  for (let i = 0; i < idx.length; i++) if (idx[i] < 0 || idx[i] >= V) throw new RangeError("index out of range in self");
  if (options.maxNorm !== undefined && options.maxNorm !== null) renorm(weight, idx, options.maxNorm, options.normType ?? 2);
  const Wt = toFloatArray(weight);
  const Y = computeArrayFor(weight.dtype, idx.length * D);
  for (let i = 0; i < idx.length; i++) Y.set(Wt.subarray(idx[i] * D, idx[i] * D + D), i * D);
  const scaleByFreq = options.scaleGradByFreq ?? false;
  return fromNumbers(Y, [...input.dims, D], weight.dtype).withGrad("EmbeddingBackward0", [null, weight], (g) => {
    const G = toFloatArray(g);
    const gW = computeArrayFor(weight.dtype, V * D);
    const counts = scaleByFreq ? new Float64Array(V) : null;
    if (counts) for (let i = 0; i < idx.length; i++) counts[idx[i]]++;
    for (let i = 0; i < idx.length; i++) {
      const row = idx[i];
      if (row === paddingIdx) continue;
      const s = counts ? 1 / counts[row] : 1;
      for (let j = 0, a = row * D, b = i * D; j < D; j++) gW[a + j] += G[b + j] * s;
    }
    return [null, fromNumbers(gW, weight.dims, weight.dtype)];
  });
}

/** PyTorch's embedding_renorm_: rows referenced by `idx` whose p-norm exceeds maxNorm are scaled to maxNorm (in place). */
function renorm(weight: Tensor, idx: FloatArray, maxNorm: number, p: number): void {
  const D = weight.dims[1];
  const W = Float64Array.from(toFloatArray(weight));
  let changed = false;
  for (const row of new Set(idx)) {
    let norm = 0;
    for (let j = 0; j < D; j++) {
      const v = Math.abs(W[row * D + j]);
      norm += p === Infinity ? 0 : v ** p;
      if (p === Infinity) norm = Math.max(norm, v);
    }
    norm = p === Infinity ? norm : norm ** (1 / p);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < D; j++) W[row * D + j] *= scale;
      changed = true;
    }
  }
  if (changed) assign(weight, fromNumbers(W, weight.dims, weight.dtype));
}
