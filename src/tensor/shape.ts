/** Shape arithmetic: contiguous strides, broadcasting, dimension wrapping, view-stride computation. */

/** Row-major strides for a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i], 1);
  }
  return strides;
}

/** Product of dimensions. */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Wraps a possibly negative dim into [0, ndim), PyTorch's IndexError text when out of range. */
export function wrapDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** The broadcast shape of two shapes, or PyTorch's error. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves one -1 in a requested view shape, checking the element count. */
export function inferShape(shape: readonly number[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new RangeError("only one dimension can be inferred");
      infer = i;
    } else if (d < 0 || !Number.isInteger(d)) {
      throw new RangeError(`invalid shape dimension ${d}`);
    } else known *= d;
  });
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) throw new RangeError(`shape '[${shape.join(", ")}]' is invalid for input of size ${numel}`);
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new RangeError(`shape '[${shape.join(", ")}]' is invalid for input of size ${numel}`);
  }
  return out;
}

/**
 * Strides for viewing (oldShape, oldStrides) as newShape without copying, or null when impossible
 * (a port of ATen's computeStride).
 */
export function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(oldShape);
  if (numel === 0) return contiguousStrides(newShape);
  if (oldShape.length === 0) return newShape.map(() => 1);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides.length ? oldStrides[oldStrides.length - 1] : 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD];
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
