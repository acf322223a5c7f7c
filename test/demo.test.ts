/**
 * examples/demo.ts: a resumed run ends bit for bit where an uninterrupted one does, the options behave, and the
 * checkpoints it writes load in real PyTorch, where the model makes the same predictions on the same test images.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as torch from "../src/index.ts";
import { makeShapesDataset } from "../src/data/index.ts";
import { saveSafetensorsFile } from "../src/serialization/safetensors/index.ts";
import { TheModelClass } from "../examples/the-model-class.ts";
import { requireTorch, runPython } from "./helpers/pytorch.ts";

const DEMO = join(import.meta.dirname, "..", "examples", "demo.ts");
const SHORT = ["--epochs", "3", "--train", "1000", "--test", "200", "--lr", "0.05"];
let dir = "";

function demo(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", DEMO, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function mustRun(...args: string[]): string {
  const result = demo(...args);
  assert.equal(result.status, 0, `demo ${args.join(" ")} failed:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** Every byte of every tensor in `a` and `b` (nested dicts, lists and Maps) equal, and the other values too. */
function assertIdentical(a: unknown, b: unknown, path = "checkpoint"): void {
  if (a instanceof torch.Tensor) {
    assert.ok(b instanceof torch.Tensor, `${path}: not a tensor`);
    assert.equal(a.dtype, b.dtype, `${path}: dtype`);
    assert.deepEqual(a.dims, b.dims, `${path}: shape`);
    const bytes = (t: torch.Tensor) => {
      const array = t.contiguous().toTypedArray();
      return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    };
    assert.ok(bytes(a).equals(bytes(b)), `${path}: values differ`);
  } else if (a instanceof Map) {
    assert.ok(b instanceof Map, `${path}: not a Map`);
    assert.deepEqual([...a.keys()], [...b.keys()], `${path}: keys`);
    for (const [k, v] of a) assertIdentical(v, b.get(k), `${path}[${String(k)}]`);
  } else if (typeof a === "object" && a !== null) {
    assert.deepEqual(Object.keys(a), Object.keys(b as object), `${path}: keys`);
    for (const [k, v] of Object.entries(a)) assertIdentical(v, (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    assert.equal(Number(a), Number(b), path);
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "tsorch-demo-"));
  mustRun(...SHORT, "--out", join(dir, "uninterrupted"));
  mustRun("--resume", join(dir, "uninterrupted", "epoch-1.tar"), "--out", join(dir, "resumed"));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a run resumed from epoch 1 ends with exactly the parameters of the uninterrupted run", () => {
  for (const epoch of [2, 3]) {
    const full = torch.loadSync(join(dir, "uninterrupted", `epoch-${epoch}.tar`));
    const resumed = torch.loadSync(join(dir, "resumed", `epoch-${epoch}.tar`));
    assert.equal(full.epoch, epoch);
    // Everything: parameters, momentum buffers, scheduler, RNG and data-order state, loss, history.
    assertIdentical(resumed, full, `epoch-${epoch}.tar`);
  }
  assert.ok(!existsSync(join(dir, "resumed", "epoch-1.tar")), "the resumed run starts at epoch 2");
  assertIdentical(torch.loadSync(join(dir, "resumed", "best.pt")), torch.loadSync(join(dir, "uninterrupted", "best.pt")), "best.pt");
  const first = torch.loadSync(join(dir, "uninterrupted", "epoch-1.tar"));
  const last = torch.loadSync(join(dir, "uninterrupted", "epoch-3.tar"));
  assert.ok(!first.model_state_dict["fc3.weight"].equal(last.model_state_dict["fc3.weight"]), "training changed the weights");
});

test("the checkpoints hold the tutorial's entries and what resuming needs", () => {
  const checkpoint = torch.loadSync(join(dir, "uninterrupted", "epoch-3.tar"));
  assert.deepEqual(Object.keys(checkpoint), [
    "epoch", "model_state_dict", "optimizer_state_dict", "scheduler_state_dict", "loss", "test_accuracy",
    "best_accuracy", "best_epoch", "rng_state", "dataloader_state_dict", "config", "history",
  ]);
  assert.equal(checkpoint.rng_state.dtype, torch.uint8);
  assert.equal(checkpoint.history.length, 3);
  assert.ok(checkpoint.best_accuracy > 0.2, `best accuracy ${checkpoint.best_accuracy} should be well above chance (0.1)`);
});

