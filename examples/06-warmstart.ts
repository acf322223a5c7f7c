/**
 * Tutorial section 6, "Warmstarting Model Using Parameters from a Different Model": load what fits of
 * modelA's state dict into a different modelB with `strict: false`, which reports the keys that did not
 * match; rename keys so more of them match (a regex rename, and the `module.` prefix a DataParallel
 * checkpoint carries); and fine-tune with a new classifier head, where the head's shapes differ and only the
 * entries whose shapes fit may be loaded.
 *
 * Run: npx tsx examples/06-warmstart.ts
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as torch from "../src/index.ts";
import { F, nn, optim } from "../src/index.ts";
import { runIfMain, withTempDir } from "./helpers.ts";
import { TheModelClass } from "./the-model-class.ts";

const { pyRepr } = torch;

/** modelB: TheModelClass's feature layers, a BatchNorm the original lacks, and a head named `classifier`. */
class ModelB extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  bn2 = new nn.BatchNorm2d(16);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  classifier = new nn.Linear(84, 10);

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.bn2.forward(this.conv2.forward(x))));
    x = F.relu(this.fc1.forward(x.flatten(1)));
    return this.classifier.forward(F.relu(this.fc2.forward(x)));
  }
}

/** What `nn.DataParallel(model)` looks like to a state dict: the model under the name `module`. */
class DataParallelLike extends nn.Module {
  constructor(readonly module: nn.Module) {
    super();
  }
}

/** TheModelClass with a new head for a 4-class task. */
class FourClassModel extends TheModelClass {
  override fc3 = new nn.Linear(84, 4);
}

function loadedFrom(target: nn.Module, targetKey: string, source: nn.StateDict, sourceKey: string): boolean {
  return target.stateDict()[targetKey].equal(source[sourceKey]);
}

