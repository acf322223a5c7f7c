import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../src/index.ts";
import * as F from "../../../src/nn/functional.ts";
import { requireTorch } from "../../helpers/pytorch.ts";
import { checkCases, checkErrors, type OpCase } from "./oracle.ts";

test("linear matches PyTorch for 1-D, 2-D and 3-D input, with and without bias", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(4);
  const cases: OpCase[] = [];
  for (const shape of [[7], [5, 7], [2, 3, 7], [64, 7]]) {
    const x = torch.randn(shape);
    const w = torch.randn(9, 7);
    const b = torch.randn(9);
    cases.push({ name: `linear ${shape}`, op: "linear", args: [x, w, b], grad: [0, 1, 2], run: (a) => F.linear(a[0], a[1], a[2]) });
    cases.push({ name: `linear ${shape} no bias`, op: "linear", args: [x, w], grad: [0, 1], run: (a) => F.linear(a[0], a[1]) });
  }
  const x = torch.randn(4, 7);
  cases.push({ name: "1-D weight", op: "linear", args: [x, torch.randn(7)], grad: [0, 1], run: (a) => F.linear(a[0], a[1]) });
  cases.push({ name: "broadcast bias [1]", op: "linear", args: [x, torch.randn(3, 7), torch.randn(1)], grad: [0, 1, 2], run: (a) => F.linear(a[0], a[1], a[2]) });
  cases.push({ name: "bias [rows, out] on 3-D input", op: "linear", args: [torch.randn(2, 4, 7), torch.randn(3, 7), torch.randn(8, 3)], grad: [0, 1, 2], run: (a) => F.linear(a[0], a[1], a[2]) });
  cases.push({ name: "LeNet fc1", op: "linear", args: [torch.randn(64, 400), torch.randn(120, 400), torch.randn(120)], grad: [0, 1, 2], run: (a) => F.linear(a[0], a[1], a[2]) });
  checkCases(cases);
});

test("linear errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const w = torch.randn(5, 4);
  checkErrors([
    { name: "2-D shape mismatch", op: "linear", args: [torch.randn(4, 3), w], run: () => F.linear(torch.randn(4, 3), w) },
    { name: "1-D shape mismatch", op: "linear", args: [torch.randn(3), w], run: () => F.linear(torch.randn(3), w) },
    { name: "3-D shape mismatch", op: "linear", args: [torch.randn(2, 4, 3), w], run: () => F.linear(torch.randn(2, 4, 3), w) },
    { name: "bias size", op: "linear", args: [torch.randn(4, 3), torch.randn(5, 3), torch.randn(4)], run: () => F.linear(torch.randn(4, 3), torch.randn(5, 3), torch.randn(4)) },
    { name: "bias size, 3-D input", op: "linear", args: [torch.randn(2, 4, 3), torch.randn(5, 3), torch.randn(4)], run: () => F.linear(torch.randn(2, 4, 3), torch.randn(5, 3), torch.randn(4)) },
    { name: "bias size, 1-D input", op: "linear", args: [torch.randn(3), torch.randn(5, 3), torch.randn(4)], run: () => F.linear(torch.randn(3), torch.randn(5, 3), torch.randn(4)) },
    { name: "0-D input", op: "linear", args: [torch.tensor(1.5), torch.randn(5, 3)], run: () => F.linear(torch.tensor(1.5), torch.randn(5, 3)) },
    { name: "3-D weight", op: "linear", args: [torch.randn(4, 3), torch.randn(2, 5, 3)], run: () => F.linear(torch.randn(4, 3), torch.randn(2, 5, 3)) },
    { name: "int input", op: "linear", args: [torch.ones([4, 3], { dtype: "int64" }), torch.randn(5, 3)], run: () => F.linear(torch.ones([4, 3], { dtype: "int64" }), torch.randn(5, 3)) },
  ]);
});

test("activations match PyTorch, including gradients at the kinks", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(5);
  const x = torch.cat([torch.randn(3, 7).mul(3), torch.tensor([[0, -1, 1, 6, -6, 0.5, 7]])]);
  const one = (name: string, op: string, run: (x: torch.Tensor) => torch.Tensor, extra: (number | string)[] = [], kwargs: Record<string, number | string> = {}): OpCase =>
    ({ name, op, args: [x, ...extra], kwargs, grad: [0], run: (a) => run(a[0]) });
  checkCases([
    one("relu", "relu", (v) => F.relu(v)),
    one("relu6", "relu6", (v) => F.relu6(v)),
    one("leakyRelu default", "leaky_relu", (v) => F.leakyRelu(v)),
    one("leakyRelu 0.2", "leaky_relu", (v) => F.leakyRelu(v, 0.2), [0.2]),
    one("hardtanh default", "hardtanh", (v) => F.hardtanh(v)),
    one("hardtanh -2..3", "hardtanh", (v) => F.hardtanh(v, -2, 3), [-2, 3]),
    one("gelu", "gelu", (v) => F.gelu(v)),
    one("gelu tanh", "gelu", (v) => F.gelu(v, { approximate: "tanh" }), [], { approximate: "tanh" }),
    one("silu", "silu", (v) => F.silu(v)),
    one("sigmoid", "sigmoid", (v) => F.sigmoid(v)),
    one("tanh", "tanh", (v) => F.tanh(v)),
    one("softmax dim 1", "softmax", (v) => F.softmax(v, 1), [1]),
    one("softmax dim 0", "softmax", (v) => F.softmax(v, 0), [0]),
    one("logSoftmax dim 1", "log_softmax", (v) => F.logSoftmax(v, 1), [1]),
    one("logSoftmax dim -2", "log_softmax", (v) => F.logSoftmax(v, -2), [-2]),
    { name: "flatten 1..", op: "torch.flatten", args: [torch.randn(2, 3, 4, 5), 1], grad: [0], run: (a) => F.flatten(a[0], 1) },
    { name: "flatten 1..2", op: "torch.flatten", args: [torch.randn(2, 3, 4, 5), 1, 2], grad: [0], run: (a) => F.flatten(a[0], 1, 2) },
  ]);
});

test("gelu rejects an unknown approximation with PyTorch's message", (t) => {
  if (!requireTorch(t)) return;
  const x = torch.randn(3);
  checkErrors([{ name: "gelu foo", op: "gelu", args: [x], kwargs: { approximate: "foo" }, run: () => F.gelu(x, { approximate: "foo" as "tanh" }) }]);
});

test("inplace activations overwrite the input when autograd allows", () => {
  const x = torch.tensor([-1.5, 2.5, -3]);
  const y = F.relu(x, { inplace: true });
  assert.equal(y, x);
  assert.deepEqual(x.tolist(), [0, 2.5, 0]);
  const leaf = torch.tensor([-1.5, 2], { requiresGrad: true });
  assert.throws(() => F.relu(leaf, { inplace: true }), /a leaf Variable that requires grad is being used in an in-place operation/);
});
