/**
 * Whole-model files (the tutorial's "Save/Load Entire Model") both ways with PyTorch 1.13 and torchvision 0.14:
 * TheModelClass (defined in __main__ of test/pytorch/whole_model.py, as the tutorial does), a model with plain
 * attributes of every kind, and torchvision's resnet18. Files saved by PyTorch load in tsorch as working modules
 * of the registered TypeScript classes (constructors not run) with the file's tensors and attributes; files saved
 * by tsorch load in PyTorch as the same model (`__dict__` as PyTorch builds it, same outputs); a PyTorch model
 * loaded and saved again by tsorch is the same model for PyTorch.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../src/index.ts";
import { nn } from "../../src/index.ts";
import { PyFloat } from "../../src/python/float.ts";
import { Tuple, tuple } from "../../src/python/tuple.ts";
import { moduleReduceHook, pythonStateOf } from "../../src/serialization/torch/module-pickle.ts";
import { picklePlan } from "../../src/serialization/torch/save.ts";
import { BasicBlock, ResNet, resnet18 } from "../../examples/models/resnet.ts";
import { TheModelClass } from "../../examples/the-model-class.ts";
import { hasTorch, requireTorch, toJson } from "../helpers/pytorch.ts";
import { HOOK_ATTRIBUTES, assertOutputClose, assertSameTensors, layout, py, tempDir } from "./whole-model-helpers.ts";

/** whole_model.py's Holder: plain attributes of every kind, a class, a non-persistent buffer. */
class Holder extends nn.Module {
  static pythonClass = "__main__.Holder";
  fc = new nn.Linear(2, 2);
  count = 3;
  scale = new PyFloat(2);
  ratio = 0.25;
  name = "holder";
  shape = tuple(1, 2);
  sizes = [4, 5];
  options = { a: 1, b: null };
  nothing = null;
  layer_class: unknown = nn.BatchNorm2d;

  constructor() {
    super();
    this.registerBuffer("scratch", torch.arange(3, { dtype: torch.float32 }), { persistent: false });
  }

  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc.call(x).mul(Number(this.scale));
  }
}

/** TheModelClass whose constructor counts its runs: loading must not run it. */
let constructed = 0;
class CountedModel extends TheModelClass {
  constructor() {
    super();
    constructed++;
  }
}

const dir = tempDir("whole-model");
const image = () => {
  torch.manualSeed(3);
  return torch.randn(2, 3, 32, 32);
};

it("tsorch alone: a saved module loads as the same model; shared children stay shared; hooks are not saved", async () => {
  torch.manualSeed(0);
  const shared = new nn.Linear(3, 3);
  const model = new nn.Sequential(shared, new nn.ReLU(), shared, new nn.Dropout(0.1));
  model.registerForwardHook(() => undefined);
  model.eval();
  const bytes = (await torch.save(model))!;
  const loaded = torch.loadSync(bytes) as nn.Sequential;
  assert.ok(loaded instanceof nn.Sequential);
  assert.equal(loaded.at(0), loaded.at(2), "the same Linear under two names stays one module");
  assert.equal(loaded._forwardHooks.size, 0);
  assert.equal(loaded.training, false);
  const x = torch.randn(4, 3);
  assert.ok(loaded.forward(x).equal(model.forward(x)));
  assert.equal(String(loaded), String(model));
});

it("saving a class with no Python name is refused with how to name it; a function field too", async () => {
  class Unnamed extends nn.Module {
    fc = new nn.Linear(1, 1);
  }
  await assert.rejects(torch.save(new Unnamed()), (e: Error) => {
    assert.ok(e instanceof torch.CheckpointError && e.code === "UNKNOWN_MODULE_CLASS", String(e));
    assert.match(e.message, /Cannot save a Unnamed as a whole module/);
    assert.match(e.message, /static pythonClass = "__main__\.Unnamed"/);
    assert.match(e.message, /registerModuleClass\("__main__\.Unnamed", Unnamed\)/);
    return true;
  });
  // A subclass of a built-in layer is not that layer.
  class MyLinear extends nn.Linear {}
  await assert.rejects(torch.save(new MyLinear(1, 1)), /Cannot save a MyLinear/);
  // Named per call, or registered: it saves.
  assert.ok(await torch.save(new Unnamed(), undefined, { classes: { "__main__.Unnamed": Unnamed } }));
  torch.serialization.registerModuleClass("__main__.Unnamed", Unnamed);
  try {
    const loaded = torch.loadSync((await torch.save(new Unnamed()))!);
    assert.ok(loaded instanceof Unnamed);
  } finally {
    torch.serialization.unregisterModuleClass("__main__.Unnamed");
  }
  const named = (await torch.save(new Unnamed(), undefined, { classes: { "__main__.Unnamed": Unnamed } }))!;
  assert.throws(() => torch.loadSync(named, { classes: [Unnamed] }),
    /Unnamed in \{ classes: \[\.\.\.\] \} has no static pythonClass; add `static pythonClass = "__main__\.Unnamed"`/);
  assert.throws(() => torch.serialization.registerModuleClass("Unnamed", Unnamed), /must be "module\.ClassName"/);
  class WithFunction extends nn.Module {
    static pythonClass = "__main__.WithFunction";
    activation = (x: torch.Tensor) => x.relu();
  }
  await assert.rejects(torch.save(new WithFunction()), (e: Error) => e instanceof torch.CheckpointError && e.code === "UNSAVEABLE" &&
    /attribute 'activation' of WithFunction is a function/.test(e.message));
});