/** Runs the section. */
export async function main(): Promise<void> {
  await withTempDir("06", async (dir) => {
    const PATH = join(dir, "modelA.pt");
    torch.manualSeed(0);
    const modelA = new TheModelClass();
    await torch.save(modelA.stateDict(), PATH);
    const sdA: nn.StateDict = await torch.load(PATH);

    // ---- strict: false --------------------------------------------------------------------------
    const modelB = new ModelB();
    assert.throws(() => modelB.loadStateDict(sdA), (error: Error) => {
      console.log("modelB.loadStateDict(sdA) ->", error.message.split("\n").join("\n  "));
      return error instanceof nn.LoadStateDictError && error.message.startsWith(
        'Error(s) in loading state_dict for ModelB:\n\tMissing key(s) in state_dict: "bn2.weight"');
    });
    const result = modelB.loadStateDict(sdA, { strict: false });
    console.log("\nmodelB.loadStateDict(sdA, { strict: false }) ->", String(result));
    // (num_batches_tracked is not reported: BatchNorm fills it in for checkpoints that predate it, as in PyTorch.)
    assert.deepEqual(result.missingKeys, [
      "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "classifier.weight", "classifier.bias",
    ]);
    assert.deepEqual(result.unexpectedKeys, ["fc3.weight", "fc3.bias"]);
    for (const key of ["conv1.weight", "conv2.bias", "fc1.weight", "fc2.bias"]) assert.ok(loadedFrom(modelB, key, sdA, key), key);

    // ---- Renaming keys with a regular expression -----------------------------------------------------
    const renamed = nn.renameStateDictKeys(sdA, /^fc3\./, "classifier.");
    const result2 = new ModelB().loadStateDict(renamed, { strict: false });
    console.log("\nafter renameStateDictKeys(sdA, /^fc3\\./, \"classifier.\"):", String(result2));
    assert.deepEqual(result2.unexpectedKeys, []);
    assert.deepEqual(result2.missingKeys, ["bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var"]);
    assert.ok(nn.getStateDictMetadata(renamed)!.has("classifier"), "_metadata is renamed with the keys");

    // ---- The `module.` prefix of a DataParallel checkpoint ------------------------------------------------
    const parallel = new DataParallelLike(new TheModelClass());
    const sdParallel = parallel.stateDict();
    console.log("\nDataParallel checkpoint keys:", pyRepr(Object.keys(sdParallel).slice(0, 2)), "...");
    assert.throws(() => new TheModelClass().loadStateDict(sdParallel), /Missing key\(s\) in state_dict: "conv1.weight"/);
    // A copy with the prefix stripped (key order kept) ...
    const stripped = nn.renameStateDictKeys(sdParallel, /^module\./, "");
    console.log("renameStateDictKeys(sd, /^module\\./, \"\"):", pyRepr(Object.keys(stripped).slice(0, 2)), "...");
    assert.deepEqual(Object.keys(stripped), Object.keys(modelA.stateDict()));
    assert.deepEqual([...nn.getStateDictMetadata(stripped)!.keys()].slice(0, 3), ["", "conv1", "pool"]);
    assert.equal(String(new TheModelClass().loadStateDict(stripped)), "<All keys matched successfully>");
    // ... or PyTorch's consume_prefix_in_state_dict_if_present, in place (stripped keys move to the end, sorted).
    nn.utils.consumePrefixInStateDictIfPresent(sdParallel, "module.");
    console.log("consumePrefixInStateDictIfPresent(sd, \"module.\"):", pyRepr(Object.keys(sdParallel).slice(0, 2)), "...");
    assert.deepEqual(Object.keys(sdParallel), Object.keys(modelA.stateDict()).sort());
    assert.ok(nn.getStateDictMetadata(sdParallel)!.has("conv1"));
    assert.equal(String(new TheModelClass().loadStateDict(sdParallel)), "<All keys matched successfully>");

    // ---- Fine-tuning with a new classifier head ----------------------------------------------------------
    const finetune = new FourClassModel();
    // strict: false does not help here: the head's keys exist in both, with other shapes (PyTorch alike).
    assert.throws(() => finetune.loadStateDict(sdA, { strict: false }), (error: Error) => {
      console.log("\nfinetune.loadStateDict(sdA, { strict: false }) ->", error.message.split("\n").join("\n  "));
      return error.message.includes(
        "size mismatch for fc3.weight: copying a param with shape torch.Size([10, 84]) from checkpoint, " +
        "the shape in current model is torch.Size([4, 84]).");
    });
    const { stateDict: fitting, skipped } = nn.filterStateDictByShape(sdA, finetune);
    console.log("filterStateDictByShape skipped:", skipped.map((s) => `${s.key} [${s.shape.join(", ")}] (model: [${s.expectedShape.join(", ")}])`).join(", "));
    assert.deepEqual(skipped.map((s) => s.key), ["fc3.weight", "fc3.bias"]);
    const result3 = finetune.loadStateDict(fitting, { strict: false });
    console.log("finetune.loadStateDict(fitting, { strict: false }) ->", String(result3));
    assert.deepEqual(result3.missingKeys, ["fc3.weight", "fc3.bias"]);
    assert.deepEqual(result3.unexpectedKeys, []);

    // Freeze the warm-started layers and train only the new head.
    for (const [name, param] of finetune.namedParameters()) param.requiresGrad_(name.startsWith("fc3."));
    const optimizer = new optim.SGD(finetune.parameters().filter((p) => p.requiresGrad), { lr: 0.1 });
    const headBefore = finetune.fc3.weight.clone();
    optimizer.zeroGrad();
    F.crossEntropy(finetune.forward(torch.randn(8, 3, 32, 32)), torch.randint(0, 4, [8])).backward();
    optimizer.step();
    assert.ok(loadedFrom(finetune, "conv1.weight", sdA, "conv1.weight"), "frozen layers keep the warm-started weights");
    assert.ok(!finetune.fc3.weight.equal(headBefore), "the new head trains");
    console.log("one step with the backbone frozen: only the new head changed");
  });
}

runIfMain(import.meta.url, main);
