import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.ts";
import { requireTorch, runPython } from "./helpers/pytorch.ts";

const CASES: Record<string, () => unknown> = {
  mean_long: () => torch.tensor([1, 2]).mean(),
  mean_int: () => torch.tensor([1, 2], { dtype: "int32" }).mean(),
  mean_bool: () => torch.tensor([true]).mean(),
  view_infer: () => torch.ones(2, 3).view(-1, 4),
  view_strides: () => torch.ones(2, 3).t().view(6),
  narrow: () => torch.ones(2, 3).narrow(1, 2, 2),
  select: () => torch.ones(2, 3).select(1, 5),
  expand: () => torch.ones(2, 3).expand(3, 3),
  broadcast: () => torch.ones(2, 3).add(torch.ones(4)),
  matmul: () => torch.ones(2, 3).matmul(torch.ones(4, 2)),
  cat_size: () => torch.cat([torch.ones(2, 3), torch.ones(2, 4)]),
  cat_dims: () => torch.cat([torch.ones(2, 3), torch.ones(2)]),
  dim_range: () => torch.ones(2, 3).sum(2),
  item: () => torch.ones(2).item(),
  requires_grad_int: () => torch.ones(2, { dtype: "int64" }).requiresGrad_(),
  leaf_inplace: () => torch.ones(2, { requiresGrad: true }).add_(1),
};

test("core ops refuse bad arguments with PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const expected = runPython<Record<string, string | null>>("op_errors.py");
  for (const [name, fn] of Object.entries(CASES)) {
    let message: string | null = null;
    try {
      fn();
    } catch (error) {
      message = (error as Error).message;
    }
    assert.equal(message, expected[name], name);
  }
});
