/**
 * Tutorial section 4, "Saving & Loading a General Checkpoint for Inference and/or Resuming Training": save
 * the epoch, the model's and the optimizer's state dicts and the last loss in one dictionary (a `.tar` by
 * convention), load it into a freshly built model and optimizer, and either `eval()` for inference or
 * `train()` to continue training. Shows that continuing from the checkpoint gives exactly the training an
 * uninterrupted run does, and that the optimizer's state (SGD's momentum buffers) is what makes it exact.
 *
 * Run: npx tsx examples/04-general-checkpoint.ts
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as torch from "../src/index.ts";
import { F, optim } from "../src/index.ts";
import { runIfMain, withTempDir } from "./helpers.ts";
import { TheModelClass } from "./the-model-class.ts";

const { DataLoader, makeShapesDataset } = torch.utils.data;
const { pyRepr } = torch;

const { train, test } = makeShapesDataset({ train: 640, test: 200, seed: 0 });
const trainLoader = new DataLoader(train, { batchSize: 32 });

/** One pass over the training data; returns the mean loss. */
function trainOneEpoch(model: TheModelClass, optimizer: optim.Optimizer): number {
  model.train();
  let total = 0;
  for (const [inputs, labels] of trainLoader) {
    optimizer.zeroGrad();
    const loss = F.crossEntropy(model.forward(inputs), labels);
    loss.backward();
    optimizer.step();
    total += (loss.item() as number) * inputs.size(0);
  }
  return total / train.length;
}

/** Test accuracy in eval mode. */
function accuracy(model: TheModelClass): number {
  model.eval();
  const [images, labels] = test.tensors;
  const predictions = torch.noGrad(() => model.forward(images)).argmax(1);
  return (predictions.eq(labels).sum().item() as number) / test.length;
}

function sameParameters(a: TheModelClass, b: TheModelClass): boolean {
  const bParams = b.parameters();
  return a.parameters().every((p, i) => p.equal(bParams[i]));
}

/** Runs the section. */
export async function main(): Promise<void> {
  await withTempDir("04", async (dir) => {
    const PATH = join(dir, "checkpoint.tar");
    torch.manualSeed(0);
    const model = new TheModelClass();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });

    // Train two epochs, then save a general checkpoint.
    let LOSS = 0;
    for (let epoch = 1; epoch <= 2; epoch++) {
      LOSS = trainOneEpoch(model, optimizer);
      console.log(`epoch ${epoch}: loss ${LOSS.toFixed(4)}`);
    }
    const EPOCH = 2;
    await torch.save({
      epoch: EPOCH,
      model_state_dict: model.stateDict(),
      optimizer_state_dict: optimizer.stateDict(),
      loss: LOSS,
    }, PATH);

    // ---- Load ----------------------------------------------------------------------------------
    const model2 = new TheModelClass();
    const optimizer2 = new optim.SGD(model2.parameters(), { lr: 0.05, momentum: 0.9 });
    const checkpoint = await torch.load(PATH);
    model2.loadStateDict(checkpoint.model_state_dict);
    optimizer2.loadStateDict(checkpoint.optimizer_state_dict);
    const epoch: number = checkpoint.epoch;
    const loss: number = checkpoint.loss;
    console.log(`loaded checkpoint: ${pyRepr(Object.keys(checkpoint))}, epoch ${epoch}, loss ${loss.toFixed(4)}`);
    assert.deepEqual(Object.keys(checkpoint), ["epoch", "model_state_dict", "optimizer_state_dict", "loss"]);
    assert.equal(epoch, EPOCH);
    assert.equal(loss, LOSS); // a Python float: all 64 bits survive
    assert.ok(sameParameters(model2, model));
    // The momentum buffers came back too: one per parameter.
    const state = optimizer2.stateDict().state as Map<number, { momentum_buffer: torch.Tensor }>;
    assert.equal(state.size, 10);
    assert.ok(state.get(0)!.momentum_buffer.equal((optimizer.stateDict().state as typeof state).get(0)!.momentum_buffer));

    // - for inference: eval() (Dropout and BatchNorm to evaluation mode)
    model2.eval();
    assert.ok(model2.modules().every((m) => !m.training));
    const acc = accuracy(model2);
    console.log(`model2.eval(): test accuracy ${(100 * acc).toFixed(1)}% (the same as the saved model's)`);
    assert.equal(acc, accuracy(model));

    // - or, to resume training: train()
    model2.train();
    assert.ok(model2.modules().every((m) => m.training));
    const resumedLoss = trainOneEpoch(model2, optimizer2);
    const uninterruptedLoss = trainOneEpoch(model, optimizer);
    console.log(`epoch ${epoch + 1}: loss ${resumedLoss.toFixed(4)} resumed, ${uninterruptedLoss.toFixed(4)} uninterrupted`);
    assert.equal(resumedLoss, uninterruptedLoss);
    assert.ok(sameParameters(model2, model), "resuming from the checkpoint continues the same training exactly");

    // Without the optimizer's state, momentum restarts from zero and training takes another path.
    const model3 = new TheModelClass();
    model3.loadStateDict(checkpoint.model_state_dict);
    const freshOptimizer = new optim.SGD(model3.parameters(), { lr: 0.05, momentum: 0.9 });
    trainOneEpoch(model3, freshOptimizer);
    assert.ok(!sameParameters(model3, model));
    console.log("without optimizer_state_dict (momentum restarted) the parameters differ after one more epoch");
  });
}

runIfMain(import.meta.url, main);
