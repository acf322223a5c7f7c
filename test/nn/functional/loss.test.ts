import { test } from "node:test";
import * as torch from "../../../src/index.ts";
import * as F from "../../../src/nn/functional.ts";
import { requireTorch } from "../../helpers/pytorch.ts";
import { checkCases, checkErrors, type OpCase } from "./oracle.ts";

type Red = "mean" | "sum" | "none";
const REDUCTIONS: Red[] = ["mean", "sum", "none"];

test("crossEntropy with class indices matches PyTorch: weight, ignoreIndex, labelSmoothing, reductions", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(12);
  const cases: OpCase[] = [];
  const x = torch.randn(6, 5).mul(2);
  const target = torch.tensor([1, 0, 4, -100, 2, 2]);
  const weight = torch.rand(5).add(0.2);
  for (const reduction of REDUCTIONS) {
    for (const labelSmoothing of [0, 0.1]) {
      for (const withWeight of [false, true]) {
        const opts = { reduction, labelSmoothing, ...(withWeight ? { weight } : {}) };
        cases.push({
          name: `ce ${reduction} ls=${labelSmoothing} weight=${withWeight}`, op: "cross_entropy", args: [x, target],
          kwargs: { reduction, label_smoothing: labelSmoothing, ...(withWeight ? { weight } : {}) },
          grad: [0], run: (a) => F.crossEntropy(a[0], a[1], opts),
        });
      }
    }
  }
  cases.push({ name: "ce ignoreIndex 2", op: "cross_entropy", args: [x, torch.tensor([1, 0, 4, 3, 2, 2]), null, null, 2], grad: [0], run: (a) => F.crossEntropy(a[0], a[1], { ignoreIndex: 2 }) });
  cases.push({ name: "ce ignoreIndex out of range", op: "cross_entropy", args: [x, torch.tensor([1, 0, 4, 9, 2, 2]), null, null, 9], kwargs: { label_smoothing: 0.2 }, grad: [0], run: (a) => F.crossEntropy(a[0], a[1], { ignoreIndex: 9, labelSmoothing: 0.2 }) });
  cases.push({ name: "ce all ignored (mean is NaN)", op: "cross_entropy", args: [x, torch.full([6], -100)], grad: [0], run: (a) => F.crossEntropy(a[0], a[1]) });
  cases.push({ name: "ce unbatched", op: "cross_entropy", args: [torch.randn(5), torch.tensor(3)], grad: [0], run: (a) => F.crossEntropy(a[0], a[1]) });
  cases.push({ name: "ce unbatched ls", op: "cross_entropy", args: [torch.randn(5), torch.tensor(3)], kwargs: { label_smoothing: 0.3 }, grad: [0], run: (a) => F.crossEntropy(a[0], a[1], { labelSmoothing: 0.3 }) });
  const x4 = torch.randn(2, 4, 3, 3);
  const t4 = torch.randint(0, 4, [2, 3, 3]);
  for (const reduction of REDUCTIONS) {
    cases.push({ name: `ce 4-D ${reduction} ls weight`, op: "cross_entropy", args: [x4, t4], kwargs: { reduction, label_smoothing: 0.1, weight: torch.tensor([1, 2, 0.5, 1.5]) }, grad: [0], run: (a) => F.crossEntropy(a[0], a[1], { reduction, labelSmoothing: 0.1, weight: torch.tensor([1, 2, 0.5, 1.5]) }) });
  }
  cases.push({ name: "ce 3-D", op: "cross_entropy", args: [torch.randn(2, 4, 5), torch.randint(0, 4, [2, 5])], grad: [0], run: (a) => F.crossEntropy(a[0], a[1]) });
  cases.push({ name: "ce LeNet batch", op: "cross_entropy", args: [torch.randn(64, 10), torch.randint(0, 10, [64])], grad: [0], run: (a) => F.crossEntropy(a[0], a[1]) });
  checkCases(cases);
});

