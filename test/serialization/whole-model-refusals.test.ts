/**
 * What whole-model loading refuses, and how it says so: a class nobody registered (named, with how to register it),
 * a torch.nn layer tsorch does not implement, code hidden inside a module's pickle (os.system, subprocess.Popen,
 * builtins.eval: refused, and nothing runs), a module class called as a function (its constructor never runs),
 * arguments to `cls.__new__`, and states that do not fit the class. Attributes that would shadow a method are kept
 * aside instead of installed.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../src/index.ts";
import { nn } from "../../src/index.ts";
import { orderedDict } from "../../src/python/dict.ts";
import { tuple } from "../../src/python/tuple.ts";
import type { PyReduce } from "../../src/serialization/pickle/index.ts";
import { pythonStateOf } from "../../src/serialization/torch/module-pickle.ts";
import { ResNet } from "../../examples/models/resnet.ts";
import { TheModelClass } from "../../examples/the-model-class.ts";
import { hasTorch, requireTorch } from "../helpers/pytorch.ts";
import { py, tempDir } from "./whole-model-helpers.ts";

const dir = tempDir("whole-model-refusals");

/** An object the test's reduce hook writes as `reduce` (to craft pickles tsorch itself would never write). */
class Crafted {
  constructor(readonly reduce: PyReduce) {}
}

async function craft(value: unknown): Promise<Uint8Array> {
  return (await torch.save(value, undefined, { reduce: (v) => (v instanceof Crafted ? v.reduce : undefined) }))!;
}

/** A crafted `cls.__new__(cls)` + BUILD(state) of `module.name`. */
const instance = (qualified: string, state: Record<string, unknown>, args: unknown[] = []) => {
  const dot = qualified.lastIndexOf(".");
  return new Crafted({ module: qualified.slice(0, dot), name: qualified.slice(dot + 1), args, newobj: true, state });
};

/** A minimal module `__dict__` plus `extra`. */
const moduleState = (extra: Record<string, unknown> = {}) => ({
  training: true, _parameters: orderedDict(), _buffers: orderedDict(), _non_persistent_buffers_set: new Set(), _modules: orderedDict(), ...extra,
});

