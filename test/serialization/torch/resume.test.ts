/**
 * Resuming training across the two implementations through the tutorial's general checkpoint
 * ({ epoch, model_state_dict, optimizer_state_dict, loss }): a run checkpointed after N steps by one side and continued
 * for M steps by the other matches the first side continuing for M steps (1e-5), with SGD (momentum) and Adam.
 * The batches are random tensors made here and given to PyTorch.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { describe } from "../../helpers/describe.ts";
import { assertClose, fromJson, type JsonTensor, requireTorch, runPython } from "../../helpers/pytorch.ts";
import {
  OPTIMIZERS, TheModelClass, batchesJson, generalCheckpoint, makeBatches, tempDir, trainStep,
} from "./interop.ts";
import type { Described } from "../../helpers/describe.ts";

const dir = tempDir("resume");
const N = 3;
const M = 3;

interface PyTrain {
  losses: number[];
  params: Record<string, JsonTensor>;
  optimizer_state_dict: Described;
  loaded_optimizer_state_dict?: Described;
  resumed_epoch?: number;
}

function assertParamsClose(model: TheModelClass, expected: Record<string, JsonTensor>, what: string): void {
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(expected));
  for (const [key, value] of Object.entries(sd)) assertClose(value as torch.Tensor, fromJson(expected[key]), 1e-5, 1e-6, `${what}: ${key}`);
}

for (const name of ["SGD", "Adam"] as const) {
  suite(`resume with ${name}`, () => {
    const batches = makeBatches(N + M, name === "SGD" ? 11 : 12);

    it(`PyTorch trains ${N} steps and saves; tsorch continues ${M} steps like PyTorch does`, async (t) => {
      if (!requireTorch(t)) return;
      const path = join(dir, `py-${name}.tar`);
      const py = runPython<PyTrain>("checkpoint_io.py", {
        cmd: "train", optimizer: name, kwargs: OPTIMIZERS[name].kwargs, batches: batchesJson(batches), save_after: N, save_path: path,
      });
      const ckpt = await torch.load(path);
      assert.equal(ckpt.epoch, N);
      assert.ok(Math.abs(ckpt.loss - py.losses[N - 1]) < 1e-12, "loss");
      const model = new TheModelClass();
      const opt = OPTIMIZERS[name].make(model);
      model.loadStateDict(ckpt.model_state_dict);
      opt.loadStateDict(ckpt.optimizer_state_dict);
      const losses = batches.slice(N).map((b) => trainStep(model, opt, b));
      losses.forEach((l, i) => assert.ok(Math.abs(l - py.losses[N + i]) <= 1e-5 * Math.abs(py.losses[N + i]), `loss ${N + i}: ${l} vs ${py.losses[N + i]}`));
      assertParamsClose(model, py.params, "parameters after resuming in tsorch");
    });

    it(`tsorch trains ${N} steps and saves; PyTorch continues ${M} steps like tsorch does`, (t) => {
      if (!requireTorch(t)) return;
      const path = join(dir, `ts-${name}.tar`);
      torch.manualSeed(5);
      const model = new TheModelClass();
      const opt = OPTIMIZERS[name].make(model);
      const losses: number[] = [];
      for (const [i, batch] of batches.entries()) {
        losses.push(trainStep(model, opt, batch));
        if (i + 1 === N) torch.saveSync(generalCheckpoint(N, model, opt, losses[N - 1]), path);
      }
      const py = runPython<PyTrain>("checkpoint_io.py", {
        cmd: "train", optimizer: name, kwargs: OPTIMIZERS[name].kwargs, batches: batchesJson(batches.slice(N)), resume: path,
      });
      assert.equal(py.resumed_epoch, N);
      // PyTorch's optimizer kept every saved state entry (int keys matched its parameters)
      const saved = torch.loadSync(path).optimizer_state_dict;
      assert.deepEqual(py.loaded_optimizer_state_dict, describe(saved));
      py.losses.forEach((l, i) => assert.ok(Math.abs(l - losses[N + i]) <= 1e-5 * Math.abs(losses[N + i]), `loss ${N + i}: ${l} vs ${losses[N + i]}`));
      assertParamsClose(model, py.params, "parameters after resuming in PyTorch");
    });
  });
}
