/** Shared pieces of the torch.save / torch.load interop tests: a temp folder, the Python driver, TheModelClass training. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import * as torch from "../../../src/index.ts";
import { F, optim } from "../../../src/index.ts";
import type { Described } from "../../helpers/describe.ts";
import { type JsonTensor, runPython, toJson } from "../../helpers/pytorch.ts";
import { TheModelClass } from "../../nn/models.ts";

/** A temp folder for this test file, removed when it ends. */
export function tempDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tsorch-${tag}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What checkpoint_io.py's `describe` returns. */
export interface PyDescribe {
  value?: Described;
  error?: string;
  testzip?: string | null;
  names?: string[];
}

/** Several describe requests in one Python process. */
export function pyDescribeAll(requests: { path: string; weights_only?: boolean; map_location?: string }[]): PyDescribe[] {
  return runPython<PyDescribe[]>("checkpoint_io.py", requests.map((r) => ({ cmd: "describe", ...r })));
}

/** PyTorch builds the named cases and saves them under `dir`; returns each original, described. */
export function pySave(dir: string, cases: string[], legacy: boolean): Record<string, Described> {
  return runPython("checkpoint_io.py", { cmd: "save", dir, cases, legacy });
}

/** One training batch for TheModelClass, as tensors and as JSON for Python. */
export interface Batch {
  x: torch.Tensor;
  y: torch.Tensor;
}

/** Fixed random batches (4 images 3x32x32, labels 0..9). */
export function makeBatches(n: number, seed: number): Batch[] {
  torch.manualSeed(seed);
  return Array.from({ length: n }, () => ({ x: torch.randn(4, 3, 32, 32), y: torch.randint(0, 10, [4]) }));
}

/** Batches in the JSON form train() in checkpoint_io.py reads. */
export function batchesJson(batches: Batch[]): { x: JsonTensor; y: JsonTensor }[] {
  return batches.map((b) => ({ x: toJson(b.x), y: toJson(b.y) }));
}

/** The optimizers the resume tests use, with PyTorch's keyword names. */
export const OPTIMIZERS = {
  SGD: { kwargs: { lr: 0.01, momentum: 0.9 }, make: (m: TheModelClass) => new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 }) },
  Adam: { kwargs: { lr: 0.001, betas: [0.8, 0.99] }, make: (m: TheModelClass) => new optim.Adam(m.parameters(), { lr: 0.001, betas: [0.8, 0.99] }) },
} as const;

/** One optimisation step of TheModelClass on a batch; returns the loss. */
export function trainStep(model: TheModelClass, opt: optim.Optimizer, batch: Batch): number {
  opt.zeroGrad();
  const loss = F.crossEntropy(model.call(batch.x), batch.y);
  loss.backward();
  opt.step();
  return loss.item() as number;
}

/** The tutorial's general checkpoint. */
export function generalCheckpoint(epoch: number, model: TheModelClass, opt: optim.Optimizer, loss: number) {
  return { epoch, model_state_dict: model.stateDict(), optimizer_state_dict: opt.stateDict(), loss };
}

export { TheModelClass };
