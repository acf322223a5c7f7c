import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { Generator } from "../../src/tensor/random.ts";
import { DataLoader, type Dataset, defaultCollate, gatherRows, randomPermutation, TensorDataset } from "../../src/data/index.ts";

const range = (n: number, dtype = "float32") => torch.arange(0, n, 1, { dtype });

/** x[i] = [2 i, 2 i + 1], y[i] = i: a sample's identity can be read back from a batch. */
function numbered(n: number): TensorDataset {
  return new TensorDataset(range(2 * n).reshape(n, 2), range(n, "int64"));
}
const ids = (batch: Tensor[]) => batch[1].tolist() as number[];
const epoch = (loader: DataLoader<Tensor[], Tensor[]>) => [...loader].map(ids);

test("TensorDataset: views per sample, size checks, rows gathered into one new tensor", () => {
  const x = range(12).reshape(4, 3);
  const y = range(4, "int64");
  const data = new TensorDataset(x, y);
  assert.equal(data.length, 4);
  const [xi, yi] = data.getItem(2);
  assert.deepEqual(xi.tolist(), [6, 7, 8]);
  assert.equal(yi.item(), 2);
  assert.equal(xi.storage, x.storage, "samples are views");
  assert.deepEqual(data.getItem(-1)[1].tolist(), 3);
  assert.throws(() => data.getItem(4), /index 4 is out of bounds for dimension 0 with size 4/);
  assert.throws(() => new TensorDataset(x, range(5)), /Size mismatch between tensors/);
  const [bx, by] = data.getItems([3, 0, 3]);
  assert.deepEqual(bx.tolist(), [[9, 10, 11], [0, 1, 2], [9, 10, 11]]);
  assert.deepEqual(by.tolist(), [3, 0, 3]);
  assert.notEqual(bx.storage, x.storage);
  assert.equal(by.dtype, torch.int64);
  assert.throws(() => data.getItems([0, 7]), /index 7 is out of bounds/);
});

test("gatherRows handles non-contiguous sources and every dtype's bytes", () => {
  const t = range(12).reshape(3, 4).t(); // [4, 3], non-contiguous
  assert.deepEqual(gatherRows(t, [1, 3]).tolist(), [[1, 5, 9], [3, 7, 11]]);
  const big = Tensor.fromTypedArray(new BigInt64Array([2n ** 62n + 1n, -5n]), [2], torch.int64);
  assert.deepEqual(gatherRows(big, [1, 0]).toTypedArray(), new BigInt64Array([-5n, 2n ** 62n + 1n]));
  const half = torch.tensor([[0.5, 1.5], [2.5, -1]], { dtype: "float16" });
  assert.deepEqual(gatherRows(half, [1]).tolist(), [[2.5, -1]]);
});