suite("whole-model files with PyTorch 1.13", { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
  it("PyTorch saves TheModelClass whole; tsorch loads it as a working TheModelClass without running its constructor", (t) => {
    if (!requireTorch(t)) return;
    const path = join(dir, "pytorch-the-model.pt");
    const legacyPath = join(dir, "pytorch-the-model-legacy.pt");
    const x = image();
    const [saved] = py([
      { cmd: "save_model", kind: "the_model", path, x: toJson(x), eval: true },
      { cmd: "save_model", kind: "the_model", path: legacyPath, x: toJson(x), eval: true, legacy: true },
    ]);
    constructed = 0;
    const ways: [string, torch.LoadOptions, string][] = [
      ["classes: [Class] with static pythonClass", { classes: [TheModelClass] }, path],
      ["classes: { name: Class }", { classes: { "__main__.TheModelClass": CountedModel } }, path],
      ["lazy", { classes: [TheModelClass], lazy: true }, path],
      ["legacy format (_use_new_zipfile_serialization=False)", { classes: [TheModelClass] }, legacyPath],
    ];
    for (const [what, options, file] of ways) {
      const model = torch.loadSync(file, options);
      assert.ok(model instanceof TheModelClass, what);
      assertSameTensors(model, saved.describe!);
      assertOutputClose(torch.noGrad(() => model.forward(x)), saved.output!, what);
      assert.deepEqual([...pythonStateOf(model)!.keys()], HOOK_ATTRIBUTES, what);
    }
    assert.equal(constructed, 0, "the constructor ran while loading");
    torch.serialization.registerModuleClass("__main__.TheModelClass", TheModelClass);
    try {
      assert.ok(torch.loadSync(path) instanceof TheModelClass, "registered once, every load finds it");
    } finally {
      torch.serialization.unregisterModuleClass("__main__.TheModelClass");
    }
  });

  it("tsorch saves TheModelClass whole; PyTorch loads it as its TheModelClass, __dict__ as PyTorch builds it, same outputs", (t) => {
    if (!requireTorch(t)) return;
    torch.manualSeed(1);
    const model = new TheModelClass();
    model.eval();
    model.fc2.train(); // a mixed training flag survives too
    const path = join(dir, "tsorch-the-model.pt");
    torch.saveSync(model, path);
    const x = image();
    const [loaded, fresh] = py([{ cmd: "load_model", path, x: toJson(x) }, { cmd: "describe_new", kind: "the_model" }]);
    assert.equal(loaded.describe![""].class, "__main__.TheModelClass");
    assert.deepEqual(layout(loaded.describe!), layout(fresh.describe!));
    assertSameTensors(model, loaded.describe!);
    assertOutputClose(torch.noGrad(() => model.forward(x)), loaded.output!, "logits");
  });

  it("a model PyTorch saved, loaded and saved again by tsorch, is the same model for PyTorch", (t) => {
    if (!requireTorch(t)) return;
    const x = image();
    const kinds: [string, torch.LoadOptions][] = [["the_model", { classes: [TheModelClass] }], ["holder", { classes: [Holder] }]];
    const requests: Record<string, unknown>[] = [];
    for (const [kind, options] of kinds) {
      const original = join(dir, `pytorch-${kind}.pt`);
      const again = join(dir, `pytorch-${kind}-again.pt`);
      const input = kind === "holder" ? torch.randn(3, 2) : x;
      py([{ cmd: "save_model", kind, path: original }]);
      torch.saveSync(torch.loadSync(original, options), again);
      requests.push({ cmd: "compare", a: original, b: again, x: toJson(input) });
    }
    for (const reply of py(requests)) assert.deepEqual(reply.diffs, []);
  });

  it("tsorch's data.pkl for a model is PyTorch's byte for byte (but `builtins` for CPython's `__builtin__`)", (t) => {
    if (!requireTorch(t)) return;
    // (resnet18's differ in string memoization only: CPython memoizes strings by identity, so its key '0' of
    // layer1 is written again although the storage key '0' came before; tsorch memoizes equal strings once.)
    const models: [string, () => nn.Module][] = [["the_model", () => new TheModelClass()], ["holder", () => new Holder()]];
    const replies = py(models.map(([kind]) => ({ cmd: "pickle", kind })));
    models.forEach(([kind, build], i) => {
      const mine = Buffer.from(picklePlan(build(), moduleReduceHook()).pickle).toString("latin1");
      const theirs = Buffer.from(replies[i].pickle!, "hex").toString("latin1").replaceAll("c__builtin__\n", "cbuiltins\n");
      assert.ok(mine === theirs, `${kind}: the pickles differ`);
    });
  });

  it("plain attributes of a user class keep their Python names and types both ways", (t) => {
    if (!requireTorch(t)) return;
    const path = join(dir, "pytorch-holder.pt");
    py([{ cmd: "save_model", kind: "holder", path }]);
    const loaded = torch.loadSync(path, { classes: [Holder] }) as Holder;
    assert.ok(loaded instanceof Holder);
    assert.equal(loaded.count, 3);
    assert.ok(loaded.scale instanceof PyFloat && loaded.scale.value === 2, "2.0 stays a Python float");
    assert.equal(loaded.ratio, 0.25);
    assert.equal(loaded.name, "holder");
    assert.ok(loaded.shape instanceof Tuple);
    assert.deepEqual([...loaded.shape], [1, 2]);
    assert.ok(!(loaded.sizes instanceof Tuple));
    assert.deepEqual(loaded.sizes, [4, 5]);
    assert.deepEqual(loaded.options, { a: 1, b: null });
    assert.equal(loaded.nothing, null);
    assert.equal(loaded.layer_class, nn.BatchNorm2d, "a class attribute is tsorch's class");
    assert.deepEqual([...loaded._nonPersistentBuffersSet], ["scratch"]);
    assert.deepEqual(Array.from(loaded.getBuffer("scratch").toArray()), [0, 1, 2]);

    const mine = join(dir, "tsorch-holder.pt");
    torch.saveSync(new Holder(), mine);
    const [fromTsorch, fresh] = py([{ cmd: "load_model", path: mine }, { cmd: "describe_new", kind: "holder" }]);
    assert.deepEqual(layout(fromTsorch.describe!), layout(fresh.describe!));
  });

  suite("torchvision resnet18", () => {
    it("PyTorch saves resnet18 whole; tsorch loads it with its ResNet and BasicBlock; outputs match to 1e-5", (t) => {
      if (!requireTorch(t)) return;
      const path = join(dir, "pytorch-resnet18.pt");
      torch.manualSeed(4);
      const x = torch.randn(2, 3, 64, 64);
      const [saved] = py([{ cmd: "save_model", kind: "resnet18", path, x: toJson(x), eval: true }]);
      const model = torch.loadSync(path, { classes: [ResNet, BasicBlock] }) as ResNet;
      assert.ok(model instanceof ResNet && model.layer2.at(0) instanceof BasicBlock);
      assert.equal(model._norm_layer, nn.BatchNorm2d);
      assert.equal(model.inplanes, 512);
      assert.equal((model.layer1.at(0) as BasicBlock).downsample, null);
      assert.ok((model.layer2.at(0) as BasicBlock).downsample instanceof nn.Sequential);
      assertSameTensors(model, saved.describe!);
      assertOutputClose(torch.noGrad(() => model.forward(x)), saved.output!, "resnet18 logits");
    });

    it("tsorch saves a ResNet it built; PyTorch loads torchvision's ResNet with the same __dict__s and outputs", (t) => {
      if (!requireTorch(t)) return;
      torch.manualSeed(5);
      const model = resnet18();
      torch.noGrad(() => {
        for (const m of model.modules()) {
          if (!(m instanceof nn.BatchNorm2d)) continue;
          m.running_mean!.uniform_(-0.2, 0.2);
          m.running_var!.uniform_(0.5, 1.5);
          m.bias!.uniform_(-0.2, 0.2);
        }
      });
      model.eval();
      const path = join(dir, "tsorch-resnet18.pt");
      torch.saveSync(model, path);
      const x = torch.randn(1, 3, 64, 64);
      const [loaded, fresh] = py([{ cmd: "load_model", path, x: toJson(x) }, { cmd: "describe_new", kind: "resnet18" }]);
      assert.equal(loaded.describe![""].class, "torchvision.models.resnet.ResNet");
      assert.deepEqual(layout(loaded.describe!), layout(fresh.describe!));
      assertSameTensors(model, loaded.describe!);
      assertOutputClose(torch.noGrad(() => model.forward(x)), loaded.output!, "resnet18 logits");
    });

    it("a resnet18 PyTorch saved, loaded and saved again by tsorch, is the same model for PyTorch", (t) => {
      if (!requireTorch(t)) return;
      const original = join(dir, "pytorch-resnet18-rt.pt");
      const again = join(dir, "pytorch-resnet18-again.pt");
      py([{ cmd: "save_model", kind: "resnet18", path: original, eval: true }]);
      torch.saveSync(torch.loadSync(original, { classes: [ResNet, BasicBlock] }), again);
      const [reply] = py([{ cmd: "compare", a: original, b: again, x: toJson(torch.randn(1, 3, 32, 32)) }]);
      assert.deepEqual(reply.diffs, []);
    });
  });
});
