/**
 * Tutorial section 1, "What is a state_dict?": a model's state dict maps each parameter and persistent
 * buffer to a tensor; an optimizer's holds its state and hyperparameters. Prints both in the tutorial's
 * format and asserts every line.
 *
 * Run: npx tsx examples/01-state-dict.ts
 */
import assert from "node:assert/strict";
import * as torch from "../src/index.ts";
import { optim } from "../src/index.ts";
import { runIfMain } from "./helpers.ts";
import { TheModelClass } from "./the-model-class.ts";

const { pyRepr } = torch;

/** What PyTorch 1.13 prints for the tutorial's code (checked against /usr/bin/python3). */
export const EXPECTED_OUTPUT = [
  "Model's state_dict:",
  "conv1.weight \t torch.Size([6, 3, 5, 5])",
  "conv1.bias \t torch.Size([6])",
  "conv2.weight \t torch.Size([16, 6, 5, 5])",
  "conv2.bias \t torch.Size([16])",
  "fc1.weight \t torch.Size([120, 400])",
  "fc1.bias \t torch.Size([120])",
  "fc2.weight \t torch.Size([84, 120])",
  "fc2.bias \t torch.Size([84])",
  "fc3.weight \t torch.Size([10, 84])",
  "fc3.bias \t torch.Size([10])",
  "Optimizer's state_dict:",
  "state \t {}",
  "param_groups \t [{'lr': 0.001, 'momentum': 0.9, 'dampening': 0, 'weight_decay': 0, 'nesterov': False, " +
    "'maximize': False, 'foreach': None, 'differentiable': False, 'params': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}]",
];

/** Runs the section; returns the printed lines. */
export function main(): string[] {
  const lines: string[] = [];
  const print = (...parts: string[]): void => {
    const line = parts.join(" "); // Python's print(a, b): separated by one space
    lines.push(line);
    console.log(line);
  };

  torch.manualSeed(0);
  // Initialize model
  const model = new TheModelClass();
  // Initialize optimizer
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });

  // Print model's state_dict
  print("Model's state_dict:");
  const modelState = model.stateDict();
  for (const paramTensor of Object.keys(modelState)) {
    print(paramTensor, "\t", String(modelState[paramTensor].size()));
  }

  // Print optimizer's state_dict
  print("Optimizer's state_dict:");
  const optimizerState = optimizer.stateDict();
  for (const [varName, value] of Object.entries(optimizerState)) {
    print(varName, "\t", pyRepr(value));
  }

  assert.deepEqual(lines, EXPECTED_OUTPUT);
  // Only layers with learnable parameters (and registered buffers) have entries: pool has none.
  assert.ok(!Object.keys(modelState).some((k) => k.startsWith("pool")));
  // Values are tensors that share memory with the parameters (detached).
  assert.equal(modelState["fc3.bias"].dataPtr(), model.fc3.bias!.dataPtr());
  assert.equal(modelState["fc3.bias"].requiresGrad, false);
  return lines;
}

runIfMain(import.meta.url, main);