test("batches in order, with a smaller last batch unless dropLast", () => {
  const data = numbered(10);
  const loader = new DataLoader(data, { batchSize: 4 });
  assert.equal(loader.length, 3);
  assert.deepEqual(epoch(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  const [first] = loader;
  assert.deepEqual(first[0].shape, torch.Size.fromArray([4, 2]));
  assert.deepEqual(first[0].tolist(), data.getItems([0, 1, 2, 3])[0].tolist());
  const dropping = new DataLoader(data, { batchSize: 4, dropLast: true });
  assert.equal(dropping.length, 2);
  assert.deepEqual(epoch(dropping), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.deepEqual(epoch(new DataLoader(data)).length, 10, "batchSize defaults to 1");
  assert.throws(() => new DataLoader(data, { batchSize: 0 }), /batch_size should be a positive integer value, but got batch_size=0/);
});

test("shuffling: each epoch a new permutation, reproducible from the generator's seed", () => {
  const data = numbered(50);
  const a = new DataLoader(data, { batchSize: 8, shuffle: true, generator: new Generator(7) });
  const b = new DataLoader(data, { batchSize: 8, shuffle: true, generator: new Generator(7) });
  const a1 = epoch(a).flat();
  const a2 = epoch(a).flat();
  assert.deepEqual([...a1].sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i), "a permutation");
  assert.notDeepEqual(a1, a2, "a new order each epoch");
  assert.notDeepEqual(a1, Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(epoch(b).flat(), a1);
  assert.deepEqual(epoch(b).flat(), a2);
  assert.deepEqual(Array.from(randomPermutation(50, new Generator(7))), a1, "the order is randomPermutation(n, generator)");
  assert.notDeepEqual(epoch(new DataLoader(data, { batchSize: 8, shuffle: true, generator: new Generator(8) })).flat(), a1);
});

test("without a generator, shuffling follows the global seed (torch.manualSeed)", () => {
  const data = numbered(30);
  const loader = new DataLoader(data, { batchSize: 5, shuffle: true });
  torch.manualSeed(123);
  const first = [epoch(loader).flat(), epoch(loader).flat()];
  torch.manualSeed(123);
  assert.deepEqual([epoch(loader).flat(), epoch(loader).flat()], first);
  assert.notDeepEqual(first[0], first[1]);
});

/** Runs `steps` batches (across epochs) and returns their ids. */
function take(loader: DataLoader<Tensor[], Tensor[]>, steps: number, iterators: { it?: Iterator<Tensor[]> }): number[][] {
  const out: number[][] = [];
  while (out.length < steps) {
    iterators.it ??= loader[Symbol.iterator]();
    const next = iterators.it.next();
    if (next.done) { iterators.it = undefined; continue; }
    out.push(ids(next.value));
  }
  return out;
}

test("a checkpoint mid-epoch restores the exact data order (own generator)", () => {
  const data = numbered(23);
  const make = (seed: number) => new DataLoader(data, { batchSize: 4, shuffle: true, generator: new Generator(seed) });
  const reference = make(1);
  const all = take(reference, 6 * 3, {}); // three epochs of 6 batches
  for (const at of [0, 1, 5, 6, 8, 13]) {
    const original = make(1);
    const state: { it?: Iterator<Tensor[]> } = {};
    assert.deepEqual(take(original, at, state), all.slice(0, at));
    const checkpoint = original.stateDict();
    assert.ok(checkpoint.generator_state instanceof Tensor && checkpoint.generator_state.dtype === torch.uint8);
    assert.equal(checkpoint.num_yielded, at % 6 === 0 && at > 0 ? 0 : at % 6);
    const resumed = make(999); // a different seed: the state decides
    resumed.loadStateDict(checkpoint);
    assert.deepEqual(resumed.stateDict().num_yielded, checkpoint.num_yielded);
    assert.deepEqual(take(resumed, all.length - at, {}), all.slice(at), `resumed after ${at} batches`);
  }
});

test("a checkpoint mid-epoch restores the exact data order (global generator + torch.getRngState)", () => {
  const data = numbered(17);
  const make = () => new DataLoader(data, { batchSize: 5, shuffle: true });
  torch.manualSeed(5);
  const all = take(make(), 4 * 3, {});
  torch.manualSeed(5);
  const original = make();
  take(original, 6, {});
  const checkpoint = { loader: original.stateDict(), rng: torch.getRngState() };
  assert.equal(checkpoint.loader.num_yielded, 2);
  torch.manualSeed(77); // the process restarts with another state
  const resumed = make();
  torch.setRngState(checkpoint.rng);
  resumed.loadStateDict(checkpoint.loader);
  assert.deepEqual(take(resumed, 6, {}), all.slice(6));
});

test("loadStateDict checks what it is given", () => {
  const loader = new DataLoader(numbered(10), { batchSize: 3, shuffle: true, generator: new Generator(0) });
  assert.throws(() => loader.loadStateDict({ generator_state: null, num_yielded: 5 }), /num_yielded must be an integer in \[0, 4\], got 5/);
  assert.throws(() => loader.loadStateDict({ generator_state: null, num_yielded: 2 }), /needs generator_state to resume mid-epoch/);
  assert.throws(() => loader.loadStateDict({ generator_state: torch.zeros(3, { dtype: "uint8" }), num_yielded: 1 }), /Generator state must be 2512 bytes, got 3/);
  const plain = new DataLoader(numbered(10), { batchSize: 3 });
  plain.loadStateDict({ generator_state: null, num_yielded: 3 });
  assert.deepEqual(epoch(plain), [[9]]);
  assert.deepEqual(epoch(plain).length, 4);
});

test("datasets without getItems are collated by defaultCollate (or a collateFn)", () => {
  const squares: Dataset<{ x: Tensor; label: number; name: string; pair: [number, boolean] }> = {
    length: 5,
    getItem: (i) => ({ x: torch.tensor([i, i * i], { dtype: "float32" }), label: i, name: `s${i}`, pair: [i / 2, i % 2 === 0] }),
  };
  const [batch] = new DataLoader(squares, { batchSize: 3 });
  assert.deepEqual(batch.x.tolist(), [[0, 0], [1, 1], [2, 4]]);
  assert.equal(batch.label.dtype, torch.int64);
  assert.deepEqual(batch.label.tolist(), [0, 1, 2]);
  assert.deepEqual(batch.name, ["s0", "s1", "s2"]);
  assert.equal(batch.pair[0].dtype, torch.float64);
  assert.deepEqual(batch.pair[0].tolist(), [0, 0.5, 1]);
  assert.deepEqual(batch.pair[1].tolist(), [true, false, true]);
  const custom = new DataLoader(squares, { batchSize: 2, collateFn: (samples) => samples.map((s) => s.name).join("+") });
  assert.deepEqual([...custom], ["s0+s1", "s2+s3", "s4"]);
  assert.throws(() => defaultCollate([torch.zeros(2), torch.zeros(3)]), /stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1/);
  const strided = defaultCollate([range(4).reshape(2, 2).t(), range(4).reshape(2, 2)]);
  assert.deepEqual(strided.tolist(), [[[0, 2], [1, 3]], [[0, 1], [2, 3]]]);
});

test("a TensorDataset epoch yields every row once, in batches gathered into one tensor", () => {
  const n = 10_000;
  const data = new TensorDataset(Tensor.empty([n, 3, 32, 32]), Tensor.empty([n], torch.int64));
  const loader = new DataLoader(data, { batchSize: 64, shuffle: true, generator: new Generator(0) });
  let rows = 0;
  for (const [x, y] of loader) rows += x.size(0) + 0 * y.size(0);
  assert.equal(rows, n);
  const [[x]] = new DataLoader(numbered(6), { batchSize: 6 });
  assert.deepEqual(x.tolist(), [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]);
});