function rejectsWith(load: () => unknown, code: string, ...patterns: RegExp[]): void {
  assert.throws(load, (e: Error) => {
    assert.ok(e instanceof torch.CheckpointError, `${e.name}: ${e.message}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

let constructed = 0;
class CountedModel extends TheModelClass {
  constructor() {
    super();
    constructed++;
  }
}

it("a registered class is never called (REDUCE): its constructor does not run", async () => {
  constructed = 0;
  const bytes = await craft(new Crafted({ module: "__main__", name: "TheModelClass", args: [] }));
  assert.throws(() => torch.loadSync(bytes, { classes: { "__main__.TheModelClass": CountedModel } }),
    /Trying to call REDUCE for unrecognized function __main__\.TheModelClass/);
  assert.equal(constructed, 0);
});

it("cls.__new__(cls, *args) with arguments is refused", async () => {
  const bytes = await craft(instance("torch.nn.modules.linear.Linear", moduleState(), [3]));
  rejectsWith(() => torch.loadSync(bytes), "BAD_MODULE_STATE", /torch\.nn\.modules\.linear\.Linear: a module is made with cls\.__new__\(cls\), without arguments/);
});

it("states that do not fit the class are refused, naming the class and the attribute", async () => {
  const linear = "torch.nn.modules.linear.Linear";
  const cases: [Record<string, unknown>, RegExp][] = [
    [moduleState({ _parameters: orderedDict([["weight", "not a tensor"]]), in_features: 1, out_features: 1 }), /Linear: parameter 'weight' must be an nn\.Parameter or None, got str/],
    [moduleState({ _buffers: orderedDict([["b", 3]]), in_features: 1, out_features: 1 }), /buffer 'b' must be a Tensor or None, got int/],
    [moduleState({ _modules: orderedDict([["child", tuple(1, 2)]]), in_features: 1, out_features: 1 }), /child module 'child' must be an nn\.Module or None, got tuple/],
    [moduleState({ training: "yes", in_features: 1, out_features: 1 }), /'training' must be a bool, got str/],
    [moduleState({ in_features: "3", out_features: 1 }), /attribute 'in_features' must be an int, got str/],
    [moduleState({ in_features: 3 }), /the state has no 'out_features' attribute, which Linear needs/],
    [moduleState({ _parameters: orderedDict([["a.b", null]]), in_features: 1, out_features: 1 }), /'_parameters' has an invalid name "a\.b"/],
  ];
  for (const [state, pattern] of cases) {
    const bytes = await craft(instance(linear, state));
    rejectsWith(() => torch.loadSync(bytes), "BAD_MODULE_STATE", pattern);
  }
  const conv = await craft(instance("torch.nn.modules.conv.Conv2d", moduleState({
    in_channels: 1, out_channels: 1, kernel_size: "3", stride: tuple(1, 1), padding: tuple(0, 0), dilation: tuple(1, 1), groups: 1,
  })));
  rejectsWith(() => torch.loadSync(conv), "BAD_MODULE_STATE", /Conv2d: attribute 'kernel_size' must be a tuple of ints, got str/);
});

it("attributes that would shadow a method or a Module member are kept aside; unknown layer attributes are kept and saved back", async () => {
  class Plain extends nn.Module {
    static pythonClass = "__main__.Plain";
    override forward(x: torch.Tensor): torch.Tensor {
      return x.add(1);
    }
  }
  const bytes = await craft(instance("__main__.Plain", moduleState({ forward: 1, constructor: 2, ["__proto__"]: 3, eval: 4, _modules_extra: 5 })));
  const loaded = torch.loadSync(bytes, { classes: [Plain] }) as Plain & { _modules_extra: number };
  assert.ok(loaded instanceof Plain);
  assert.equal(loaded._modules_extra, 5, "an ordinary attribute becomes a field");
  assert.deepEqual(Array.from(loaded.forward(torch.zeros(2)).toArray()), [1, 1], "forward is still the class's");
  assert.deepEqual([...pythonStateOf(loaded)!.entries()], [["forward", 1], ["constructor", 2], ["__proto__", 3], ["eval", 4]]);
  assert.equal(typeof loaded.eval, "function");

  // A layer attribute tsorch does not know (a newer PyTorch's) is kept and written back.
  const linear = await craft(instance("torch.nn.modules.linear.Linear", moduleState({
    _parameters: orderedDict([["weight", new nn.Parameter(torch.ones(1, 1))], ["bias", null]]), in_features: 1, out_features: 1, future_flag: true,
  })));
  const layer = torch.loadSync(linear) as nn.Linear;
  assert.equal(pythonStateOf(layer)!.get("future_flag"), true);
  const again = torch.loadSync((await torch.save(layer))!) as nn.Linear;
  assert.equal(pythonStateOf(again)!.get("future_flag"), true);
  assert.equal(again.inFeatures, 1);
});

it("a class used as a value that no table maps is refused as PyTorch refuses any unknown global", async () => {
  const bytes = await craft(instance("__main__.TheModelClass", moduleState({ norm: new Crafted({ module: "mylib", name: "Norm", args: [] }) })));
  assert.throws(() => torch.loadSync(bytes, { classes: [TheModelClass] }), /Unsupported global: GLOBAL mylib\.Norm was not an allowed global/);
});

suite("whole-model files from PyTorch that tsorch refuses", { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
  it("a class nobody registered: the error names it and says how to register it (zip, lazy and legacy files)", (t) => {
    if (!requireTorch(t)) return;
    const path = join(dir, "the-model.pt");
    const legacy = join(dir, "the-model-legacy.pt");
    const resnet = join(dir, "resnet18.pt");
    const conv1d = join(dir, "conv1d.pt");
    py([
      { cmd: "save_model", kind: "the_model", path },
      { cmd: "save_model", kind: "the_model", path: legacy, legacy: true },
      { cmd: "save_model", kind: "resnet18", path: resnet },
      { cmd: "save_model", kind: "conv1d", path: conv1d },
    ]);
    const howTo = [
      /Unsupported global: GLOBAL __main__\.TheModelClass is the class of an object in this file/,
      /torch\.load\(path, \{ classes: \{ "__main__\.TheModelClass": TheModelClass \} \}\)/,
      /static pythonClass = "__main__\.TheModelClass"/,
      /torch\.serialization\.registerModuleClass\("__main__\.TheModelClass", TheModelClass\)/,
    ];
    for (const options of [{}, { lazy: true }]) rejectsWith(() => torch.loadSync(path, options), "UNKNOWN_MODULE_CLASS", ...howTo);
    rejectsWith(() => torch.loadSync(legacy), "UNKNOWN_MODULE_CLASS", ...howTo);
    rejectsWith(() => torch.loadSync(resnet, { classes: [ResNet] }), "UNKNOWN_MODULE_CLASS",
      /GLOBAL torchvision\.models\.resnet\.BasicBlock is the class/, /registerModuleClass\("torchvision\.models\.resnet\.BasicBlock", BasicBlock\)/);
    rejectsWith(() => torch.loadSync(conv1d), "UNKNOWN_MODULE_CLASS", /it has no built-in implementation of torch\.nn\.modules\.conv\.Conv1d/);
    // A lazy load of a legacy-format whole model cannot read tensors while unpickling: said so.
    assert.throws(() => torch.loadSync(legacy, { lazy: true, classes: [TheModelClass] }), /load whole-model files of the legacy format with lazy: false/);
  });

  const EVIL: Record<string, RegExp> = {
    attribute_os_system: /GLOBAL posix\.system whose module posix is blocked|GLOBAL os\.system/,
    // Protocol 2 writes subprocess.Popen under its Python 2 name (pickle's fix_imports): commands.Popen.
    hook_popen: /Unsupported global: GLOBAL (subprocess|commands)\.Popen was not an allowed global/,
    child_eval: /Unsupported global: GLOBAL builtins\.eval was not an allowed global/,
  };
  for (const [kind, message] of Object.entries(EVIL)) {
    it(`code inside a module's pickle (${kind}) is refused even with the model's class registered; nothing runs`, (t) => {
      if (!requireTorch(t)) return;
      const canary = join(dir, `canary-${kind}`);
      const path = join(dir, `evil-${kind}.pt`);
      py([{ cmd: "evil", kind, path, canary }]);
      for (const lazy of [false, true]) {
        assert.throws(() => torch.loadSync(path, { classes: [TheModelClass], lazy }), message);
      }
      assert.equal(existsSync(canary), false, "the canary exists: code ran");
    });
  }
});