test("crossEntropy with class probabilities matches PyTorch", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(13);
  const cases: OpCase[] = [];
  const x = torch.randn(4, 5);
  const p = F.softmax(torch.randn(4, 5), 1);
  for (const reduction of REDUCTIONS) {
    for (const labelSmoothing of [0, 0.2]) {
      cases.push({ name: `prob ${reduction} ls=${labelSmoothing}`, op: "cross_entropy", args: [x, p], kwargs: { reduction, label_smoothing: labelSmoothing }, grad: [0, 1], run: (a) => F.crossEntropy(a[0], a[1], { reduction, labelSmoothing }) });
      cases.push({ name: `prob ${reduction} ls=${labelSmoothing} weight`, op: "cross_entropy", args: [x, p], kwargs: { reduction, label_smoothing: labelSmoothing, weight: torch.tensor([1, 2, 3, 0.5, 1]) }, grad: [0, 1], run: (a) => F.crossEntropy(a[0], a[1], { reduction, labelSmoothing, weight: torch.tensor([1, 2, 3, 0.5, 1]) }) });
    }
  }
  cases.push({ name: "prob 4-D", op: "cross_entropy", args: [torch.randn(2, 3, 2, 2), F.softmax(torch.randn(2, 3, 2, 2), 1)], grad: [0], run: (a) => F.crossEntropy(a[0], a[1]) });
  cases.push({ name: "prob 1-D", op: "cross_entropy", args: [torch.randn(5), F.softmax(torch.randn(5), 0)], grad: [0], run: (a) => F.crossEntropy(a[0], a[1]) });
  checkCases(cases);
});

test("nllLoss matches PyTorch", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(14);
  const cases: OpCase[] = [];
  const logp = F.logSoftmax(torch.randn(6, 4), 1);
  const target = torch.tensor([0, 3, -100, 1, 1, 2]);
  for (const reduction of REDUCTIONS) {
    cases.push({ name: `nll ${reduction}`, op: "nll_loss", args: [logp, target], kwargs: { reduction }, grad: [0], run: (a) => F.nllLoss(a[0], a[1], { reduction }) });
    cases.push({ name: `nll ${reduction} weight`, op: "nll_loss", args: [logp, target], kwargs: { reduction, weight: torch.tensor([1, 0.5, 2, 3]) }, grad: [0], run: (a) => F.nllLoss(a[0], a[1], { reduction, weight: torch.tensor([1, 0.5, 2, 3]) }) });
    cases.push({ name: `nll 5-D ${reduction}`, op: "nll_loss", args: [torch.randn(2, 3, 2, 2, 2), torch.randint(0, 3, [2, 2, 2, 2])], kwargs: { reduction }, grad: [0], run: (a) => F.nllLoss(a[0], a[1], { reduction }) });
  }
  cases.push({ name: "nll all ignored sum", op: "nll_loss", args: [logp, torch.full([6], -100)], kwargs: { reduction: "sum" }, grad: [0], run: (a) => F.nllLoss(a[0], a[1], { reduction: "sum" }) });
  checkCases(cases);
});

