/** Runs the same optimizer (and scheduler) in tsorch and in PyTorch 1.13 over the same gradients, and compares. */
import * as torch from "../../src/index.ts";
import * as optim from "../../src/optim/index.ts";
import { snakeCase } from "../../src/optim/optimizer.ts";
import { runPython, toJson, type JsonTensor } from "../helpers/pytorch.ts";
import { assertTaggedClose, tagged, type Tagged } from "../helpers/tagged.ts";

/** One parity scenario. */
export interface Scenario {
  optimizer: "SGD" | "Adam" | "AdamW";
  /** Constructor options, camelCased as tsorch takes them (sent to Python in snake_case). */
  options?: Record<string, unknown>;
  /** Parameter groups: indices into the parameters plus group options (snake_case, sent as they are). */
  groups?: Array<Record<string, unknown> & { params: number[] }>;
  /** Shapes of the parameters. */
  shapes: number[][];
  /** Number of steps. */
  steps: number;
  /** (step, param) pairs that get no gradient (grad = null) at that step. */
  noGrad?: Array<[number, number]>;
  /** Learning rates set by hand before a step, one per group. */
  lrChanges?: Record<number, number[]>;
  /** An LR scheduler stepped after each optimizer step. */
  scheduler?: { kind: "StepLR" | "ExponentialLR" | "CosineAnnealingLR"; args: number[]; options?: Record<string, unknown> };
  seed?: number;
}

/** What PyTorch printed for a scenario (see test/pytorch/optim.py). */
export interface PythonRun {
  initial_state_dict: Tagged;
  initial_scheduler?: { last_lr: number[]; state_dict: Tagged };
  steps: Array<{ params: JsonTensor[]; state_dict: Tagged; last_lr?: number[]; scheduler_state_dict?: Tagged }>;
}

/** The inputs of a scenario: parameters and per-step gradients drawn from a seeded generator. */
export function inputs(s: Scenario): { params: torch.Tensor[]; grads: (torch.Tensor | null)[][] } {
  torch.manualSeed(s.seed ?? 0);
  const params = s.shapes.map((shape) => torch.randn(shape));
  const grads = Array.from({ length: s.steps }, (_, step) =>
    s.shapes.map((shape, i) => (s.noGrad?.some(([k, j]) => k === step && j === i) ? null : torch.randn(shape))));
  return { params, grads };
}

/** Builds the tsorch optimizer of a scenario over `params`. */
export function makeOptimizer(s: Scenario, params: torch.Tensor[]): optim.Optimizer {
  const Cls = { SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW }[s.optimizer];
  const groups = s.groups?.map((g) => ({ ...g, params: g.params.map((i) => params[i]) }));
  return new Cls((groups ?? params) as never, (s.options ?? {}) as never);
}

/** Builds the tsorch scheduler of a scenario. */
export function makeScheduler(s: Scenario, opt: optim.Optimizer): optim.lr_scheduler.LRScheduler | undefined {
  if (!s.scheduler) return undefined;
  const { kind, args, options = {} } = s.scheduler;
  if (kind === "StepLR") return new optim.lr_scheduler.StepLR(opt, args[0], options);
  if (kind === "ExponentialLR") return new optim.lr_scheduler.ExponentialLR(opt, args[0], options);
  return new optim.lr_scheduler.CosineAnnealingLR(opt, args[0], options);
}

function snakeKeys(o: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snakeCase(k), v]));
}

/** Runs the scenario in PyTorch. */
export function runInPyTorch(s: Scenario, extra: Record<string, unknown> = {}): PythonRun {
  const { params, grads } = inputs(s);
  return runPython<PythonRun>("optim.py", {
    optimizer: s.optimizer,
    kwargs: snakeKeys(s.options),
    params: params.map(toJson),
    groups: s.groups ?? null,
    grads: grads.map((row) => row.map((g) => (g ? toJson(g) : null))),
    lr_changes: s.lrChanges ?? {},
    scheduler: s.scheduler ? { kind: s.scheduler.kind, args: s.scheduler.args, kwargs: snakeKeys(s.scheduler.options) } : null,
    ...extra,
  });
}

/** One tsorch step of a scenario: set lrs and grads, step the optimizer, step the scheduler. */
export function stepOnce(s: Scenario, k: number, opt: optim.Optimizer, params: torch.Tensor[], grads: (torch.Tensor | null)[][], sched?: optim.lr_scheduler.LRScheduler): void {
  s.lrChanges?.[k]?.forEach((lr, i) => (opt.paramGroups[i].lr = lr));
  params.forEach((p, i) => (p.grad = grads[k][i] ? grads[k][i]!.clone() : null));
  opt.step();
  sched?.step();
}

/** Runs the scenario in both and asserts params, optimizer state dicts and scheduler state agree at every step. */
export function assertParity(s: Scenario, rtol = 0): void {
  const py = runInPyTorch(s);
  const { params, grads } = inputs(s);
  params.forEach((p) => p.requiresGrad_(true));
  const opt = makeOptimizer(s, params);
  const sched = makeScheduler(s, opt);
  assertTaggedClose(tagged(opt.stateDict()), py.initial_state_dict, 0, "initial state_dict");
  if (sched) {
    assertTaggedClose(tagged(sched.stateDict()), py.initial_scheduler!.state_dict, rtol, "initial scheduler state_dict");
  }
  for (let k = 0; k < s.steps; k++) {
    stepOnce(s, k, opt, params, grads, sched);
    const expected = py.steps[k];
    params.forEach((p, i) => assertTaggedClose(tagged(p.detach()), { tensor: expected.params[i] }, rtol, `step ${k} param ${i}`));
    assertTaggedClose(tagged(opt.stateDict()), expected.state_dict, rtol, `step ${k} state_dict`);
    if (sched) {
      const lastLr = { list: sched.getLastLr().map((x) => ({ float: x })) };
      assertTaggedClose(lastLr, { list: expected.last_lr!.map((x) => ({ float: x })) }, rtol, `step ${k} last lr`);
      assertTaggedClose(tagged(sched.stateDict()), expected.scheduler_state_dict!, rtol, `step ${k} scheduler state_dict`);
    }
  }
}
