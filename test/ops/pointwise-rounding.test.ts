import { test } from "node:test";
import * as torch from "../../src/index.ts";
import { assertClose, fromJson, requireTorch, runPython, toJson, type JsonTensor } from "../helpers/pytorch.ts";

test("float32 scalar ops, add with alpha, addcmul_ and addcdiv_ round bit for bit like PyTorch", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(7);
  const a = torch.randn(1003);
  const b = torch.randn(1003);
  const c = torch.randn(1003).abs().add(0.5);
  const s = -0.0123456789;
  const out = runPython<Record<string, JsonTensor>>("pointwise.py", { a: toJson(a), b: toJson(b), c: toJson(c), s });
  const ours: Record<string, torch.Tensor> = {
    add_alpha: a.add(b, { alpha: s }),
    sub_alpha: a.sub(b, { alpha: s }),
    mul_scalar: a.mul(s),
    div_scalar: a.div(s),
    add_scalar: a.add(s),
    addcmul: a.clone().addcmul_(b, c, { value: s }),
    addcmul_1: a.clone().addcmul_(b, c),
    addcdiv: a.clone().addcdiv_(b, c, { value: s }),
  };
  for (const [name, value] of Object.entries(ours)) assertClose(value, fromJson(out[name]), 0, 0, name);
});

test("addcmul_ broadcasts its operands", () => {
  const x = torch.zeros(2, 3);
  x.addcmul_(torch.tensor([1, 2, 3]), torch.tensor([[1], [2]]), { value: 2 });
  assertClose(x, torch.tensor([[2, 4, 6], [4, 8, 12]]), 0, 0);
});
