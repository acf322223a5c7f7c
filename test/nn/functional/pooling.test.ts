import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../src/index.ts";
import * as F from "../../../src/nn/functional.ts";
import { requireTorch } from "../../helpers/pytorch.ts";
import { checkCases, checkErrors, type OpCase } from "./oracle.ts";

type MaxOpts = F.MaxPool2dOptions;
type AvgOpts = F.AvgPool2dOptions;

function kw(o: object): Record<string, number | boolean | number[] | null> {
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]));
}

function maxCase(name: string, shape: number[], k: number | number[], opts: MaxOpts = {}): OpCase {
  return { name, op: "max_pool2d", args: [torch.randn(shape), k], kwargs: kw(opts), grad: [0], run: (t) => F.maxPool2d(t[0], k, opts) };
}
function avgCase(name: string, shape: number[], k: number | number[], opts: AvgOpts = {}): OpCase {
  return { name, op: "avg_pool2d", args: [torch.randn(shape), k], kwargs: kw(opts), grad: [0], run: (t) => F.avgPool2d(t[0], k, opts) };
}

test("maxPool2d matches PyTorch: values, indices and gradients", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(1);
  checkCases([
    maxCase("k2", [2, 3, 8, 8], 2),
    maxCase("k3 stride 2 padding 1", [2, 3, 9, 9], 3, { stride: 2, padding: 1 }),
    maxCase("k3 stride 1 (overlapping windows)", [1, 2, 6, 7], 3, { stride: 1 }),
    maxCase("dilation 2", [2, 2, 9, 9], 3, { dilation: 2, padding: 1 }),
    maxCase("ceilMode", [2, 2, 7, 7], 2, { ceilMode: true }),
    maxCase("ceilMode with padding, stride 2", [1, 2, 8, 8], 3, { stride: 2, padding: 1, ceilMode: true }),
    maxCase("rectangular kernel and stride", [2, 2, 9, 11], [2, 3], { stride: [1, 2] }),
    maxCase("unbatched", [3, 8, 8], 2),
    maxCase("returnIndices", [2, 3, 6, 6], 3, { stride: 2, padding: 1, returnIndices: true }),
    {
      name: "NaN and ties", op: "max_pool2d", grad: [0],
      args: [torch.tensor([[[[1, 1, NaN, 0], [1, 0, 2, NaN], [3, 3, 0, 0], [3, 3, 0, -1]]]]), 2], kwargs: { return_indices: true },
      run: (t) => F.maxPool2d(t[0], 2, { returnIndices: true }),
    },
  ]);
});

test("avgPool2d matches PyTorch: padding, ceilMode, countIncludePad, divisorOverride", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(2);
  checkCases([
    avgCase("k2", [2, 3, 8, 8], 2),
    avgCase("k3 stride 2 padding 1", [2, 3, 9, 9], 3, { stride: 2, padding: 1 }),
    avgCase("countIncludePad false", [2, 3, 9, 9], 3, { stride: 2, padding: 1, countIncludePad: false }),
    avgCase("ceilMode", [2, 2, 7, 7], 2, { ceilMode: true }),
    avgCase("ceilMode, padding, countIncludePad false", [1, 2, 8, 8], 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    avgCase("ceilMode, padding, countIncludePad true", [1, 2, 8, 8], 3, { stride: 2, padding: 1, ceilMode: true }),
    avgCase("divisorOverride", [2, 2, 6, 6], 3, { padding: 1, divisorOverride: 5 }),
    avgCase("rectangular", [2, 2, 9, 11], [2, 3], { stride: [2, 1], padding: [1, 1] }),
    avgCase("unbatched", [3, 7, 7], 3),
  ]);
});

