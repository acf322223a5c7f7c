import { test } from "node:test";
import { requireTorch } from "../helpers/pytorch.ts";
import { worst } from "../helpers/tagged.ts";
import { assertParity, type Scenario } from "./parity.ts";

const shapes = [[3, 4], [5], [2, 2, 2]];
const cases: Record<string, Scenario> = {
  "Adam defaults": { optimizer: "Adam", shapes, steps: 3 },
  "Adam amsgrad": { optimizer: "Adam", options: { lr: 0.01, amsgrad: true }, shapes, steps: 3 },
  "Adam weight decay, betas, eps": { optimizer: "Adam", options: { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }, shapes, steps: 3 },
  "Adam maximize + amsgrad + weight decay, many steps": {
    optimizer: "Adam", options: { lr: 0.005, amsgrad: true, maximize: true, weightDecay: 0.01 }, shapes, steps: 12,
  },
  "Adam groups, late grads, lr by hand": {
    optimizer: "Adam", options: { lr: 0.01 }, shapes, steps: 3, noGrad: [[0, 1]],
    groups: [{ params: [1] }, { params: [0, 2], lr: 0.1, amsgrad: true }], lrChanges: { 2: [0.003, 0.2] },
  },
  "AdamW defaults (weight_decay 1e-2)": { optimizer: "AdamW", shapes, steps: 3 },
  "AdamW amsgrad, weight decay, maximize": {
    optimizer: "AdamW", options: { lr: 0.01, weightDecay: 0.1, amsgrad: true, maximize: true }, shapes, steps: 5,
  },
  "AdamW groups": {
    optimizer: "AdamW", options: { lr: 0.01 }, shapes, steps: 3, groups: [{ params: [2, 0], weight_decay: 0 }, { params: [1], betas: [0.5, 0.6] }],
  },
};

for (const [name, scenario] of Object.entries(cases)) {
  test(`${name} matches PyTorch 1.13`, (t) => {
    if (!requireTorch(t)) return;
    assertParity(scenario);
  });
}

test("Adam/AdamW parity report", () => {
  console.log(`Adam/AdamW: largest relative difference from PyTorch: ${worst.relative}`);
});
