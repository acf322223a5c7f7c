import { test } from "node:test";
import { requireTorch } from "../helpers/pytorch.ts";
import { worst } from "../helpers/tagged.ts";
import { assertParity, type Scenario } from "./parity.ts";

const shapes = [[3, 4], [5], [2, 2, 2]];
const cases: Record<string, Scenario> = {
  "plain (momentum 0: momentum_buffer is None)": { optimizer: "SGD", options: { lr: 0.1 }, shapes, steps: 3 },
  "momentum 0.9": { optimizer: "SGD", options: { lr: 0.05, momentum: 0.9 }, shapes, steps: 3 },
  "nesterov": { optimizer: "SGD", options: { lr: 0.05, momentum: 0.9, nesterov: true }, shapes, steps: 3 },
  "weight decay and dampening": { optimizer: "SGD", options: { lr: 0.03, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }, shapes, steps: 3 },
  "maximize": { optimizer: "SGD", options: { lr: 0.02, momentum: 0.5, weightDecay: 0.1, maximize: true }, shapes, steps: 3 },
  "a param without grad gets state later (state order)": {
    optimizer: "SGD", options: { lr: 0.1, momentum: 0.9 }, shapes, steps: 3, noGrad: [[0, 0], [0, 1], [1, 1]],
  },
  "groups with their own lr and momentum, lr changed by hand": {
    optimizer: "SGD", options: { lr: 0.01, momentum: 0.9 }, shapes, steps: 3,
    groups: [{ lr: 0.1, params: [0, 2] }, { params: [1], momentum: 0.5 }],
    lrChanges: { 1: [0.05, 0.02], 2: [0.001, 0.5] },
  },
};

for (const [name, scenario] of Object.entries(cases)) {
  test(`SGD ${name} matches PyTorch 1.13`, (t) => {
    if (!requireTorch(t)) return;
    assertParity(scenario);
  });
}

test("SGD parity report", () => {
  console.log(`SGD: largest relative difference from PyTorch: ${worst.relative}`);
});