test("adaptive pooling matches PyTorch, None keeping a size", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(3);
  const cases: OpCase[] = [];
  for (const [shape, size] of [
    [[2, 3, 7, 7], 3], [[2, 3, 10, 9], [4, 5]], [[2, 3, 5, 5], [7, 7]], [[1, 2, 8, 6], [null, 2]], [[3, 6, 6], 1], [[2, 3, 7, 7], [7, 7]],
  ] as [number[], F.AdaptiveSize][]) {
    const x = torch.randn(shape);
    cases.push({ name: `avg ${shape} -> ${size}`, op: "adaptive_avg_pool2d", args: [x, size as number], grad: [0], run: (t) => F.adaptiveAvgPool2d(t[0], size) });
    cases.push({
      name: `max ${shape} -> ${size}`, op: "adaptive_max_pool2d", args: [x, size as number], kwargs: { return_indices: true }, grad: [0],
      run: (t) => F.adaptiveMaxPool2d(t[0], size, { returnIndices: true }),
    });
  }
  checkCases(cases);
});

test("pooling errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const x = torch.randn(1, 1, 8, 8);
  checkErrors([
    { name: "max pad too large", op: "max_pool2d", args: [x, 2], kwargs: { padding: 2 }, run: () => F.maxPool2d(x, 2, { padding: 2 }) },
    { name: "max 2-D input", op: "max_pool2d", args: [torch.randn(8, 8), 2], run: () => F.maxPool2d(torch.randn(8, 8), 2) },
    { name: "max 5-D input", op: "max_pool2d", args: [torch.randn(1, 1, 1, 8, 8), 2], run: () => F.maxPool2d(torch.randn(1, 1, 1, 8, 8), 2) },
    { name: "max output too small", op: "max_pool2d", args: [torch.randn(1, 1, 2, 2), 3], run: () => F.maxPool2d(torch.randn(1, 1, 2, 2), 3) },
    { name: "max dilated window too large", op: "max_pool2d", args: [x, 3], kwargs: { dilation: 4 }, run: () => F.maxPool2d(x, 3, { dilation: 4 }) },
    { name: "max zero stride", op: "max_pool2d", args: [x, 2], kwargs: { stride: 0 }, run: () => F.maxPool2d(x, 2, { stride: 0 }) },
    { name: "max 3-D with too small width", op: "max_pool2d", args: [torch.randn(2, 1, 8), 2], run: () => F.maxPool2d(torch.randn(2, 1, 8), 2) },
    { name: "avg pad too large", op: "avg_pool2d", args: [x, 2], kwargs: { padding: 2 }, run: () => F.avgPool2d(x, 2, { padding: 2 }) },
    { name: "avg 2-D input", op: "avg_pool2d", args: [torch.randn(8, 8), 2], run: () => F.avgPool2d(torch.randn(8, 8), 2) },
    { name: "avg 5-D input", op: "avg_pool2d", args: [torch.randn(1, 1, 1, 8, 8), 2], run: () => F.avgPool2d(torch.randn(1, 1, 1, 8, 8), 2) },
    { name: "avg output too small", op: "avg_pool2d", args: [torch.randn(1, 1, 2, 2), 3], run: () => F.avgPool2d(torch.randn(1, 1, 2, 2), 3) },
    { name: "avg zero divisor", op: "avg_pool2d", args: [x, 2], kwargs: { divisor_override: 0 }, run: () => F.avgPool2d(x, 2, { divisorOverride: 0 }) },
    { name: "adaptive avg 2-D", op: "adaptive_avg_pool2d", args: [torch.randn(8, 8), 2], run: () => F.adaptiveAvgPool2d(torch.randn(8, 8), 2) },
    { name: "adaptive max 2-D", op: "adaptive_max_pool2d", args: [torch.randn(8, 8), 2], run: () => F.adaptiveMaxPool2d(torch.randn(8, 8), 2) },
    { name: "adaptive negative size", op: "adaptive_avg_pool2d", args: [x, [-1, 2]], run: () => F.adaptiveAvgPool2d(x, [-1, 2]) },
  ]);
});

test("maxPool2d indices are int64 positions within each plane", () => {
  const [y, idx] = F.maxPool2d(torch.arange(0, 16, 1, { dtype: "float32" }).reshape(1, 1, 4, 4), 2, { returnIndices: true });
  assert.equal(idx.dtype, torch.int64);
  assert.deepEqual(idx.tolist(), [[[[5, 7], [13, 15]]]]);
  assert.deepEqual(y.tolist(), [[[[5, 7], [13, 15]]]]);
});
