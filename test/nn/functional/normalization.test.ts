import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../src/index.ts";
import * as F from "../../../src/nn/functional.ts";
import { requireTorch } from "../../helpers/pytorch.ts";
import { checkCases, checkErrors, type OpCase } from "./oracle.ts";

function bnCase(name: string, shape: number[], options: { training: boolean; momentum?: number; eps?: number; affine?: boolean; stats?: boolean }): OpCase {
  const C = shape[1];
  const x = torch.randn(shape).mul(2).add(0.5);
  const rm = options.stats === false ? null : torch.randn(C).mul(0.1);
  const rv = options.stats === false ? null : torch.rand(C).add(0.5);
  const affine = options.affine ?? true;
  const w = affine ? torch.randn(C) : null;
  const b = affine ? torch.randn(C) : null;
  const opts = { training: options.training, momentum: options.momentum ?? 0.1, eps: options.eps ?? 1e-5 };
  return {
    name, op: "batch_norm", args: [x, rm, rv, w, b], kwargs: opts,
    grad: affine ? [0, 3, 4] : [0],
    inspect: rm ? [1, 2] : [],
    run: (t) => F.batchNorm(t[0], t[1] ?? null, t[2] ?? null, t[3] ?? null, t[4] ?? null, opts),
  };
}

test("batchNorm matches PyTorch in training (running stats updated in place) and evaluation", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(6);
  checkCases([
    bnCase("train 4-D", [4, 3, 5, 5], { training: true }),
    bnCase("train 2-D", [8, 5], { training: true }),
    bnCase("train 3-D", [4, 3, 7], { training: true, momentum: 0.3 }),
    bnCase("train momentum 1 (cumulative factor)", [3, 2, 4, 4], { training: true, momentum: 1 }),
    bnCase("train without affine", [4, 3, 5, 5], { training: true, affine: false }),
    bnCase("train without running stats", [4, 3, 5, 5], { training: true, stats: false }),
    bnCase("train eps 1e-3", [2, 4, 3, 3], { training: true, eps: 1e-3 }),
    bnCase("eval 4-D", [4, 3, 5, 5], { training: false }),
    bnCase("eval 2-D without affine", [6, 5], { training: false, affine: false }),
    bnCase("eval 3-D", [2, 3, 6], { training: false }),
  ]);
});

test("layerNorm and groupNorm match PyTorch", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(7);
  const cases: OpCase[] = [];
  for (const [shape, ns] of [[[4, 10], [10]], [[2, 3, 8], [8]], [[2, 3, 4, 5], [4, 5]], [[3, 2, 4], [2, 4]]] as [number[], number[]][]) {
    const x = torch.randn(shape).mul(3).add(1);
    const w = torch.randn(ns);
    const b = torch.randn(ns);
    cases.push({ name: `layerNorm ${shape} over ${ns}`, op: "layer_norm", args: [x, ns, w, b], grad: [0, 2, 3], run: (a) => F.layerNorm(a[0], ns, a[2], a[3]) });
    cases.push({ name: `layerNorm ${shape} over ${ns} no affine, eps 1e-3`, op: "layer_norm", args: [x, ns, null, null, 1e-3], grad: [0], run: (a) => F.layerNorm(a[0], ns, null, null, 1e-3) });
  }
  for (const [shape, groups] of [[[2, 6, 4, 4], 3], [[3, 4, 5], 2], [[2, 6], 2], [[2, 4, 3, 3], 1]] as [number[], number][]) {
    const x = torch.randn(shape).mul(2);
    const C = shape[1];
    cases.push({ name: `groupNorm ${shape} in ${groups}`, op: "group_norm", args: [x, groups, torch.randn(C), torch.randn(C)], grad: [0, 2, 3], run: (a) => F.groupNorm(a[0], groups, a[2], a[3]) });
    cases.push({ name: `groupNorm ${shape} in ${groups} no affine`, op: "group_norm", args: [x, groups], grad: [0], run: (a) => F.groupNorm(a[0], groups) });
  }
  checkCases(cases);
});

test("normalization errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const x = torch.randn(4, 3);
  checkErrors([
    { name: "bn one value per channel", op: "batch_norm", args: [torch.randn(1, 3), torch.zeros(3), torch.ones(3)], kwargs: { training: true }, run: () => F.batchNorm(torch.randn(1, 3), torch.zeros(3), torch.ones(3), null, null, { training: true }) },
    { name: "bn one value per channel 3-D", op: "batch_norm", args: [torch.randn(1, 3, 1), torch.zeros(3), torch.ones(3)], kwargs: { training: true }, run: () => F.batchNorm(torch.randn(1, 3, 1), torch.zeros(3), torch.ones(3), null, null, { training: true }) },
    { name: "bn running_mean size", op: "batch_norm", args: [x, torch.zeros(4), torch.ones(4)], kwargs: { training: true }, run: () => F.batchNorm(x, torch.zeros(4), torch.ones(4), null, null, { training: true }) },
    { name: "bn eval without stats", op: "batch_norm", args: [x, null, null], run: () => F.batchNorm(x, null, null) },
    { name: "bn weight size", op: "batch_norm", args: [x, torch.zeros(3), torch.ones(3), torch.ones(4)], kwargs: { training: true }, run: () => F.batchNorm(x, torch.zeros(3), torch.ones(3), torch.ones(4), null, { training: true }) },
    { name: "ln shape", op: "layer_norm", args: [torch.randn(2, 3, 4), [5]], run: () => F.layerNorm(torch.randn(2, 3, 4), [5]) },
    { name: "ln weight shape", op: "layer_norm", args: [torch.randn(2, 3, 4), [4], torch.ones(3)], run: () => F.layerNorm(torch.randn(2, 3, 4), [4], torch.ones(3)) },
    { name: "ln bias shape", op: "layer_norm", args: [torch.randn(2, 3, 4), [4], null, torch.ones(3)], run: () => F.layerNorm(torch.randn(2, 3, 4), [4], null, torch.ones(3)) },
    { name: "gn groups", op: "group_norm", args: [torch.randn(2, 6, 4), 4], run: () => F.groupNorm(torch.randn(2, 6, 4), 4) },
    { name: "gn weight", op: "group_norm", args: [torch.randn(2, 6, 4), 3, torch.ones(5)], run: () => F.groupNorm(torch.randn(2, 6, 4), 3, torch.ones(5)) },
    { name: "gn 1-D", op: "group_norm", args: [torch.randn(6), 3], run: () => F.groupNorm(torch.randn(6), 3) },
  ]);
});

test("batchNorm refuses momentum null and explains the module's factor", () => {
  assert.throws(() => F.batchNorm(torch.randn(4, 3), torch.zeros(3), torch.ones(3), null, null, { training: true, momentum: null }), /1 \/ numBatchesTracked/);
});
