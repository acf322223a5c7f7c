import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";
import { pyFloat } from "../../src/python/float.ts";
import { requireTorch, runPython } from "../helpers/pytorch.ts";

const a = torch.zeros(2).requiresGrad_();
const b = torch.zeros(3).requiresGrad_();
const c = torch.zeros(1).requiresGrad_();
const nonleaf = a.mul(2);
const { SGD, Adam, AdamW } = optim;

const cases: Record<string, () => unknown> = {
  "sgd lr -1": () => new SGD([a], { lr: -1 }),
  "sgd lr -0.5": () => new SGD([a], { lr: -0.5 }),
  "sgd momentum": () => new SGD([a], { lr: 0.1, momentum: -0.1 }),
  "sgd weight_decay": () => new SGD([a], { lr: 0.1, weightDecay: -1e-5 }),
  "sgd no lr": () => new SGD([a]),
  "sgd group without lr": () => new SGD([{ params: [a], lr: 0.1 }, { params: [b] }]),
  "sgd nesterov without momentum": () => new SGD([a], { lr: 0.1, nesterov: true }),
  "sgd nesterov with dampening": () => new SGD([a], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
  "empty": () => new SGD([], { lr: 0.1 }),
  "a tensor": () => new SGD(a as never, { lr: 0.1 }),
  "a float64 tensor": () => new SGD(a.double() as never, { lr: 0.1 }),
  "not a tensor": () => new SGD([a, 3] as never, { lr: 0.1 }),
  "non-leaf": () => new SGD([nonleaf], { lr: 0.1 }),
  "overlapping groups": () => new SGD([{ params: [a, b] }, { params: [b] }], { lr: 0.1 }),
  "add_param_group overlap": () => new Adam([a, b]).addParamGroup({ params: [b] }),
  "adam lr": () => new Adam([a], { lr: -1e-3 }),
  "adam eps": () => new Adam([a], { eps: -1e-8 }),
  "adam beta0": () => new Adam([a], { betas: [pyFloat(1), 0.999] }),
  "adam beta1": () => new Adam([a], { betas: [0.9, -0.5] }),
  "adam weight_decay": () => new Adam([a], { weightDecay: -0.01 }),
  "adamw beta0": () => new AdamW([a], { betas: [1.5, 0.999] }),
  "adamw weight_decay": () => new AdamW([a], { weightDecay: -1e-2 }),
  "load: group count": () =>
    new SGD([a, b], { lr: 0.1 }).loadStateDict(new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 }).stateDict()),
  "load: group size": () =>
    new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 }).loadStateDict(new SGD([{ params: [a, c] }, { params: [b] }], { lr: 0.1 }).stateDict()),
  "steplr resume without initial_lr": () => new optim.lr_scheduler.StepLR(new SGD([a], { lr: 0.1 }), 3, { lastEpoch: 4 }),
};

test("validation errors carry PyTorch 1.13's exception type and text", (t) => {
  if (!requireTorch(t)) return;
  const expected = runPython<Record<string, [string, string]>>("optim_errors.py");
  assert.deepEqual(Object.keys(cases).sort(), Object.keys(expected).sort());
  for (const [name, make] of Object.entries(cases)) {
    const [type, message] = expected[name];
    assert.notEqual(type, "", `${name}: PyTorch raised nothing`);
    assert.throws(make, (e: unknown) => {
      assert.ok(e instanceof optim.OptimError, `${name}: ${String(e)} is not an OptimError`);
      assert.equal(e.message, message, name);
      assert.equal(e.pythonType, type, name);
      return true;
    });
  }
});

test("options tsorch cannot run are refused, not ignored", () => {
  assert.throws(() => new SGD([a], { lr: 0.1, differentiable: true }), { code: "ERR_OPTIM_NOT_SUPPORTED" });
  assert.throws(() => new Adam([a], { fused: true }), { message: "FusedAdam requires all the params to be CUDA, floating point" });
  const adam = new Adam([a], { capturable: true });
  a.grad = torch.ones(2);
  assert.throws(() => adam.step(), { message: "If capturable=True, params and state_steps must be CUDA tensors." });
  a.grad = null;
});
