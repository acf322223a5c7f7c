import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.ts";
import { requireTorch, runPython, toJson } from "./helpers/pytorch.ts";

test("tensors print as PyTorch prints them", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(3);
  const cases: { tensor: torch.Tensor; requiresGrad?: boolean }[] = [
    { tensor: torch.randn(20) },
    { tensor: torch.randn(3, 20), requiresGrad: true },
    { tensor: torch.arange(30).reshape(2, 15).float().mul(1.5) },
    { tensor: torch.arange(12, undefined, 1, { dtype: "float64" }) },
    { tensor: torch.randn(2000) },
    { tensor: torch.randn(40, 40) },
    { tensor: torch.tensor([1e-5, 1, 1000]) },
    { tensor: torch.tensor([1e10, 2]) },
    { tensor: torch.arange(25).reshape(5, 5) },
    { tensor: torch.tensor([true, false, true]) },
    { tensor: torch.tensor([1.5, 2]).half() },
    { tensor: torch.tensor([3, -4], { dtype: "int32" }) },
    { tensor: torch.zeros(2, 3, 4) },
    { tensor: torch.tensor(3.25) },
  ];
  const expected = runPython<string[]>(
    "tensor_repr.py",
    cases.map((c) => ({ tensor: toJson(c.tensor), requires_grad: c.requiresGrad ?? false })),
  );
  cases.forEach((c, i) => {
    const tensor = c.requiresGrad ? c.tensor.requiresGrad_() : c.tensor;
    assert.equal(String(tensor), expected[i], `case ${i}`);
  });
});