test("resuming a finished run rewrites best.pt from the best epoch's checkpoint", () => {
  const out = join(dir, "from-epoch-2");
  const stdout = mustRun("--resume", join(dir, "uninterrupted", "epoch-2.tar"), "--epochs", "2", "--out", out);
  assert.match(stdout, /nothing to train/);
  const epoch2 = torch.loadSync(join(dir, "uninterrupted", "epoch-2.tar"));
  assert.equal(epoch2.best_epoch, 2);
  assertIdentical(torch.loadSync(join(out, "best.pt")), epoch2.model_state_dict, "best.pt");
});

test("--help, bad options and bad resume files", () => {
  const help = demo("--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: npm run demo -- \[options\]/);
  assert.match(help.stdout, /--resume FILE/);
  const bad = demo("--epochs", "zero");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--epochs must be an integer >= 1, got 'zero'/);
  const unknown = demo("--bogus");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown option '--bogus'/);
  const missing = demo("--resume", join(dir, "nope.tar"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  const notDemo = demo("--resume", join(dir, "uninterrupted", "best.pt"));
  assert.equal(notDemo.status, 2);
  assert.match(notDemo.stderr, /is not a checkpoint written by this demo/);
  const conflict = demo("--resume", join(dir, "uninterrupted", "epoch-1.tar"), "--train", "500");
  assert.equal(conflict.status, 2);
  assert.match(conflict.stderr, /trained with train = 1000, not 500/);
});

interface PythonEvaluation {
  predictions: number[];
  accuracy: number;
  load: string;
  logits_head: number[];
}

test("PyTorch loads the demo's checkpoints and its model predicts what tsorch's does", (t) => {
  if (!requireTorch(t)) return;
  const { test: testSet } = makeShapesDataset({ train: 1000, test: 200, seed: 0 });
  const [images, labels] = testSet.tensors;
  const dataPath = join(dir, "test.safetensors");
  saveSafetensorsFile(dataPath, { images, labels });
  const checkpointPath = join(dir, "uninterrupted", "epoch-3.tar");
  const bestPath = join(dir, "uninterrupted", "best.pt");
  const out = runPython<{
    keys: string[]; epoch: number; loss: number; loss_type: string; best_accuracy: number; best_epoch: number;
    rng_state: [string, number[]]; config: Record<string, number>; optimizer_lr: number; momentum_buffers: number;
    scheduler_last_epoch: number; checkpoint_model: PythonEvaluation; best_model: PythonEvaluation;
  }>("demo_eval.py", { checkpoint: checkpointPath, best: bestPath, data: dataPath });

  const checkpoint = torch.loadSync(checkpointPath);
  assert.deepEqual(out.keys, Object.keys(checkpoint));
  assert.equal(out.epoch, 3);
  assert.equal(out.loss, checkpoint.loss);
  assert.equal(out.loss_type, "float");
  assert.deepEqual(out.rng_state, ["torch.uint8", [checkpoint.rng_state.numel()]]);
  assert.equal(out.momentum_buffers, 10);
  assert.equal(out.scheduler_last_epoch, 3);
  assert.equal(out.config.train, 1000);

  for (const [name, state, python] of [
    ["epoch-3.tar", checkpoint.model_state_dict, out.checkpoint_model],
    ["best.pt", torch.loadSync(bestPath), out.best_model],
  ] as const) {
    assert.equal(python.load, "<All keys matched successfully>", name);
    const model = new TheModelClass();
    model.loadStateDict(state);
    model.eval();
    const logits = torch.noGrad(() => model.forward(images));
    const predictions = Array.from(logits.argmax(1).toTypedArray(), Number);
    assert.deepEqual(python.predictions, predictions, `${name}: PyTorch's predictions differ from tsorch's`);
    const head = Array.from(logits.narrow(0, 0, 4).contiguous().toTypedArray(), Number);
    head.forEach((v, i) => assert.ok(Math.abs(v - python.logits_head[i]) < 1e-4, `${name}: logit ${i}: ${v} vs ${python.logits_head[i]}`));
    const accuracy = predictions.filter((p, i) => p === Number(labels.toTypedArray()[i])).length / predictions.length;
    assert.equal(python.accuracy, accuracy, name);
  }
  assert.equal(out.best_model.accuracy, out.best_accuracy, "best.pt reaches the accuracy the checkpoint records");
  assert.ok(out.best_accuracy > 0.2);
});
