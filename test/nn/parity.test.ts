/**
 * End-to-end parity with PyTorch 1.13: the tutorial model and a small ResNet (BatchNorm2d, Dropout,
 * AdaptiveAvgPool2d, strided/padded bias-free convs, residual connections) get PyTorch's weights through
 * loadStateDict, then forward, CrossEntropy loss, backward and BatchNorm's running statistics must match
 * within 1e-5 (relative to each tensor's largest value).
 * Train mode runs with dropout p=0 (dropout masks come from different generators); eval mode with p=0.5
 * (dropout is then the identity), so both modes and the p>0 module are covered.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { type JsonTensor, assertClose, fromJson, requireTorch, runPython } from "../helpers/pytorch.ts";
import { TheModelClass, TinyResNet } from "./models.ts";

interface ParityOut {
  state_dict: [string, JsonTensor][];
  x: JsonTensor;
  target: JsonTensor;
  out: JsonTensor;
  loss: JsonTensor;
  grads: [string, JsonTensor][];
  x_grad: JsonTensor;
  after: [string, JsonTensor][];
}

/** Close within 1e-5 relative, the absolute floor scaled by the expected tensor's largest magnitude. */
function close(actual: torch.Tensor, expected: torch.Tensor, what: string): void {
  const scale = expected.numel() ? Number(expected.abs().max().item()) : 0;
  assertClose(actual.to("float64"), expected.to("float64"), 1e-5, 1e-5 * scale + 1e-12, what);
}

const CASES = [
  { model: "TheModelClass", mode: "train", dropout: 0, shape: [4, 3, 32, 32] },
  { model: "TheModelClass", mode: "eval", dropout: 0, shape: [4, 3, 32, 32] },
  { model: "TinyResNet", mode: "train", dropout: 0, shape: [4, 3, 16, 16] },
  { model: "TinyResNet", mode: "eval", dropout: 0.5, shape: [4, 3, 16, 16] },
] as const;

for (const [i, c] of CASES.entries()) {
  test(`${c.model} (${c.mode}, dropout p=${c.dropout}): forward, loss, gradients and running stats match PyTorch`, (t) => {
    if (!requireTorch(t)) return;
    const py = runPython<ParityOut>("nn_parity.py", { ...c, seed: 100 + i });
    const model = c.model === "TheModelClass" ? new TheModelClass() : new TinyResNet(c.dropout);
    const sd = Object.fromEntries(py.state_dict.map(([k, v]) => [k, fromJson(v)]));
    assert.equal(String(model.loadStateDict(sd)), "<All keys matched successfully>");
    assert.deepEqual(Object.keys(model.stateDict()), py.state_dict.map(([k]) => k));

    const x = fromJson(py.x).requiresGrad_();
    const target = fromJson(py.target);
    model.train(c.mode === "train");
    const out = model.call(x);
    const loss = new nn.CrossEntropyLoss().call(out, target);
    close(out, fromJson(py.out), "output");
    close(loss, fromJson(py.loss), "loss");
    loss.backward();
    const grads = new Map(py.grads.map(([k, v]) => [k, fromJson(v)]));
    assert.deepEqual(model.namedParameters().map(([k]) => k), [...grads.keys()]);
    for (const [name, p] of model.namedParameters()) {
      assert.ok(p.grad, `${name} has a gradient`);
      close(p.grad, grads.get(name) as torch.Tensor, `grad of ${name}`);
    }
    close(x.grad as torch.Tensor, fromJson(py.x_grad), "grad of the input");
    const after = model.stateDict();
    for (const [name, v] of py.after) close(after[name], fromJson(v), `${name} after forward`);
  });
}
