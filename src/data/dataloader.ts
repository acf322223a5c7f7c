/**
 * DataLoader (`torch.utils.data.DataLoader`, single process): batches of a dataset, optionally shuffled
 * by a seeded Generator, with a state dict that captures the data order mid-epoch for checkpoints.
 */
import { uint8 } from "../tensor/dtype.ts";
import { Generator, globalGenerator } from "../tensor/random.ts";
import { Tensor } from "../tensor/tensor.ts";
import { type Collated, defaultCollate } from "./collate.ts";
import type { Dataset } from "./dataset.ts";
import { randomPermutation, sequentialOrder } from "./sampler.ts";

/** Options of a DataLoader (PyTorch's keyword arguments, camelCased). */
export interface DataLoaderOptions<Sample, Batch> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /**
   * The generator each epoch's order is drawn from. Without one, every epoch seeds a fresh generator from
   * the global one (as PyTorch's RandomSampler does), so `torch.manualSeed` fixes the order.
   */
  generator?: Generator;
  /** Turns a list of samples into a batch (default: the dataset's `getItems` when it has one, else `defaultCollate`). */
  collateFn?: (samples: Sample[]) => Batch;
}

/**
 * Where a DataLoader is in its data order, for checkpoints. Keys are snake_case because checkpoints are
 * shared with Python; the generator state is a uint8 tensor like `torch.get_rng_state()`.
 */
export interface DataLoaderState {
  /**
   * The state of the generator the current epoch's order is (or the next epoch's order will be) drawn
   * from: `Generator.getState()` bytes. Null without shuffling, or between epochs when the order comes
   * from the global generator (whose state a checkpoint saves with `torch.getRngState()`).
   */
  generator_state: Tensor | null;
  /** Batches of the current epoch already yielded (0 between epochs). */
  num_yielded: number;
}

interface Epoch {
  /** Generator state before this epoch's order was drawn (null without shuffle). */
  startState: Uint8Array | null;
  /** Batches yielded so far. */
  numYielded: number;
  /** Set when the epoch ran to its end. */
  done: boolean;
}

/**
 * Iterates over a dataset in batches. Each `for...of` is one epoch; with `shuffle` each epoch draws a new
 * order. `stateDict()` taken mid-epoch and restored into a new loader with `loadStateDict()` resumes the
 * same order at the next batch.
 *
 * ```ts
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, generator: new Generator(0) });
 * for (const [inputs, targets] of loader) { ... }
 * ```
 */
export class DataLoader<Sample, Batch = Collated<Sample>> implements Iterable<Batch> {
  /** The dataset batches are drawn from. */
  readonly dataset: Dataset<Sample, unknown>;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch draws a random order. */
  readonly shuffle: boolean;
  /** Whether a smaller last batch is skipped. */
  readonly dropLast: boolean;
  /** The generator orders are drawn from (null: seeded from the global generator each epoch). */
  readonly generator: Generator | null;
  private readonly collateFn: ((samples: Sample[]) => Batch) | undefined;
  private current: Epoch | null = null;
  private resume: { state: Uint8Array | null; numYielded: number } | null = null;

  /** @param dataset the samples @param options batchSize, shuffle, dropLast, generator, collateFn */
  constructor(dataset: Dataset<Sample, unknown>, options: DataLoaderOptions<Sample, Batch> = {}) {
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? null;
    this.collateFn = options.collateFn;
  }

  /** The number of batches in an epoch (`len(loader)`). */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Iterates over one epoch (resuming an epoch restored by `loadStateDict`, if any). */
  *[Symbol.iterator](): Iterator<Batch> {
    const resume = this.resume;
    this.resume = null;
    let startState: Uint8Array | null = null;
    let order: Uint32Array;
    if (this.shuffle) {
      const generator = this.generator ?? new Generator();
      if (resume?.state) generator.setState(resume.state);
      else if (!this.generator) generator.manualSeed(seedFromGlobal());
      startState = generator.getState();
      order = randomPermutation(this.dataset.length, generator);
    } else {
      order = sequentialOrder(this.dataset.length);
    }
    const epoch: Epoch = { startState, numYielded: resume?.numYielded ?? 0, done: false };
    this.current = epoch;
    const batches = this.length;
    for (let b = epoch.numYielded; b < batches; b++) {
      const indices = Array.from(order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length)));
      const batch = this.fetch(indices);
      epoch.numYielded = b + 1;
      yield batch;
    }
    epoch.done = true;
  }

  /** The batch of the samples at `indices`. */
  private fetch(indices: number[]): Batch {
    if (this.collateFn) return this.collateFn(indices.map((i) => this.dataset.getItem(i)));
    if (this.dataset.getItems) return this.dataset.getItems(indices) as Batch;
    return defaultCollate(indices.map((i) => this.dataset.getItem(i))) as Batch;
  }

  /** Where the loader is in its data order (see DataLoaderState); save it with the model and optimizer. */
  stateDict(): DataLoaderState {
    if (this.resume) return { generator_state: this.resume.state ? stateTensor(this.resume.state) : null, num_yielded: this.resume.numYielded };
    const epoch = this.current;
    if (epoch && !epoch.done && epoch.numYielded < this.length) {
      return { generator_state: epoch.startState ? stateTensor(epoch.startState) : null, num_yielded: epoch.numYielded };
    }
    return { generator_state: this.shuffle && this.generator ? stateTensor(this.generator.getState()) : null, num_yielded: 0 };
  }

  /**
   * Restores a state from `stateDict()` (the generator state may also be given as raw bytes): the next
   * iteration resumes that epoch at the next batch, and later epochs follow the original order.
   */
  loadStateDict(state: { generator_state: Tensor | Uint8Array | null; num_yielded: number }): void {
    const n = state.num_yielded;
    if (!Number.isInteger(n) || n < 0 || n > this.length) throw new RangeError(`num_yielded must be an integer in [0, ${this.length}], got ${n}`);
    const g = state.generator_state;
    let bytes: Uint8Array | null = null;
    if (g !== null && g !== undefined) {
      bytes = g instanceof Tensor ? (g.contiguous().toTypedArray() as Uint8Array) : new Uint8Array(g);
      if (this.shuffle) new Generator().setState(bytes); // validates the size
    }
    if (this.shuffle && n > 0 && !bytes) throw new Error("a shuffled DataLoader needs generator_state to resume mid-epoch");
    if (this.shuffle && this.generator && bytes) this.generator.setState(bytes);
    this.current = null;
    this.resume = { state: this.shuffle ? bytes : null, numYielded: n };
  }
}

function stateTensor(state: Uint8Array): Tensor {
  return Tensor.fromTypedArray(state.slice(), [state.length], uint8);
}

/** A 63-bit seed drawn from the global generator (PyTorch draws `torch.empty((), dtype=torch.int64).random_()`). */
function seedFromGlobal(): bigint {
  const g = globalGenerator();
  const high = BigInt(g.nextUint32() & 0x7fffffff);
  return (high << 32n) | BigInt(g.nextUint32());
}
