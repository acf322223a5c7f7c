/**
 * Tutorial section 2, "Saving & Loading Model for Inference": save only the learned parameters (the state
 * dict) to a `.pt` file, load them into a freshly built model, and call `eval()` before inference, because
 * Dropout and BatchNorm behave differently in training mode. Also the pitfall that `stateDict()` returns
 * references: a "best model" snapshot must be cloned.
 *
 * Run: npx tsx examples/02-save-load-inference.ts
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as torch from "../src/index.ts";
import { F, nn, optim } from "../src/index.ts";
import { runIfMain, withTempDir } from "./helpers.ts";
import { TheModelClass } from "./the-model-class.ts";

/** A small model with the two layers whose behaviour `eval()` changes. */
class SmallNet extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  bn = new nn.BatchNorm1d(8);
  drop = new nn.Dropout(0.5);
  fc2 = new nn.Linear(8, 2);

  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(this.drop.forward(F.relu(this.bn.forward(this.fc1.forward(x)))));
  }
}

/** Runs the section. */
export async function main(): Promise<void> {
  await withTempDir("02", async (dir) => {
    torch.manualSeed(0);
    const PATH = join(dir, "model.pt");

    // ---- Save ----------------------------------------------------------------------------------
    const model = new TheModelClass();
    await torch.save(model.stateDict(), PATH);
    console.log(`saved the state dict (${Object.keys(model.stateDict()).length} tensors) to model.pt`);

    // ---- Load ----------------------------------------------------------------------------------
    const loaded = new TheModelClass(); // built the same way, with different random weights
    assert.ok(!loaded.conv1.weight.equal(model.conv1.weight));
    const result = loaded.loadStateDict(await torch.load(PATH));
    loaded.eval();
    console.log("loaded.loadStateDict(await torch.load(PATH)) ->", String(result));
    assert.equal(String(result), "<All keys matched successfully>");
    for (const [name, param] of model.namedParameters()) assert.ok(loaded.getParameter(name).equal(param), name);
    const image = torch.randn(1, 3, 32, 32);
    const logits = torch.noGrad(() => loaded.forward(image));
    assert.ok(logits.equal(torch.noGrad(() => model.forward(image))));
    console.log("same logits as the saved model:", String(logits));

    // loadStateDict takes a dict, not a path (PyTorch's message):
    assert.throws(() => loaded.loadStateDict(PATH as never), (error: Error) => {
      console.log("loaded.loadStateDict(PATH) ->", error.message);
      return error.message === "Expected state_dict to be dict-like, got <class 'str'>.";
    });

    // ---- eval() vs train(): Dropout and BatchNorm -----------------------------------------------
    const net = new SmallNet();
    const x = torch.randn(6, 4);
    const meanBefore = net.bn.running_mean!.clone();
    const t1 = net.forward(x);
    const t2 = net.forward(x);
    console.log("\ntrain mode: two passes over the same batch differ (Dropout draws new masks):", !t1.equal(t2));
    assert.ok(!t1.equal(t2));
    assert.ok(!net.bn.running_mean!.equal(meanBefore), "BatchNorm updates its running statistics in training");
    assert.equal(Number(net.bn.num_batches_tracked!.item()), 2);
    console.log("train mode: BatchNorm updated running_mean and counted", String(net.bn.num_batches_tracked), "batches");

    // Save and reload: the buffers (running_mean, running_var, num_batches_tracked) are in the state dict.
    await torch.save(net.stateDict(), join(dir, "small.pt"));
    const restored = new SmallNet();
    restored.loadStateDict(await torch.load(join(dir, "small.pt")));
    assert.deepEqual(Object.keys(restored.stateDict()), [
      "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
      "fc2.weight", "fc2.bias",
    ]);
    assert.ok(restored.bn.running_mean!.equal(net.bn.running_mean!));

    restored.eval();
    const statsBefore = restored.bn.running_mean!.clone();
    const e1 = torch.noGrad(() => restored.forward(x));
    const e2 = torch.noGrad(() => restored.forward(x));
    console.log("eval mode: two passes give the same output:", e1.equal(e2));
    assert.ok(e1.equal(e2));
    assert.ok(restored.bn.running_mean!.equal(statsBefore), "eval() freezes BatchNorm's statistics");
    // In eval mode BatchNorm normalises with the running statistics, so a sample's output no longer depends on
    // the other samples of its batch:
    const alone = torch.noGrad(() => restored.forward(x.narrow(0, 0, 1)));
    assert.ok(alone.allclose(e1.narrow(0, 0, 1), { atol: 1e-6 }));
    const aloneTrain = restored.train().forward(x.narrow(0, 0, 2));
    assert.ok(!aloneTrain.narrow(0, 0, 1).allclose(e1.narrow(0, 0, 1), { atol: 1e-3 }));
    console.log("eval mode: sample 0 alone gives the same output as within its batch:", String(alone));

    // ---- The pitfall: stateDict() returns references ---------------------------------------------
    torch.manualSeed(1);
    const reg = new nn.Linear(3, 1);
    const optimizer = new optim.SGD(reg.parameters(), { lr: 0.1 });
    const inputs = torch.randn(16, 3);
    const targets = inputs.sum(1, true);
    let bestWrong: nn.StateDict | null = null; // best_model_state = model.state_dict()
    let bestRight: nn.StateDict | null = null; // best_model_state = copy.deepcopy(model.state_dict())
    const bestEpoch = 2; // say epoch 2 had the lowest validation loss, and later epochs overfit
    for (let epoch = 0; epoch < 5; epoch++) {
      optimizer.zeroGrad();
      F.mseLoss(reg.forward(inputs), targets).backward();
      optimizer.step();
      if (epoch === bestEpoch) {
        bestWrong = reg.stateDict();
        bestRight = nn.cloneStateDict(reg.stateDict());
      }
    }
    const now = reg.weight;
    console.log(`\nbest epoch ${bestEpoch}; two epochs later:`);
    console.log("  the reference snapshot follows the live weights:", bestWrong!.weight.equal(now));
    console.log("  the cloned snapshot kept the best weights:     ", !bestRight!.weight.equal(now));
    assert.ok(bestWrong!.weight.equal(now), "stateDict() values share memory with the parameters");
    assert.ok(!bestRight!.weight.equal(now), "cloneStateDict snapshots");
    assert.ok(bestRight!.weight.dataPtr() !== now.dataPtr());
  });
}

runIfMain(import.meta.url, main);
