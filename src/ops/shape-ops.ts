/** Shape ops: views that share storage (view, transpose, narrow, ...) and copies (contiguous, cat, gather). */
import { int64 } from "../tensor/dtype.ts";
import { contiguousStrides, inferShape, numelOf, viewStrides, wrapDim } from "../tensor/shape.ts";
import { Tensor } from "../tensor/tensor.ts";
import { computeArrayFor, copyRaw, fromNumbers, toFloatArray } from "./convert.ts";

/** Wraps a negative dim. */
export const wrap = wrapDim;

/** Accepts `f(2, 3)` and `f([2, 3])`. */
export function shapeArgs(args: number[] | [readonly number[]]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

function viewOf(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.storage, offset, [...shape], [...strides], t.dtype);
}

/** A view with a new shape; PyTorch's error when the strides do not allow one. */
export function view(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  const strides = viewStrides(t.dims, t.strides, target);
  if (!strides) {
    throw new Error("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  }
  const from = t.dims;
  return viewOf(t, target, strides, t.offset).withGrad("ViewBackward0", [t], (g) => [reshape(g, from)]);
}

/** A view when possible, otherwise a contiguous copy. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  return viewStrides(t.dims, t.strides, target) ? view(t, target) : view(contiguous(t), target);
}

/** Swaps two dims. */
export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const nd = t.dims.length;
  const order = t.dims.map((_, i) => i);
  const a = wrapDim(dim0, nd);
  const b = wrapDim(dim1, nd);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(t, order);
}

/** Reorders dims. */
export function permute(t: Tensor, order: readonly number[]): Tensor {
  const nd = t.dims.length;
  if (order.length !== nd) throw new RangeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${nd} is not equal to len(dims) = ${order.length}`);
  const o = order.map((d) => wrapDim(d, nd));
  if (new Set(o).size !== nd) throw new RangeError("permute(): duplicate dims are not allowed.");
  const inverse = o.map((_, i) => o.indexOf(i));
  return viewOf(t, o.map((d) => t.dims[d]), o.map((d) => t.strides[d]), t.offset).withGrad("PermuteBackward0", [t], (g) => [permute(g, inverse)]);
}

/** Elements start..start+length along dim. */
export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  const d = wrapDim(dim, t.dims.length);
  if (start < 0) start += t.dims[d];
  if (start < 0 || length < 0 || start + length > t.dims[d]) throw new RangeError(`start (${start}) + length (${length}) exceeds dimension size (${t.dims[d]}).`);
  const shape = [...t.dims];
  shape[d] = length;
  return viewOf(t, shape, t.strides, t.offset + start * t.strides[d]).withGrad("NarrowBackward0", [t], (g) => {
    const full = Tensor.empty(t.dims, g.dtype);
    narrow(full, d, start, length).copy_(g);
    return [full];
  });
}

/** Index along dim, removing the dim. */
export function select(t: Tensor, dim: number, index: number): Tensor {
  const d = wrapDim(dim, t.dims.length);
  const size = t.dims[d];
  if (index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size [${t.dims.join(", ")}] at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = t.dims.filter((_, k) => k !== d);
  const strides = t.strides.filter((_, k) => k !== d);
  return viewOf(t, shape, strides, t.offset + i * t.strides[d]).withGrad("SelectBackward0", [t], (g) => {
    const full = Tensor.empty(t.dims, g.dtype);
    select(full, d, i).copy_(g);
    return [full];
  });
}

/** Broadcast view. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  const nd = shape.length;
  if (nd < t.dims.length) throw new RangeError(`expand: the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${t.dims.length})`);
  const outShape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < nd; i++) {
    const j = i - (nd - t.dims.length);
    const cur = j >= 0 ? t.dims[j] : 1;
    const want = shape[i] === -1 ? cur : shape[i];
    if (j >= 0 && cur !== want && cur !== 1) {
      throw new RangeError(`The expanded size of the tensor (${want}) must match the existing size (${cur}) at non-singleton dimension ${i}.  Target sizes: [${shape.join(", ")}].  Tensor sizes: [${t.dims.join(", ")}]`);
    }
    outShape.push(want);
    strides.push(j >= 0 && cur === want ? t.strides[j] : 0);
  }
  const from = t.dims;
  return viewOf(t, outShape, strides, t.offset).withGrad("ExpandBackward0", [t], (g) => [g.sum(sumDims(outShape, from), true).reshape(from)]);
}

function sumDims(outShape: readonly number[], from: readonly number[]): number[] {
  const lead = outShape.length - from.length;
  const dims: number[] = [];
  for (let i = 0; i < outShape.length; i++) if (i < lead || (from[i - lead] === 1 && outShape[i] !== 1)) dims.push(i);
  return dims;
}

/** Flattens dims start..end. */
export function flatten(t: Tensor, startDim: number, endDim: number): Tensor {
  if (t.dims.length === 0) return reshape(t, [1]);
  const s = wrapDim(startDim, t.dims.length);
  const e = wrapDim(endDim, t.dims.length);
  if (s > e) throw new RangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  const shape = [...t.dims.slice(0, s), numelOf(t.dims.slice(s, e + 1)), ...t.dims.slice(e + 1)];
  return reshape(t, shape);
}

/** Removes size-1 dims (all or one). */
export function squeeze(t: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(t, t.dims.filter((d) => d !== 1));
  const d = wrapDim(dim, t.dims.length);
  return t.dims[d] === 1 ? reshape(t, t.dims.filter((_, i) => i !== d)) : t;
}

/** Inserts a size-1 dim. */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = wrapDim(dim, t.dims.length + 1);
  const shape = [...t.dims];
  shape.splice(d, 0, 1);
  return reshape(t, shape);
}

/** Splits into chunks of `size` along dim (views). */
export function split(t: Tensor, size: number, dim: number): Tensor[] {
  const d = wrapDim(dim, t.dims.length);
  const out: Tensor[] = [];
  for (let s = 0; s < t.dims[d]; s += size) out.push(narrow(t, d, s, Math.min(size, t.dims[d] - s)));
  return out;
}

/** A contiguous copy (differentiable). */
export function contiguous(t: Tensor): Tensor {
  return copyRaw(t).withGrad("CloneBackward0", [t], (g) => [g]);
}

/** A copy with its own storage, keeping strides contiguous (differentiable). */
export function clone(t: Tensor): Tensor {
  return contiguous(t);
}

/** Concatenates tensors along dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("torch.cat(): expected a non-empty list of Tensors");
  const parts = tensors.filter((t) => !(t.dims.length === 1 && t.dims[0] === 0));
  if (parts.length === 0) return tensors[0].clone();
  const first = parts[0];
  const d = wrapDim(dim, first.dims.length);
  const dtype = parts.reduce((acc, t) => (t.dtype.itemsize > acc.itemsize || (t.dtype.isFloatingPoint && !acc.isFloatingPoint) ? t.dtype : acc), first.dtype);
  tensors.forEach((t, k) => {
    if (!parts.includes(t)) return;
    if (t.dims.length !== first.dims.length) {
      throw new RangeError(`Tensors must have same number of dimensions: got ${first.dims.length} and ${t.dims.length}`);
    }
    const bad = t.dims.findIndex((s, i) => i !== d && s !== first.dims[i]);
    if (bad >= 0) {
      throw new RangeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${first.dims[bad]} but got size ${t.dims[bad]} for tensor number ${k} in the list.`);
    }
  });
  const shape = [...first.dims];
  shape[d] = parts.reduce((n, t) => n + t.dims[d], 0);
  const out = Tensor.empty(shape, dtype);
  let pos = 0;
  for (const t of parts) {
    narrow(out, d, pos, t.dims[d]).copy_(t);
    pos += t.dims[d];
  }
  const sizes = parts.map((t) => t.dims[d]);
  return out.withGrad("CatBackward0", parts, (g) => {
    let p = 0;
    return sizes.map((s) => {
      const piece = narrow(g, d, p, s).contiguous();
      p += s;
      return piece;
    });
  });
}

