import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";
import { PyFloat } from "../../src/python/float.ts";
import { Tuple } from "../../src/python/tuple.ts";
import { fromJson, requireTorch, runPython } from "../helpers/pytorch.ts";
import { assertTaggedClose, tagged, untagged, type Tagged } from "../helpers/tagged.ts";
import { inputs, makeOptimizer, runInPyTorch, stepOnce, type PythonRun, type Scenario } from "./parity.ts";

const shapes = [[3, 4], [5], [2, 2, 2]];
const scenarios: Record<string, Scenario> = {
  "SGD with momentum": { optimizer: "SGD", options: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 }, shapes, steps: 5, noGrad: [[0, 1]] },
  "Adam with amsgrad": { optimizer: "Adam", options: { lr: 0.01, amsgrad: true }, shapes, steps: 5, noGrad: [[0, 0]] },
  "AdamW in two groups": {
    optimizer: "AdamW", options: { lr: 0.01 }, shapes, steps: 5, groups: [{ params: [2] }, { params: [0, 1], lr: 0.1 }],
  },
};

/** Runs `s` in tsorch; at step `resumeAt`, a fresh optimizer over the same params loads a copy of the state dict. */
function runTsorch(s: Scenario, resumeAt = -1, load?: (opt: optim.Optimizer) => void) {
  const { params, grads } = inputs(s);
  params.forEach((p) => p.requiresGrad_(true));
  let opt = makeOptimizer(s, params);
  const dicts: Tagged[] = [];
  for (let k = 0; k < s.steps; k++) {
    if (k === resumeAt) {
      const saved = opt.stateDict();
      opt = makeOptimizer(s, params);
      if (load) load(opt);
      else opt.loadStateDict(saved);
    }
    stepOnce(s, k, opt, params, grads);
    dicts.push(tagged(opt.stateDict()));
  }
  return { params, opt, dicts };
}

for (const [name, s] of Object.entries(scenarios)) {
  test(`${name}: resuming from stateDict() mid-training continues exactly as uninterrupted training`, () => {
    const straight = runTsorch(s);
    const resumed = runTsorch(s, 2);
    straight.params.forEach((p, i) => assert.ok(p.equal(resumed.params[i]), `param ${i}`));
    assert.deepEqual(resumed.dicts, straight.dicts);
  });

  test(`${name}: tsorch resumes from PyTorch's state dict, and PyTorch from tsorch's`, (t) => {
    if (!requireTorch(t)) return;
    const py = runInPyTorch(s);
    // tsorch loads PyTorch's state dict after step 2 (int keys arrive as a Map) and continues.
    const params = py.steps[1].params.map((j) => fromJson(j).requiresGrad_(true));
    const { grads } = inputs(s);
    const opt = makeOptimizer(s, params);
    const fromPython = untagged(py.steps[1].state_dict) as optim.OptimizerStateDictInput;
    assert.ok(fromPython.state instanceof Map);
    opt.loadStateDict(fromPython);
    assertTaggedClose(tagged(opt.stateDict()), py.steps[1].state_dict, 0, "loaded");
    for (let k = 2; k < s.steps; k++) {
      stepOnce(s, k, opt, params, grads);
      assertTaggedClose(tagged(opt.stateDict()), py.steps[k].state_dict, 0, `step ${k}`);
    }
    // PyTorch loads tsorch's state dict after step 2 into a fresh optimizer and continues.
    const ours = runTsorch(s);
    const resumed = runInPyTorch(s, { load: { at: 2, state_dict: ours.dicts[1] } }) as PythonRun & { loaded_state_dict: Tagged };
    assertTaggedClose(resumed.loaded_state_dict, ours.dicts[1], 0, "loaded by PyTorch");
    for (let k = 2; k < s.steps; k++) assertTaggedClose(resumed.steps[k].state_dict, ours.dicts[k], 0, `PyTorch step ${k}`);
  });
}

