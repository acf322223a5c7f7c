/**
 * Training throughput of TheModelClass (the tutorial's CNN) on random 3x32x32 data, tsorch vs PyTorch, one thread each,
 * at batch sizes 4 (PyTorch's classifier tutorial) and 64. Prints samples/s and the ratio.
 *
 *   npm run bench:train            (BENCH_SECONDS=5 per measurement, BENCH_ROUNDS=3 alternating rounds)
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.ts";
import { F, optim } from "../src/index.ts";
import { TheModelClass } from "../examples/the-model-class.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BATCHES = [4, 64];

function tsorchThroughput(batch: number): number {
  torch.manualSeed(0);
  const model = new TheModelClass();
  const opt = new optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });
  const x = torch.randn(batch, 3, 32, 32);
  const y = torch.randint(0, 10, [batch]);
  const step = () => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  };
  for (let i = 0; i < 5; i++) step();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    step();
    n++;
  }
  return (n * batch) / ((performance.now() - start) / 1000);
}

function pytorchThroughput(): Record<string, number> {
  const script = join(dirname(fileURLToPath(import.meta.url)), "train_pytorch.py");
  const res = spawnSync(process.env.TSORCH_PYTHON ?? "/usr/bin/python3", [script, BATCHES.join(","), String(SECONDS)], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  if (res.status !== 0) throw new Error(`PyTorch benchmark failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as Record<string, number>;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map<number, { ts: number[]; pt: number[] }>(BATCHES.map((b) => [b, { ts: [], pt: [] }]));
// Alternate the two sides so that load from other processes on a shared machine hits both alike.
for (let round = 0; round < ROUNDS; round++) {
  const py = pytorchThroughput();
  for (const batch of BATCHES) {
    const r = results.get(batch)!;
    r.pt.push(py[String(batch)]);
    r.ts.push(tsorchThroughput(batch));
  }
}
console.log(`TheModelClass training throughput (SGD lr=0.001 momentum=0.9, random data, 1 thread; ${ROUNDS} alternating rounds of ${SECONDS}s; medians)`);
console.log("batch   tsorch samples/s   PyTorch samples/s   tsorch/PyTorch   per-round ratios");
for (const batch of BATCHES) {
  const { ts, pt } = results.get(batch)!;
  const ratios = ts.map((t, i) => t / pt[i]);
  console.log(
    `${String(batch).padStart(5)}   ${median(ts).toFixed(0).padStart(16)}   ${median(pt).toFixed(0).padStart(17)}   ${median(ratios).toFixed(2).padStart(13)}x   ${ratios.map((r) => r.toFixed(2)).join(" ")}`,
  );
}