/** Stacks tensors of equal shape along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return cat(tensors.map((t) => unsqueeze(t, dim)), dim);
}

/** Selects slices along dim by an index tensor. */
export function indexSelect(t: Tensor, dim: number, index: Tensor): Tensor {
  const d = wrapDim(dim, t.dims.length);
  const idx = toFloatArray(index);
  const parts = Array.from(idx, (i) => narrow(t, d, i < 0 ? i + t.dims[d] : i, 1));
  if (parts.length === 0) {
    const shape = [...t.dims];
    shape[d] = 0;
    return Tensor.empty(shape, t.dtype);
  }
  return cat(parts, d);
}

/** out[i][j] = t[i][index[i][j]] along dim (for dim = last, the common case). */
export function gather(t: Tensor, dim: number, index: Tensor): Tensor {
  const d = wrapDim(dim, t.dims.length);
  if (index.dtype !== int64) throw new TypeError(`gather(): Expected dtype int64 for index, got ${index.dtype}`);
  const src = toFloatArray(t);
  const idx = toFloatArray(index);
  const shape = index.dims;
  const inStrides = contiguousStrides(t.dims);
  const outStrides = contiguousStrides(shape);
  const out = computeArrayFor(t.dtype, idx.length);
  const positions = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    let rem = k;
    let pos = 0;
    for (let a = 0; a < shape.length; a++) {
      const c = Math.floor(rem / outStrides[a]);
      rem -= c * outStrides[a];
      const v = a === d ? idx[k] : c;
      if (a === d && (v < 0 || v >= t.dims[d])) throw new RangeError(`index ${v} is out of bounds for dimension ${d} with size ${t.dims[d]}`);
      pos += v * inStrides[a];
    }
    positions[k] = pos;
    out[k] = src[pos];
  }
  return fromNumbers(out, shape, t.dtype).withGrad("GatherBackward0", [t], (g) => {
    const grad = computeArrayFor(g.dtype, t.numel());
    const gd = toFloatArray(g);
    for (let k = 0; k < positions.length; k++) grad[positions[k]] += gd[k];
    return [fromNumbers(grad, t.dims, g.dtype)];
  });
}