test("regression and binary losses match PyTorch", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(15);
  const cases: OpCase[] = [];
  const x = torch.randn(3, 4).mul(2);
  const y = torch.randn(3, 4).mul(2);
  const prob = torch.rand(3, 4).mul(0.98).add(0.01);
  const label = torch.rand(3, 4);
  for (const reduction of REDUCTIONS) {
    cases.push({ name: `mse ${reduction}`, op: "mse_loss", args: [x, y], kwargs: { reduction }, grad: [0, 1], run: (a) => F.mseLoss(a[0], a[1], { reduction }) });
    cases.push({ name: `l1 ${reduction}`, op: "l1_loss", args: [x, y], kwargs: { reduction }, grad: [0, 1], run: (a) => F.l1Loss(a[0], a[1], { reduction }) });
    cases.push({ name: `smoothL1 ${reduction}`, op: "smooth_l1_loss", args: [x, y], kwargs: { reduction }, grad: [0, 1], run: (a) => F.smoothL1Loss(a[0], a[1], { reduction }) });
    cases.push({ name: `smoothL1 beta 0.5 ${reduction}`, op: "smooth_l1_loss", args: [x, y], kwargs: { reduction, beta: 0.5 }, grad: [0, 1], run: (a) => F.smoothL1Loss(a[0], a[1], { reduction, beta: 0.5 }) });
    cases.push({ name: `huber delta 2 ${reduction}`, op: "huber_loss", args: [x, y], kwargs: { reduction, delta: 2 }, grad: [0, 1], run: (a) => F.huberLoss(a[0], a[1], { reduction, delta: 2 }) });
    cases.push({ name: `bce ${reduction}`, op: "binary_cross_entropy", args: [prob, label], kwargs: { reduction }, grad: [0, 1], run: (a) => F.binaryCrossEntropy(a[0], a[1], { reduction }) });
    cases.push({ name: `bce weight ${reduction}`, op: "binary_cross_entropy", args: [prob, label, torch.tensor([1, 2, 0.5, 3])], kwargs: { reduction }, grad: [0, 1], run: (a) => F.binaryCrossEntropy(a[0], a[1], { reduction, weight: a[2] }) });
    cases.push({ name: `bce logits ${reduction}`, op: "binary_cross_entropy_with_logits", args: [x, label], kwargs: { reduction }, grad: [0, 1], run: (a) => F.binaryCrossEntropyWithLogits(a[0], a[1], { reduction }) });
    cases.push({
      name: `bce logits weight posWeight ${reduction}`, op: "binary_cross_entropy_with_logits", args: [x, label, torch.rand(3, 1), null, null, reduction, torch.tensor([1, 2, 3, 0.5])], grad: [0, 1],
      run: (a) => F.binaryCrossEntropyWithLogits(a[0], a[1], { reduction, weight: a[2], posWeight: a[6] }),
    });
  }
  cases.push({ name: "mse broadcast target", op: "mse_loss", args: [x, torch.randn(4)], grad: [0, 1], run: (a) => F.mseLoss(a[0], a[1]) });
  cases.push({ name: "bce at 0 and 1 (log clamped at -100)", op: "binary_cross_entropy", args: [torch.tensor([0, 1, 0.5, 1]), torch.tensor([1, 0, 1, 1], { dtype: "float32" })], grad: [0], run: (a) => F.binaryCrossEntropy(a[0], a[1]) });
  cases.push({ name: "bce logits extreme", op: "binary_cross_entropy_with_logits", args: [torch.tensor([-80, 80, 0, 30], { dtype: "float32" }), torch.tensor([1, 0, 1, 1], { dtype: "float32" })], grad: [0, 1], run: (a) => F.binaryCrossEntropyWithLogits(a[0], a[1]) });
  checkCases(cases);
});

