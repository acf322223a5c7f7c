import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.ts";
import { assertClose, fromJson, requireTorch, runPython, toJson, type JsonTensor } from "./helpers/pytorch.ts";

test("matmul, relu, sum and backward give PyTorch's numbers", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(1);
  const a = torch.randn(3, 4, { requiresGrad: true });
  const b = torch.randn(4, 2);
  const out = runPython<{ version: string; product: JsonTensor }>("smoke.py", { a: toJson(a), b: toJson(b) });
  assert.match(out.version, /^1\.13/);
  assertClose(a.matmul(b), fromJson(out.product));
});

test("views share storage and write through", () => {
  const x = torch.arange(12).reshape(3, 4);
  const col = x.select(1, 2);
  col.fill_(-1);
  assert.deepEqual(x.tolist(), [[0, 1, -1, 3], [4, 5, -1, 7], [8, 9, -1, 11]]);
  assert.equal(x.t().dataPtr(), x.dataPtr());
  assert.deepEqual(x.t().stride(), [1, 4]);
  assert.throws(() => x.t().view(12), /view size is not compatible/);
  assert.deepEqual(x.t().reshape(12).tolist(), [0, 4, 8, 1, 5, 9, -1, -1, -1, 3, 7, 11]);
});

test("size prints like torch.Size", () => {
  assert.equal(torch.zeros(6, 3, 5, 5).size().toString(), "torch.Size([6, 3, 5, 5])");
  assert.equal(String(torch.zeros(2, 2)), "tensor([[0., 0.],\n        [0., 0.]])");
});

test("a second backward through a freed graph is refused", () => {
  const w = torch.ones(2, { requiresGrad: true });
  const y = w.mul(w).sum();
  y.backward();
  assert.throws(() => y.backward(), /Trying to backward through the graph a second time/);
  assert.deepEqual(w.grad?.tolist(), [2, 2]);
});

test("float16 and bfloat16 round-trip through float32 losslessly", () => {
  const values = [0, 1, -2.5, 65504, 6.103515625e-05, 5.960464477539063e-08];
  assert.deepEqual(torch.tensor(values).half().float().tolist(), values);
  const bvalues = [0, 1, -2.5, 3.3895313892515355e38, 1.1754943508222875e-38];
  assert.deepEqual(torch.tensor(bvalues, { dtype: "float64" }).to("bfloat16").double().tolist(), bvalues);
});

test("arange takes (end), (start, end, step) and trailing options like PyTorch", () => {
  assert.deepEqual(torch.arange(3).tolist(), [0, 1, 2]);
  assert.equal(torch.arange(3).dtype, torch.int64);
  assert.equal(torch.arange(3, { dtype: "float32" }).dtype, torch.float32);
  assert.deepEqual(torch.arange(2, 8, 2).tolist(), [2, 4, 6]);
  assert.deepEqual(torch.arange(0, 1, 0.25).tolist(), [0, 0.25, 0.5, 0.75]);
  assert.equal(torch.arange(0, 1, 0.25).dtype, torch.float32);
  assert.throws(() => torch.arange(0, 1, 0), /step must be nonzero/);
});
