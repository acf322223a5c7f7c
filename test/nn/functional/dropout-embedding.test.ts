import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../src/index.ts";
import * as F from "../../../src/nn/functional.ts";
import { requireTorch } from "../../helpers/pytorch.ts";
import { checkCases, checkErrors } from "./oracle.ts";

test("dropout zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
  torch.manualSeed(8);
  const n = 200000;
  for (const p of [0.1, 0.5, 0.8]) {
    const y = F.dropout(torch.ones(n), { p }).toArray();
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-6, `survivor ${v} for p=${p}`);
    }
    const sd = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(zeros / n - p) < 5 * sd, `p=${p}: dropped ${zeros / n}`);
  }
});

test("dropout's gradient uses the same mask; eval and p=0 are the identity; p=1 gives zeros", () => {
  torch.manualSeed(9);
  const x = torch.randn(1000, { requiresGrad: true });
  const y = F.dropout(x, { p: 0.4 });
  y.sum().backward();
  const ya = y.toArray();
  const xa = x.detach().toArray();
  const ga = (x.grad as torch.Tensor).toArray();
  for (let i = 0; i < ya.length; i++) {
    if (ya[i] === 0) assert.equal(ga[i], 0);
    else {
      assert.ok(Math.abs(ga[i] - 1 / 0.6) < 1e-6);
      assert.ok(Math.abs(ya[i] - xa[i] / 0.6) < 1e-5);
    }
  }
  assert.equal(F.dropout(x, { training: false }), x);
  assert.equal(F.dropout(x, { p: 0 }), x);
  assert.ok(F.dropout(x, { p: 1 }).toArray().every((v) => v === 0));
  torch.manualSeed(3);
  const a = F.dropout(torch.ones(64)).tolist();
  torch.manualSeed(3);
  assert.deepEqual(F.dropout(torch.ones(64)).tolist(), a, "same seed, same mask");
});

test("dropout2d drops whole channels", () => {
  torch.manualSeed(10);
  const y = F.dropout2d(torch.ones(40, 50, 3, 3), { p: 0.3 });
  const v = y.toArray();
  let dropped = 0;
  for (let ch = 0; ch < 40 * 50; ch++) {
    const slice = v.subarray(ch * 9, ch * 9 + 9);
    assert.ok(slice.every((e) => e === slice[0]), "a channel is kept or dropped whole");
    if (slice[0] === 0) dropped++;
  }
  assert.ok(Math.abs(dropped / 2000 - 0.3) < 0.05, `dropped ${dropped / 2000}`);
  assert.equal(F.dropout2d(y, { training: false }), y);
});

test("dropout errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const x = torch.randn(3);
  checkErrors([
    { name: "p > 1", op: "dropout", args: [x, 1.5], run: () => F.dropout(x, { p: 1.5 }) },
    { name: "p < 0", op: "dropout", args: [x, -0.5], run: () => F.dropout(x, { p: -0.5 }) },
    { name: "dropout2d 1-D", op: "dropout2d", args: [torch.randn(6)], run: () => F.dropout2d(torch.randn(6)) },
  ]);
});

test("embedding matches PyTorch: lookup, gradient, paddingIdx, scaleGradByFreq, maxNorm", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(11);
  const idx = torch.tensor([[1, 3, 3, 0], [4, 1, 2, 3]]);
  const w = () => torch.randn(6, 5);
  checkCases([
    { name: "lookup", op: "embedding", args: [idx, w()], grad: [1], run: (a) => F.embedding(a[0], a[1]) },
    { name: "1-D and int32 indices", op: "embedding", args: [torch.tensor([5, 0, 5], { dtype: "int32" }), w()], grad: [1], run: (a) => F.embedding(a[0], a[1]) },
    { name: "paddingIdx 3", op: "embedding", args: [idx, w(), 3], grad: [1], run: (a) => F.embedding(a[0], a[1], { paddingIdx: 3 }) },
    { name: "paddingIdx -5", op: "embedding", args: [idx, w(), -5], grad: [1], run: (a) => F.embedding(a[0], a[1], { paddingIdx: -5 }) },
    { name: "scaleGradByFreq", op: "embedding", args: [idx, w()], kwargs: { scale_grad_by_freq: true }, grad: [1], run: (a) => F.embedding(a[0], a[1], { scaleGradByFreq: true }) },
    { name: "maxNorm renormalises the weight in place", op: "embedding", args: [idx, w().mul(2)], kwargs: { max_norm: 1.5 }, inspect: [1], run: (a) => F.embedding(a[0], a[1], { maxNorm: 1.5 }) },
    { name: "maxNorm with norm_type 1", op: "embedding", args: [idx, w()], kwargs: { max_norm: 2, norm_type: 1 }, inspect: [1], run: (a) => F.embedding(a[0], a[1], { maxNorm: 2, normType: 1 }) },
  ]);
});

test("embedding errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const w = torch.randn(5, 2);
  checkErrors([
    { name: "float indices", op: "embedding", args: [torch.randn(3), w], run: () => F.embedding(torch.randn(3), w) },
    { name: "index out of range", op: "embedding", args: [torch.tensor([7]), w], run: () => F.embedding(torch.tensor([7]), w) },
    { name: "negative index", op: "embedding", args: [torch.tensor([-1]), w], run: () => F.embedding(torch.tensor([-1]), w) },
    { name: "padding_idx too large", op: "embedding", args: [torch.tensor([1]), w, 7], run: () => F.embedding(torch.tensor([1]), w, { paddingIdx: 7 }) },
    { name: "padding_idx too small", op: "embedding", args: [torch.tensor([1]), w, -7], run: () => F.embedding(torch.tensor([1]), w, { paddingIdx: -7 }) },
    { name: "1-D weight", op: "embedding", args: [torch.tensor([1]), torch.randn(5)], run: () => F.embedding(torch.tensor([1]), torch.randn(5)) },
  ]);
});
