/**
 * Tutorial section 3, "Save/Load Entire Model": `torch.save(model, PATH)` pickles the module object itself (its
 * class's name and its `__dict__`: parameters, buffers, children, attributes), and `torch.load(PATH)` gives the
 * model back without building it first. In Python that load imports and runs whatever the file names, which is why
 * the tutorial recommends state dicts. tsorch loads whole models without running anything from the file: every
 * class the file names must be one of tsorch's layers or a TypeScript class you name; instances are made without
 * running constructors, as pickle does. Files move both ways with PyTorch (TheModelClass defined in `__main__`).
 *
 * Run: npx tsx examples/03-entire-model.ts
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as torch from "../src/index.ts";
import { F, nn, optim } from "../src/index.ts";
import { runIfMain, withTempDir } from "./helpers.ts";
import { TheModelClass } from "./the-model-class.ts";

/** Runs the section. */
export async function main(): Promise<void> {
  await withTempDir("03", async (dir) => {
    const PATH = join(dir, "model.pt");
    torch.manualSeed(0);
    const model = new TheModelClass();
    // A few training steps, so the saved weights are not the initial ones.
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const images = torch.randn(8, 3, 32, 32);
    const labels = torch.randint(0, 10, [8]);
    for (let step = 0; step < 3; step++) {
      optimizer.zeroGrad();
      F.crossEntropy(model.forward(images), labels).backward();
      optimizer.step();
    }

    // ---- Save ----------------------------------------------------------------------------------
    // TheModelClass says which Python class it is: `static pythonClass = "__main__.TheModelClass"`.
    await torch.save(model, PATH);
    console.log(`torch.save(model, PATH): the whole ${TheModelClass.pythonClass} (its layers as torch.nn.modules.conv.Conv2d, ...)`);

    // ---- Load ----------------------------------------------------------------------------------
    // "Model class must be defined somewhere": here, named in the call.
    const loaded = await torch.load(PATH, { classes: [TheModelClass] });
    loaded.eval();
    console.log("torch.load(PATH, { classes: [TheModelClass] }) ->", String(loaded));
    assert.ok(loaded instanceof TheModelClass);
    assert.equal(String(loaded), String(model));
    assert.equal(loaded.training, false);
    assert.ok(loaded.conv1.inChannels === 3 && loaded.conv1.kernelSize[0] === 5, "layer hyperparameters come from the file");
    for (const [name, param] of model.namedParameters()) assert.ok(loaded.getParameter(name).equal(param), name);

    // Inference: the loaded model computes what the saved one does.
    model.eval();
    const image = torch.randn(1, 3, 32, 32);
    const logits = torch.noGrad(() => loaded.forward(image));
    assert.ok(logits.equal(torch.noGrad(() => model.forward(image))));
    console.log("same logits as the saved model:", String(logits));

    // Without the class, the load is refused with what to do (nothing from the file is ever run).
    await assert.rejects(torch.load(PATH), (error: Error) => {
      console.log("\ntorch.load(PATH) without the class ->", error.message);
      return error instanceof torch.CheckpointError && error.code === "UNKNOWN_MODULE_CLASS" && error.message.includes("__main__.TheModelClass");
    });

    // Loading does not run the class's constructor (no random initialisation wasted): weights come from the file.
    let constructed = 0;
    class Counted extends TheModelClass {
      constructor() {
        super();
        constructed++;
      }
    }
    const counted = await torch.load(PATH, { classes: { "__main__.TheModelClass": Counted } });
    assert.ok(counted instanceof Counted && constructed === 0);
    console.log("\nconstructors run while loading:", constructed);

    // A model made only of tsorch's layers needs no classes at all.
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(8, 2)).eval();
    await torch.save(seq, join(dir, "seq.pt"));
    const seqLoaded = (await torch.load(join(dir, "seq.pt"))) as nn.Sequential;
    const x = torch.randn(3, 4);
    assert.ok(seqLoaded.forward(x).equal(seq.forward(x)));
    console.log("\na Sequential of built-in layers loads with no classes:", String(seqLoaded));

    // PyTorch's bookkeeping that tsorch does not use (hook dictionaries) is kept, so a model loaded and saved again
    // still loads in PyTorch.
    const kept = [...torch.serialization.pythonStateOf(loaded)!.keys()];
    assert.deepEqual(kept, [
      "_backward_hooks", "_is_full_backward_hook", "_forward_hooks", "_forward_pre_hooks", "_state_dict_hooks",
      "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
    ]);
    console.log("\nPython attributes kept for saving back:", kept.join(", "));
  });
}

runIfMain(import.meta.url, main);
