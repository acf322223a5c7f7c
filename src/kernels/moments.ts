/** Per-row mean and reciprocal standard deviation (the statistics behind layer norm and group norm). */
import type { NumArray } from "./strided.ts";

/**
 * For each of `rows` contiguous rows of length `D` in `X`: the mean and 1 / sqrt(biased variance + eps),
 * accumulated in float64 (two passes, as PyTorch's CPU kernels do for stability).
 */
export function rowMoments(X: NumArray, rows: number, D: number, eps: number): { mean: Float64Array; rstd: Float64Array } {
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * D;
    let s = 0;
    for (let i = 0; i < D; i++) s += X[base + i];
    const m = s / D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (X[base + i] - m) * (X[base + i] - m);
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(v / D + eps);
  }
  return { mean, rstd };
}
