/**
 * Tensor: a view (offset, shape, strides, dtype) of a Storage, with autograd bookkeeping.
 * Math lives in src/ops; this class holds the data model, views and thin method wrappers.
 */
import { Node } from "../autograd/node.ts";
import { runBackward } from "../autograd/backward.ts";
import { isGradEnabled } from "../autograd/grad-mode.ts";
import { pyReprSymbol } from "../python/repr.ts";
import { CPU, Device, type DeviceLike, toDevice } from "./device.ts";
import { type DType, type DTypeLike, float32, typedArrayFor, type StorageArray, toDType } from "./dtype.ts";
import { contiguousStrides, numelOf } from "./shape.ts";
import { Size } from "./size.ts";
import { Storage } from "./storage.ts";
import { formatTensor } from "./format.ts";
import * as E from "../ops/elementwise.ts";
import * as R from "../ops/reduce.ts";
import * as S from "../ops/shape-ops.ts";
import * as M from "../ops/matmul.ts";
import * as A from "../ops/activation.ts";
import * as C from "../ops/convert.ts";
import * as I from "../ops/inplace.ts";

/** A number or a tensor, as accepted by arithmetic ops. */
export type TensorOrScalar = Tensor | number;

/** Options of `Tensor.to`. */
export interface ToOptions {
  dtype?: DTypeLike;
  device?: DeviceLike;
  /** Always return a new tensor, even when nothing changes. */
  copy?: boolean;
}

/** A multi-dimensional array with PyTorch's semantics. Create one with `torch.tensor`, `torch.zeros`, ... */
export class Tensor {
  /** The accumulated gradient (leaf tensors that require grad, after backward). */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  gradFn: Node | null = null;
  private _requiresGrad = false;

  /** @internal build tensors with the creation functions or `Tensor.fromStorage`. */
  constructor(
    /** The shared bytes. */
    readonly storage: Storage,
    /** Offset of the first element, in elements of `dtype`. */
    readonly offset: number,
    /** Dimension lengths. */
    readonly dims: readonly number[],
    /** Strides, in elements. */
    readonly strides: readonly number[],
    /** Element type. */
    readonly dtype: DType,
  ) {}

  /** A tensor viewing `storage` (no copy). Strides default to contiguous. */
  static fromStorage(storage: Storage, dtype: DType, shape: readonly number[], strides?: readonly number[], offset = 0): Tensor {
    return new Tensor(storage, offset, [...shape], strides ? [...strides] : contiguousStrides(shape), dtype);
  }

  /** A fresh zero-filled contiguous tensor. */
  static empty(shape: readonly number[], dtype: DType = float32, device: Device = CPU): Tensor {
    const n = numelOf(shape);
    return Tensor.fromStorage(Storage.allocate(n * dtype.itemsize, device), dtype, shape);
  }

  /** Wraps a typed array of the dtype's storage type as a contiguous tensor (no copy). */
  static fromTypedArray(data: StorageArray, shape: readonly number[], dtype: DType): Tensor {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return Tensor.fromStorage(Storage.fromBytes(bytes), dtype, shape);
  }

  // ---- metadata -------------------------------------------------------------------------------

  /** The shape as a torch.Size. */
  get shape(): Size {
    return Size.fromArray(this.dims);
  }
  /** The shape, or one dimension's length. */
  size(): Size;
  size(dim: number): number;
  size(dim?: number): Size | number {
    return dim === undefined ? this.shape : this.dims[S.wrap(dim, this.dims.length)];
  }
  /** The strides, or one dimension's stride. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? [...this.strides] : this.strides[S.wrap(dim, this.dims.length)];
  }
  /** Number of dimensions. */
  dim(): number {
    return this.dims.length;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.dims.length;
  }
  /** Number of elements. */
  numel(): number {
    return numelOf(this.dims);
  }
  /** Offset of the first element in the storage, in elements. */
  storageOffset(): number {
    return this.offset;
  }
  /** Bytes per element. */
  elementSize(): number {
    return this.dtype.itemsize;
  }
  /** The device of the storage. */
  get device(): Device {
    return this.storage.device;
  }
  /** True on the meta device. */
  get isMeta(): boolean {
    return this.storage.isMeta;
  }
  /** An identity for the address of the first element (equal for tensors sharing storage and offset). */
  dataPtr(): number {
    return this.storage.id * 2 ** 32 + this.offset * this.dtype.itemsize;
  }
  /** True when elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.dims.length - 1; i >= 0; i--) {
      if (this.dims[i] === 1) continue;
      if (this.strides[i] !== expected) return false;
      expected *= this.dims[i];
    }
    return true;
  }
  /** True for floating-point dtypes. */
  isFloatingPoint(): boolean {
    return this.dtype.isFloatingPoint;
  }

