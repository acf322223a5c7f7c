/** Element-wise loops over broadcast operands. */
import type { NumArray } from "./strided.ts";

/** Strides (in elements) of a contiguous array of `shape` broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const nd = outShape.length;
  const strides = new Array<number>(nd).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = nd - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * out[i] = f(a[ia], b[ib]) over the broadcast shape; a and b are dense row-major arrays of their own shapes.
 * Fast paths: equal shapes, and a scalar operand.
 */
export function binaryBroadcast(
  a: NumArray, aShape: readonly number[], b: NumArray, bShape: readonly number[],
  out: NumArray, outShape: readonly number[], f: (x: number, y: number) => number,
): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1 && a.length === n) {
    const y = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], y);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const x = a[0];
    for (let i = 0; i < n; i++) out[i] = f(x, b[i]);
    return;
  }
  const nd = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(nd).fill(0);
  const inner = nd ? outShape[nd - 1] : 1;
  const ia0 = nd ? sa[nd - 1] : 0;
  const ib0 = nd ? sb[nd - 1] : 0;
  let pa = 0;
  let pb = 0;
  for (let o = 0; o < n; ) {
    for (let i = 0, qa = pa, qb = pb; i < inner; i++, qa += ia0, qb += ib0) out[o++] = f(a[qa], b[qb]);
    let d = nd - 2;
    while (d >= 0) {
      idx[d]++;
      pa += sa[d];
      pb += sb[d];
      if (idx[d] < outShape[d]) break;
      pa -= sa[d] * outShape[d];
      pb -= sb[d] * outShape[d];
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
}

/**
 * Sums a dense array of `shape` down to `target` (a shape it was broadcast from): the reverse of broadcasting,
 * used by gradients of broadcasting ops.
 */
export function reduceToShape(src: NumArray, shape: readonly number[], target: readonly number[], out: NumArray): void {
  const strides = broadcastStrides(target, shape);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = 0;
  for (let i = 0; i < out.length; i++) out[i] = 0;
  for (let i = 0; i < src.length; i++) {
    out[p] += src[i];
    let d = nd - 1;
    while (d >= 0) {
      idx[d]++;
      p += strides[d];
      if (idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
      d--;
    }
  }
}
