/**
 * Every layer's forward against PyTorch: the layers of test/nn/models.ts's `Layers` (one of each kind, with
 * non-default arguments) get PyTorch's parameters and are applied to the same inputs. This checks that each
 * module passes its settings (stride, padding, eps, momentum=None, ignore_index, label smoothing, max_norm,
 * implicit softmax dim, ...) to the functional ops as PyTorch's modules do.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import { type JsonTensor, assertClose, fromJson, requireTorch, runPython, toJson } from "../helpers/pytorch.ts";
import { Layers } from "./models.ts";

test("each layer's forward (eval and train) matches PyTorch", async (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(5);
  const inputs = {
    x3: torch.randn(2, 3, 9, 9),
    x4: torch.randn(2, 4, 9, 9),
    x45: torch.randn(3, 4, 5),
    seq: torch.randn(2, 3, 5),
    idx: torch.tensor([[1, 2, 9], [9, 0, 1]]),
    logits: torch.randn(4, 3),
    target: torch.tensor([0, 2, 1, 2]),
    rows: torch.randn(6, 3),
  };
  const py = runPython<{ state_dict: [string, JsonTensor][]; out: Record<string, JsonTensor> }>("nn_layers_forward.py", {
    inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toJson(v)])),
  });
  const m = new Layers();
  m.loadStateDict(Object.fromEntries(py.state_dict.map(([k, v]) => [k, fromJson(v)])));
  m.eval();
  const { x3, x4, seq, idx, logits, target } = inputs;
  const out: Record<string, torch.Tensor> = { c1: m.c1.call(x3) };
  for (const name of ["c2", "c3", "c4", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "f1", "f2", "d1", "d2"] as const) {
    out[name] = m[name].call(x4);
  }
  out["b2 eval"] = m.b2.call(x4);
  out.n1 = m.n1.call(seq);
  out.n2 = m.n2.call(inputs.x45);
  out.l1 = m.l1.call(x3.flatten(0, 2).narrow(1, 0, 3));
  for (const name of ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"] as const) out[name] = m[name].call(seq);
  out.e1 = m.e1.call(idx);
  out.e2 = m.e2.call(idx);
  out["e2 weight"] = m.e2.weight;
  out.loss1 = m.loss1.call(logits, target);
  out.loss2 = m.loss2.call(logits, torch.onesLike(logits));
  out.loss3 = m.loss3.call(logits.logSoftmax(1), target);
  out.loss4 = m.loss4.call(logits, target);
  m.train();
  out["b1 train 1"] = m.b1.call(inputs.rows);
  out["b1 train 2"] = m.b1.call(inputs.rows.mul(2).add(1));
  out["b1 running_mean"] = m.b1.running_mean as torch.Tensor;
  out["b1 running_var"] = m.b1.running_var as torch.Tensor;
  out["b1 count"] = m.b1.num_batches_tracked as torch.Tensor;
  out["b2 train"] = m.b2.call(x4);
  m.eval();
  out["b1 eval"] = m.b1.call(inputs.rows);

  assert.deepEqual(Object.keys(out), Object.keys(py.out));
  for (const [name, expected] of Object.entries(py.out)) {
    await t.test(name, () => {
      const e = fromJson(expected);
      const scale = e.numel() ? Number(e.abs().max().item()) : 0;
      assertClose(out[name].to("float64"), e.to("float64"), 1e-5, 1e-5 * scale + 1e-12, name);
    });
  }
});