  // ---- autograd ---------------------------------------------------------------------------------

  /** Whether operations on this tensor are recorded for backward. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(value: boolean) {
    if (value && !this.dtype.isFloatingPoint) {
      throw new Error("only Tensors of floating point dtype can require gradients");
    }
    if (!value && this.gradFn) {
      throw new Error("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    }
    this._requiresGrad = value;
  }
  /** Sets requiresGrad in place and returns this (like `requires_grad_()`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** Keeps `.grad` for this non-leaf tensor during backward. */
  retainGrad(): void {
    if (this.gradFn) this.gradFn.retained = this;
  }
  /**
   * Computes gradients of this tensor w.r.t. graph leaves. Scalars need no `gradient`; other tensors
   * need one of the same shape.
   */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) throw new Error("element 0 of tensors does not require grad and does not have a grad_fn");
    let g = gradient;
    if (!g) {
      if (this.numel() !== 1) throw new Error("grad can be implicitly created only for scalar outputs");
      g = C.onesLike(this);
    }
    runBackward(this, g, options.retainGraph ?? false);
  }
  /** A tensor sharing storage with this one, outside the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.offset, this.dims, this.strides, this.dtype);
  }
  /** Detaches in place: becomes a leaf that does not require grad. */
  detach_(): this {
    this.gradFn = null;
    this._requiresGrad = false;
    return this;
  }
  /** The tensor's data outside the graph (alias of detach(), like `.data`). */
  get data(): Tensor {
    return this.detach();
  }
  /** @internal records `node` as this tensor's producer when grad mode is on and an input requires grad. */
  withGrad(name: string, inputs: readonly (Tensor | null)[], backward: (g: Tensor) => (Tensor | null)[]): Tensor {
    if (isGradEnabled() && inputs.some((t) => t?.requiresGrad)) {
      this._requiresGrad = true;
      this.gradFn = new Node(name, inputs, backward);
    }
    return this;
  }

  // ---- data access ------------------------------------------------------------------------------

  /** The whole storage as a typed array of this dtype (float16/bfloat16: raw Uint16 words). */
  storageArray(): StorageArray {
    const bytes = this.storage.bytes;
    if (!bytes) throw new Error(`Cannot access data of a tensor on the meta device`);
    return typedArrayFor(this.dtype, bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / this.dtype.itemsize));
  }
  /** The elements in row-major order as numbers (a view when contiguous float32/float64, else a copy). */
  toArray(): Float32Array | Float64Array {
    return C.toFloatArray(this);
  }
  /** The elements in row-major order in this dtype's typed array (always a fresh copy). */
  toTypedArray(): StorageArray {
    return C.toStorageArray(this.contiguous()).slice();
  }
  /** The value of a one-element tensor (bigint-free: int64 becomes a number). */
  item(): number | boolean {
    if (this.numel() !== 1) throw new Error("only one element tensors can be converted to Python scalars");
    const v = C.toFloatArray(this)[0];
    return this.dtype.name === "bool" ? v !== 0 : v;
  }
  /** Nested arrays of numbers (booleans for bool tensors), like `tolist()`. */
  tolist(): unknown {
    return C.toList(this);
  }
  /** PyTorch-like print: `tensor([[1., 2.], [3., 4.]])`. */
  toString(): string {
    return formatTensor(this);
  }
  /** Python repr (same as toString). */
  [pyReprSymbol](): string {
    return formatTensor(this);
  }
  /** Node's util.inspect prints the PyTorch form. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }

  // ---- conversion ---------------------------------------------------------------------------------

  /** Converts dtype and/or device (`to("float64")`, `to("meta")`, `to({ dtype, device })`). */
  to(target: DTypeLike | DeviceLike | Device | ToOptions): Tensor {
    return C.to(this, target);
  }
  /** A contiguous tensor with the same values (this tensor when already contiguous). */
  contiguous(): Tensor {
    return this.isContiguous() ? this : S.contiguous(this);
  }
  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    return S.clone(this);
  }
  /** `to(torch.float32)`. */
  float(): Tensor {
    return this.to("float32");
  }
  /** `to(torch.float64)`. */
  double(): Tensor {
    return this.to("float64");
  }
  /** `to(torch.float16)`. */
  half(): Tensor {
    return this.to("float16");
  }
  /** `to(torch.int64)`. */
  long(): Tensor {
    return this.to("int64");
  }
  /** `to(torch.int32)`. */
  int(): Tensor {
    return this.to("int32");
  }
  /** `to(torch.bool)`. */
  bool(): Tensor {
    return this.to("bool");
  }
  /** `to("cpu")`. */
  cpu(): Tensor {
    return this.to(CPU);
  }
  /** Casts to the dtype of `other`. */
  typeAs(other: Tensor): Tensor {
    return this.to(other.dtype);
  }

  // ---- views ----------------------------------------------------------------------------------

  /** A view with a new shape (one dim may be -1); throws when strides do not allow it. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return S.view(this, S.shapeArgs(shape));
  }
  /** A view with the shape of `other`. */
  viewAs(other: Tensor): Tensor {
    return S.view(this, other.dims);
  }
  /** A view when possible, else a contiguous copy, with a new shape. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return S.reshape(this, S.shapeArgs(shape));
  }
  /** Swaps two dimensions (a view). */
  transpose(dim0: number, dim1: number): Tensor {
    return S.transpose(this, dim0, dim1);
  }
  /** Transpose of a matrix (dims 0 and 1; 0-d and 1-d tensors are returned as they are). */
  t(): Tensor {
    return this.dims.length < 2 ? this : S.transpose(this, 0, 1);
  }
  /** Transpose of a matrix (`.T`). */
  get T(): Tensor {
    return S.permute(this, this.dims.map((_, i) => this.dims.length - 1 - i));
  }
  /** Reorders dimensions (a view). */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return S.permute(this, S.shapeArgs(dims));
  }
  /** Elements start..start+length along dim (a view). */
  narrow(dim: number, start: number, length: number): Tensor {
    return S.narrow(this, dim, start, length);
  }
  /** Index `index` along `dim`, removing that dim (a view). */
  select(dim: number, index: number): Tensor {
    return S.select(this, dim, index);
  }
  /** Broadcasts singleton dims to a larger shape (a view; -1 keeps a dim). */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return S.expand(this, S.shapeArgs(shape));
  }
  /** Expands to the shape of `other`. */
  expandAs(other: Tensor): Tensor {
    return S.expand(this, other.dims);
  }
  /** Flattens dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return S.flatten(this, startDim, endDim);
  }
  /** Removes dims of size 1 (all, or the given one). */
  squeeze(dim?: number): Tensor {
    return S.squeeze(this, dim);
  }
  /** Inserts a dim of size 1. */
  unsqueeze(dim: number): Tensor {
    return S.unsqueeze(this, dim);
  }
  /** Splits a tensor into chunks of `size` along `dim` (views). */
  split(size: number, dim = 0): Tensor[] {
    return S.split(this, size, dim);
  }
  /** Splits into `chunks` nearly equal parts along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return S.split(this, Math.ceil(this.size(dim) / chunks), dim);
  }
  /** Selects entries along `dim` by an int64 index tensor (a copy). */
  indexSelect(dim: number, index: Tensor): Tensor {
    return S.indexSelect(this, dim, index);
  }
  /** Gathers values along `dim` at `index` positions. */
  gather(dim: number, index: Tensor): Tensor {
    return S.gather(this, dim, index);
  }

  // ---- arithmetic -------------------------------------------------------------------------------

  /** this + alpha * other, broadcasting. */
  add(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return E.add(this, other, options?.alpha);
  }
  /** this - alpha * other, broadcasting. */
  sub(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return E.sub(this, other, options?.alpha);
  }
  /** Element-wise product, broadcasting. */
  mul(other: TensorOrScalar): Tensor {
    return E.mul(this, other);
  }
  /** Element-wise true division, broadcasting. */
  div(other: TensorOrScalar): Tensor {
    return E.div(this, other);
  }
  /** Element-wise power. */
  pow(exponent: TensorOrScalar): Tensor {
    return E.pow(this, exponent);
  }
  /** -this. */
  neg(): Tensor {
    return E.neg(this);
  }
  /** e^x. */
  exp(): Tensor {
    return E.exp(this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return E.log(this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  /** 1 / sqrt(x). */
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  /** x * x. */
  square(): Tensor {
    return E.mul(this, this);
  }
  /** |x|. */
  abs(): Tensor {
    return E.abs(this);
  }
  /** 1 / x. */
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  /** Clamps into [min, max] (either may be undefined). */
  clamp(min?: number, max?: number): Tensor {
    return E.clamp(this, min, max);
  }
  /** Element-wise maximum of two tensors. */
  maximum(other: Tensor): Tensor {
    return E.maximum(this, other);
  }
  /** Element-wise minimum of two tensors. */
  minimum(other: Tensor): Tensor {
    return E.minimum(this, other);
  }
  /** Element-wise == (bool tensor). */
  eq(other: TensorOrScalar): Tensor {
    return E.compare(this, other, "eq");
  }
  /** Element-wise != (bool tensor). */
  ne(other: TensorOrScalar): Tensor {
    return E.compare(this, other, "ne");
  }
  /** Element-wise < (bool tensor). */
  lt(other: TensorOrScalar): Tensor {
    return E.compare(this, other, "lt");
  }
  /** Element-wise <= (bool tensor). */
  le(other: TensorOrScalar): Tensor {
    return E.compare(this, other, "le");
  }
  /** Element-wise > (bool tensor). */
  gt(other: TensorOrScalar): Tensor {
    return E.compare(this, other, "gt");
  }
  /** Element-wise >= (bool tensor). */
  ge(other: TensorOrScalar): Tensor {
    return E.compare(this, other, "ge");
  }
  /** True when every element equals the other's (same shape required). */
  equal(other: Tensor): boolean {
    return this.dims.length === other.dims.length && this.dims.every((d, i) => d === other.dims[i]) && E.compare(this, other, "eq").all();
  }
  /** True when every element is within atol + rtol * |other| of the other's. */
  allclose(other: Tensor, options: { rtol?: number; atol?: number } = {}): boolean {
    return E.allclose(this, other, options.rtol ?? 1e-5, options.atol ?? 1e-8);
  }
  /** Matrix product with PyTorch's matmul broadcasting rules. */
  matmul(other: Tensor): Tensor {
    return M.matmul(this, other);
  }
  /** 2-D matrix product. */
  mm(other: Tensor): Tensor {
    return M.matmul(this, other);
  }

  // ---- reductions -------------------------------------------------------------------------------

  /** Sum of all elements, or over `dim` (a number or list). */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return R.sum(this, dim, keepdim);
  }
  /** Mean of all elements, or over `dim`. */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }
  /** Variance (Bessel-corrected unless `unbiased` is false). */
  var(dim?: number | number[], options: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return R.variance(this, dim, options.unbiased ?? true, options.keepdim ?? false);
  }
  /** Maximum of all elements (no dim), or `{ values, indices }` over `dim`. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? R.maxAll(this) : R.maxDim(this, dim, keepdim);
  }
  /** Minimum of all elements (no dim), or `{ values, indices }` over `dim`. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? R.minAll(this) : R.minDim(this, dim, keepdim);
  }
  /** Index of the maximum (flattened, or along `dim`). */
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argmax(this, dim, keepdim);
  }
  /** Index of the minimum (flattened, or along `dim`). */
  argmin(dim?: number, keepdim = false): Tensor {
    return R.argmin(this, dim, keepdim);
  }
  /** True when every element is non-zero. */
  all(): boolean {
    return R.all(this);
  }
  /** True when any element is non-zero. */
  any(): boolean {
    return R.any(this);
  }

  // ---- activations ----------------------------------------------------------------------------

  /** max(x, 0). */
  relu(): Tensor {
    return A.relu(this);
  }
  /** 1 / (1 + e^-x). */
  sigmoid(): Tensor {
    return A.sigmoid(this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return A.tanh(this);
  }
  /** Softmax over `dim`. */
  softmax(dim: number): Tensor {
    return A.softmax(this, dim);
  }
  /** Log-softmax over `dim`. */
  logSoftmax(dim: number): Tensor {
    return A.logSoftmax(this, dim);
  }

  // ---- in-place (never recorded by autograd) -----------------------------------------------

  /** Copies `src` (broadcast, cast) into this tensor's memory. */
  copy_(src: Tensor): this {
    I.copyInto(this, src);
    return this;
  }
  /** Fills with a value. */
  fill_(value: number): this {
    I.fillInto(this, value);
    return this;
  }
  /** Fills with zeros. */
  zero_(): this {
    return this.fill_(0);
  }
  /** this += alpha * other. */
  add_(other: TensorOrScalar, options?: { alpha?: number }): this {
    I.assign(this, E.add(this.detachIfGrad(), other, options?.alpha));
    return this;
  }
  /** this -= alpha * other. */
  sub_(other: TensorOrScalar, options?: { alpha?: number }): this {
    I.assign(this, E.sub(this.detachIfGrad(), other, options?.alpha));
    return this;
  }
  /** this *= other. */
  mul_(other: TensorOrScalar): this {
    I.assign(this, E.mul(this.detachIfGrad(), other));
    return this;
  }
  /** this /= other. */
  div_(other: TensorOrScalar): this {
    I.assign(this, E.div(this.detachIfGrad(), other));
    return this;
  }
  /** this += value * t1 * t2. */
  addcmul_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    I.assign(this, E.addcmul(this.detachIfGrad(), t1, t2, options?.value ?? 1));
    return this;
  }
  /** this += value * t1 / t2. */
  addcdiv_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    I.assign(this, E.addcdiv(this.detachIfGrad(), t1, t2, options?.value ?? 1));
    return this;
  }
  /** this += weight * (end - this). */
  lerp_(end: Tensor, weight: number): this {
    I.assign(this, E.add(this.detachIfGrad(), E.sub(end, this.detachIfGrad()), weight));
    return this;
  }
  /** Element-wise sqrt in place. */
  sqrt_(): this {
    I.assign(this, E.sqrt(this.detachIfGrad()));
    return this;
  }
  /** Clamps in place. */
  clamp_(min?: number, max?: number): this {
    I.assign(this, E.clamp(this.detachIfGrad(), min, max));
    return this;
  }
  /** Element-wise maximum with `other`, in place. */
  maximum_(other: Tensor): this {
    I.assign(this, E.maximum(this.detachIfGrad(), other));
    return this;
  }
  /** Fills with samples of U(low, high) from the global generator. */
  uniform_(low = 0, high = 1): this {
    I.uniformInto(this, low, high);
    return this;
  }
  /** Fills with samples of N(mean, std) from the global generator. */
  normal_(mean = 0, std = 1): this {
    I.normalInto(this, mean, std);
    return this;
  }

  private detachIfGrad(): Tensor {
    I.checkInPlace(this);
    return this.detach();
  }
}