test("loss errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const x = torch.randn(3, 5);
  const ok = torch.tensor([1, 2, 3]);
  const e = (name: string, op: string, args: (torch.Tensor | null | number | string)[], kwargs: Record<string, torch.Tensor | number | string | null>, run: () => unknown) => ({ name, op, args, kwargs, run });
  checkErrors([
    e("batch mismatch", "cross_entropy", [x, torch.tensor([1, 2, 3, 4])], {}, () => F.crossEntropy(x, torch.tensor([1, 2, 3, 4]))),
    e("float target of another shape", "cross_entropy", [x, torch.rand(3, 4)], {}, () => F.crossEntropy(x, torch.rand(3, 4))),
    e("float class target", "cross_entropy", [x, torch.rand(3)], {}, () => F.crossEntropy(x, torch.rand(3))),
    e("int32 class target", "nll_loss", [x, torch.tensor([1, 2, 3], { dtype: "int32" })], {}, () => F.nllLoss(x, torch.tensor([1, 2, 3], { dtype: "int32" }))),
    e("target out of bounds", "cross_entropy", [x, torch.tensor([1, 2, 7])], {}, () => F.crossEntropy(x, torch.tensor([1, 2, 7]))),
    e("negative target", "cross_entropy", [x, torch.tensor([1, 2, -3])], {}, () => F.crossEntropy(x, torch.tensor([1, 2, -3]))),
    e("weight size", "cross_entropy", [x, ok], { weight: torch.ones(4) }, () => F.crossEntropy(x, ok, { weight: torch.ones(4) })),
    e("prob weight size", "cross_entropy", [x, torch.rand(3, 5)], { weight: torch.ones(4) }, () => F.crossEntropy(x, torch.rand(3, 5), { weight: torch.ones(4) })),
    e("label smoothing > 1", "cross_entropy", [x, ok], { label_smoothing: 1.5 }, () => F.crossEntropy(x, ok, { labelSmoothing: 1.5 })),
    e("prob label smoothing > 1", "cross_entropy", [x, torch.rand(3, 5)], { label_smoothing: 1.5 }, () => F.crossEntropy(x, torch.rand(3, 5), { labelSmoothing: 1.5 })),
    e("bad reduction", "cross_entropy", [x, ok], { reduction: "foo" }, () => F.crossEntropy(x, ok, { reduction: "foo" as "sum" })),
    e("int prob target", "cross_entropy", [x, torch.randint(0, 5, [3, 5])], {}, () => F.crossEntropy(x, torch.randint(0, 5, [3, 5]))),
    e("ignore_index with prob target", "cross_entropy", [x, torch.rand(3, 5)], { ignore_index: 1 }, () => F.crossEntropy(x, torch.rand(3, 5), { ignoreIndex: 1 })),
    e("3-D target size", "cross_entropy", [torch.randn(2, 5, 3), torch.tensor([[1, 2, 3, 4], [1, 2, 3, 4]])], {}, () => F.crossEntropy(torch.randn(2, 5, 3), torch.tensor([[1, 2, 3, 4], [1, 2, 3, 4]]))),
    e("4-D target dims", "nll_loss", [torch.randn(2, 5, 3, 3), torch.randint(0, 5, [2, 9])], {}, () => F.nllLoss(torch.randn(2, 5, 3, 3), torch.randint(0, 5, [2, 9]))),
    e("4-D target size", "nll_loss", [torch.randn(2, 5, 3, 3), torch.randint(0, 5, [2, 3, 4])], {}, () => F.nllLoss(torch.randn(2, 5, 3, 3), torch.randint(0, 5, [2, 3, 4]))),
    e("2-D target", "nll_loss", [x, torch.tensor([[1], [2], [3]])], {}, () => F.nllLoss(x, torch.tensor([[1], [2], [3]]))),
    e("0-D input", "nll_loss", [torch.tensor(1.5), torch.tensor(1)], {}, () => F.nllLoss(torch.tensor(1.5), torch.tensor(1))),
    e("1-D input, 1-D target", "nll_loss", [torch.randn(5), torch.tensor([1])], {}, () => F.nllLoss(torch.randn(5), torch.tensor([1]))),
    e("mse broadcast", "mse_loss", [x, torch.randn(4, 5)], {}, () => F.mseLoss(x, torch.randn(4, 5))),
    e("mse int", "mse_loss", [torch.ones([3], { dtype: "int64" }), torch.ones([3], { dtype: "int64" })], {}, () => F.mseLoss(torch.ones([3], { dtype: "int64" }), torch.ones([3], { dtype: "int64" }))),
    e("bce range", "binary_cross_entropy", [torch.tensor([1.5]), torch.ones(1)], {}, () => F.binaryCrossEntropy(torch.tensor([1.5]), torch.ones(1))),
    e("bce size", "binary_cross_entropy", [torch.rand(3), torch.rand(4)], {}, () => F.binaryCrossEntropy(torch.rand(3), torch.rand(4))),
    e("bce logits size", "binary_cross_entropy_with_logits", [torch.rand(3), torch.rand(4)], {}, () => F.binaryCrossEntropyWithLogits(torch.rand(3), torch.rand(4))),
    e("smooth l1 negative beta", "smooth_l1_loss", [x, x], { beta: -1 }, () => F.smoothL1Loss(x, x, { beta: -1 })),
    e("huber non-positive delta", "huber_loss", [x, x], { delta: -1 }, () => F.huberLoss(x, x, { delta: -1 })),
  ]);
});
