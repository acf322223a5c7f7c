/** Datasets (`torch.utils.data.Dataset`, `TensorDataset`): indexable collections of samples. */
import { Tensor } from "../tensor/tensor.ts";
import { checkIndex, gatherRows } from "./collate.ts";

/**
 * A map-style dataset: `length` samples, fetched by index (Python's `__len__` and `__getitem__`).
 * `getItems` (Python's `__getitems__`) is optional: when present, a DataLoader fetches whole batches with it
 * instead of collating `getItem` results one by one.
 */
export interface Dataset<Sample, Batch = unknown> {
  /** The number of samples (`len(dataset)`). */
  readonly length: number;
  /** The sample at `index` (`dataset[index]`). */
  getItem(index: number): Sample;
  /** A ready-made batch of the samples at `indices` (optional fast path). */
  getItems?(indices: readonly number[]): Batch;
}

/**
 * Wraps tensors that share their first dimension: sample `i` is `[t0[i], t1[i], ...]` (views), and batches
 * are gathered row by row into one preallocated tensor per input tensor.
 *
 * ```ts
 * const data = new TensorDataset(images, labels); // images [N, 3, 32, 32], labels [N]
 * const [x, y] = data.getItem(0);                  // x [3, 32, 32], y []
 * ```
 */
export class TensorDataset implements Dataset<Tensor[], Tensor[]> {
  /** The wrapped tensors. */
  readonly tensors: readonly Tensor[];

  /** @param tensors one or more tensors with the same size in dimension 0 */
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new TypeError("TensorDataset needs at least one tensor");
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset expects tensors, got ${typeof t}`);
      if (t.dim() === 0) throw new RangeError("TensorDataset tensors need a first dimension to index; got a 0-d tensor");
      if (t.size(0) !== tensors[0].size(0)) throw new RangeError(`Size mismatch between tensors: ${tensors.map((x) => x.dim() ? x.size(0) : "0-d").join(" vs ")} in dimension 0`);
    }
    this.tensors = tensors;
  }

  /** The number of samples (the size of dimension 0). */
  get length(): number {
    return this.tensors[0].size(0);
  }

  /** `[t0[index], t1[index], ...]`, views of the wrapped tensors (negative indices count from the end). */
  getItem(index: number): Tensor[] {
    const row = checkIndex(index, this.length); // `tensor[index]` in PyTorch: its IndexError text, not select()'s
    return this.tensors.map((t) => t.detach().select(0, row));
  }

  /** One new tensor per wrapped tensor holding the rows at `indices`, in that order. */
  getItems(indices: readonly number[]): Tensor[] {
    return this.tensors.map((t) => gatherRows(t, indices));
  }
}