test("stateDict(): PyTorch's layout, int indices, params last, live state objects", () => {
  const [a, b, c] = [torch.ones(2), torch.ones(3), torch.ones(1)].map((t) => t.requiresGrad_(true));
  const opt = new optim.Adam([{ params: [a], lr: 0.1 }, { params: [b, c] }], { weightDecay: 0 });
  b.grad = torch.ones(3);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual([...sd.state.keys()], [1]);
  assert.deepEqual(Object.keys(sd.param_groups[1]),
    ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused", "params"]);
  assert.deepEqual(Object.keys(opt.paramGroups[1]),
    ["params", "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused"]);
  assert.deepEqual(sd.param_groups.map((g) => g.params), [[0], [1, 2]]);
  assert.ok(sd.param_groups[0].betas instanceof Tuple);
  assert.equal(sd.state.get(1), opt.state.get(b));
  const step = sd.state.get(1)!.step as torch.Tensor;
  assert.equal(step.dtype, torch.float32);
  assert.deepEqual(step.dims, []);
  assert.deepEqual(Object.keys(new optim.AdamW([a]).paramGroups[0]),
    ["params", "lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable"]);
});

test("loadStateDict(): deep copies, casts floating state to the param's dtype but not step, takes string keys", () => {
  const p = torch.zeros(2).requiresGrad_(true);
  const opt = new optim.Adam([p], { lr: 0.1 });
  const expAvg = torch.tensor([1, 2], { dtype: torch.float64 });
  const saved = {
    state: { "0": { step: torch.tensor(3, { dtype: torch.float64 }), exp_avg: expAvg, exp_avg_sq: torch.tensor([4, 5]) } },
    param_groups: [{ ...opt.stateDict().param_groups[0], lr: new PyFloat(1) }] as optim.PackedParamGroup[],
  };
  opt.loadStateDict(saved);
  const state = opt.state.get(p)!;
  assert.equal((state.exp_avg as torch.Tensor).dtype, torch.float32);
  assert.equal((state.exp_avg_sq as torch.Tensor).dtype, torch.float32);
  assert.equal((state.step as torch.Tensor).dtype, torch.float64);
  assert.notEqual(state.step, saved.state["0"].step);
  expAvg.fill_(9);
  assert.deepEqual((state.exp_avg as torch.Tensor).tolist(), [1, 2]);
  assert.ok(opt.paramGroups[0].lr instanceof PyFloat);
  assert.notEqual(opt.paramGroups[0].betas, saved.param_groups[0].betas);
  assert.equal(opt.paramGroups[0].params[0], p);
  p.grad = torch.ones(2);
  opt.step(); // a PyFloat lr works in the update
  assert.equal((state.step as torch.Tensor).item(), 4);
  // An empty state dict loaded from a file is a plain object.
  opt.loadStateDict({ state: {}, param_groups: opt.stateDict().param_groups });
  assert.equal(opt.state.size, 0);
});

test("state dicts from older PyTorch get the keys they lack, as __setstate__ adds them", (t) => {
  if (!requireTorch(t)) return;
  const old: Tagged = {
    dict: [
      [{ str: "state" }, { dict: [[{ int: 0 }, { dict: [[{ str: "step" }, { int: 2 }], [{ str: "exp_avg" }, { tensor: { dtype: "float32", shape: [2], data: [0.1, 0.2] } }],
        [{ str: "exp_avg_sq" }, { tensor: { dtype: "float32", shape: [2], data: [0.01, 0.02] } }]] }]] }],
      [{ str: "param_groups" }, { list: [{ dict: [[{ str: "lr" }, { float: 0.01 }], [{ str: "betas" }, { tuple: [{ float: 0.9 }, { float: 0.999 }] }],
        [{ str: "eps" }, { float: 1e-8 }], [{ str: "weight_decay" }, { int: 0 }], [{ str: "params" }, { list: [{ int: 0 }] }]] }] }],
    ],
  };
  const s: Scenario = { optimizer: "Adam", shapes: [[2]], steps: 2 };
  const py = runInPyTorch(s, { load: { at: 0, state_dict: old } }) as PythonRun & { loaded_state_dict: Tagged };
  const { params, grads } = inputs(s);
  params.forEach((p) => p.requiresGrad_(true));
  const opt = makeOptimizer(s, params);
  opt.loadStateDict(untagged(old) as optim.OptimizerStateDictInput);
  assertTaggedClose(tagged(opt.stateDict()), py.loaded_state_dict, 0, "loaded");
  for (let k = 0; k < s.steps; k++) {
    stepOnce(s, k, opt, params, grads);
    assertTaggedClose(tagged(opt.stateDict()), py.steps[k].state_dict, 0, `step ${k}`);
  }
});

test("zeroGrad drops gradients by default (2.x, like Module.zeroGrad) and zeroes them in place with setToNone: false", () => {
  const p = torch.ones(2).requiresGrad_(true);
  const opt = new optim.SGD([p], { lr: 0.1 });
  p.grad = torch.ones(2);
  const grad = p.grad;
  opt.zeroGrad({ setToNone: false });
  assert.equal(p.grad, grad);
  assert.deepEqual(grad.tolist(), [0, 0]);
  opt.zeroGrad();
  assert.equal(p.grad, null);
});

test("step(closure) evaluates the loss with grad enabled and returns it", (t) => {
  if (!requireTorch(t)) return;
  const w = torch.tensor([1, -2, 3], { dtype: torch.float32 }).requiresGrad_(true);
  const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const loss = torch.noGrad(() => opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(w).sum();
      l.backward();
      return l;
    }));
    losses.push(loss!.item() as number);
  }
  const expected = runPython<{ losses: number[]; w: number[] }>(`
import json, torch
w = torch.tensor([1., -2., 3.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
def closure():
    opt.zero_grad()
    l = (w * w).sum()
    l.backward()
    return l
losses = [opt.step(closure).item() for _ in range(3)]
print(json.dumps({"losses": losses, "w": w.tolist()}))`);
  // float32 sum() rounds differently from PyTorch's float32 accumulation (1 ulp), so losses are compared closely.
  losses.forEach((l, i) => assert.ok(Math.abs(l - expected.losses[i]) <= 1e-6 * Math.abs(expected.losses[i]), `loss ${i}`));
  assert.deepEqual(w.tolist(), expected.w);
});

test("an optimizer prints like PyTorch's", () => {
  const opt = new optim.Adam([{ params: [torch.zeros(2).requiresGrad_(true)], lr: 0.1 }]);
  assert.equal(String(opt), "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: False\n    lr: 0.1\n    maximize: False\n    weight_decay: 0\n)");
});
