/** Sampling orders: the identity, and seeded random permutations (what `RandomSampler` draws each epoch). */
import { Generator } from "../tensor/random.ts";

/** 0, 1, ..., n-1. */
export function sequentialOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates, drawing from `generator` as `torch.randperm` does here). */
export function randomPermutation(n: number, generator: Generator): Uint32Array {
  const order = sequentialOrder(n);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.randint(0, i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
