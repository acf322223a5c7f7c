import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";
import { requireTorch } from "../helpers/pytorch.ts";
import { tagged } from "../helpers/tagged.ts";
import { assertParity, type Scenario } from "./parity.ts";

const shapes = [[2, 3], [4]];
const cases: Record<string, Scenario> = {
  "StepLR(step_size=3) over 7 epochs": { optimizer: "SGD", options: { lr: 0.001 }, shapes, steps: 7, scheduler: { kind: "StepLR", args: [3] } },
  "StepLR with gamma 0.5 on two groups of Adam": {
    optimizer: "Adam", options: { lr: 0.01 }, shapes, steps: 7, groups: [{ params: [0] }, { params: [1], lr: 0.1 }],
    scheduler: { kind: "StepLR", args: [2], options: { gamma: 0.5 } },
  },
  "ExponentialLR": { optimizer: "SGD", options: { lr: 0.1, momentum: 0.9 }, shapes, steps: 5, scheduler: { kind: "ExponentialLR", args: [0.9] } },
  "CosineAnnealingLR past T_max": {
    optimizer: "AdamW", shapes, steps: 8, scheduler: { kind: "CosineAnnealingLR", args: [3], options: { etaMin: 0.0001 } },
  },
};

for (const [name, scenario] of Object.entries(cases)) {
  test(`${name} matches PyTorch 1.13 (lrs, optimizer and scheduler state dicts)`, (t) => {
    if (!requireTorch(t)) return;
    assertParity(scenario);
  });
}

test("StepLR's state dict is 1.13's (spec section 5) and initial_lr joins the groups", () => {
  const p = torch.zeros(2).requiresGrad_(true);
  const opt = new optim.SGD([p], { lr: 0.001, momentum: 0.9 });
  const sched = new optim.lr_scheduler.StepLR(opt, 3);
  assert.deepEqual(tagged(sched.stateDict()), tagged({
    step_size: 3, gamma: 0.1, base_lrs: [0.001], last_epoch: 0, verbose: false, _step_count: 1,
    _get_lr_called_within_step: false, _last_lr: [0.001],
  }));
  assert.deepEqual(Object.keys(opt.stateDict().param_groups[0]),
    ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "initial_lr", "params"]);
});

test("a scheduler resumed from its state dict continues the schedule", () => {
  const run = (resumeAt: number) => {
    const p = torch.zeros(2).requiresGrad_(true);
    let opt = new optim.SGD([p], { lr: 1 });
    let sched: optim.lr_scheduler.LRScheduler = new optim.lr_scheduler.StepLR(opt, 2, { gamma: 0.5 });
    const lrs: number[] = [];
    for (let epoch = 0; epoch < 7; epoch++) {
      if (epoch === resumeAt) {
        const [optState, schedState] = [opt.stateDict(), sched.stateDict()];
        opt = new optim.SGD([p], { lr: 1 });
        opt.loadStateDict(optState);
        sched = new optim.lr_scheduler.StepLR(opt, 2, { gamma: 0.5 });
        sched.loadStateDict(schedState);
      }
      p.grad = torch.ones(2);
      opt.step();
      sched.step();
      lrs.push(opt.paramGroups[0].lr as number);
    }
    return { lrs, state: tagged(sched.stateDict()) };
  };
  const straight = run(-1);
  assert.deepEqual(straight.lrs, [1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]);
  assert.deepEqual(run(3), straight);
});

test("step(epoch) uses the closed form; resuming needs initial_lr", () => {
  const p = torch.zeros(2).requiresGrad_(true);
  const opt = new optim.SGD([p], { lr: 0.8 });
  const sched = new optim.lr_scheduler.StepLR(opt, 2, { gamma: 0.5 });
  opt.step();
  sched.step(5);
  assert.deepEqual(sched.getLastLr(), [0.2]);
  const resumed = new optim.lr_scheduler.ExponentialLR(opt, 0.5, { lastEpoch: 5 });
  assert.equal(resumed.lastEpoch, 6);
  assert.deepEqual(resumed.getLastLr(), [0.1]);
});
