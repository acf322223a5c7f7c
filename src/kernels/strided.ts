/** Strided copy loops: gather a strided view into a dense array and scatter a dense array into a view. */

/** Any indexable numeric array (typed arrays included). */
export type NumArray = { [i: number]: number; readonly length: number };

/**
 * Calls `visit(srcIndex, dstIndex)` for every element of a strided view, in row-major order.
 * The innermost dimension runs as a tight loop.
 */
function forEachOffset(offset: number, shape: readonly number[], strides: readonly number[], visitRow: (base: number, dst: number, len: number, step: number) => void): void {
  const nd = shape.length;
  if (nd === 0) {
    visitRow(offset, 0, 1, 1);
    return;
  }
  for (const d of shape) if (d === 0) return;
  const inner = shape[nd - 1];
  const innerStride = strides[nd - 1];
  const idx = new Array<number>(nd - 1).fill(0);
  let base = offset;
  let dst = 0;
  for (;;) {
    visitRow(base, dst, inner, innerStride);
    dst += inner;
    let d = nd - 2;
    while (d >= 0) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}

/** Copies the elements of a strided view of `src` into dense `dst` (row-major). */
export function gatherStrided(src: NumArray, offset: number, shape: readonly number[], strides: readonly number[], dst: NumArray): void {
  forEachOffset(offset, shape, strides, (base, d, len, step) => {
    if (step === 1) for (let i = 0; i < len; i++) dst[d + i] = src[base + i];
    else for (let i = 0; i < len; i++) dst[d + i] = src[base + i * step];
  });
}

/** Writes dense `src` (row-major) into a strided view of `dst`. */
export function scatterStrided(src: NumArray, dst: NumArray, offset: number, shape: readonly number[], strides: readonly number[]): void {
  forEachOffset(offset, shape, strides, (base, s, len, step) => {
    if (step === 1) for (let i = 0; i < len; i++) dst[base + i] = src[s + i];
    else for (let i = 0; i < len; i++) dst[base + i * step] = src[s + i];
  });
}

/** Same as gatherStrided for bigint arrays (int64 storages). */
export function gatherStridedBig(src: BigInt64Array, offset: number, shape: readonly number[], strides: readonly number[], dst: BigInt64Array): void {
  forEachOffset(offset, shape, strides, (base, d, len, step) => {
    for (let i = 0; i < len; i++) dst[d + i] = src[base + i * step];
  });
}

/** Same as scatterStrided for bigint arrays. */
export function scatterStridedBig(src: BigInt64Array, dst: BigInt64Array, offset: number, shape: readonly number[], strides: readonly number[]): void {
  forEachOffset(offset, shape, strides, (base, s, len, step) => {
    for (let i = 0; i < len; i++) dst[base + i * step] = src[s + i];
  });
}
