/**
 * tsorch's layers in whole-model files, against PyTorch 1.13: a ModuleDict holding every built-in layer (in several
 * configurations) saved by tsorch loads in PyTorch with each layer's `__dict__` exactly as PyTorch builds it (keys in
 * order, attribute types and reprs: `kernel_size=(3, 3)`, `norm_type=2.0`), the same tensors and training flags, and
 * the same outputs; saved by PyTorch it loads in tsorch as tsorch's layers with the fields tsorch's constructors set,
 * the same tensors, and the same outputs. The attribute table covers every field of every layer.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../src/index.ts";
import { nn } from "../../src/index.ts";
import { BUILTIN_LAYERS } from "../../src/serialization/torch/module-layers.ts";
import { TSORCH_MODULE_FIELDS, pythonStateOf } from "../../src/serialization/torch/module-pickle.ts";
import { type JsonTensor, hasTorch, requireTorch, toJson } from "../helpers/pytorch.ts";
import { HOOK_ATTRIBUTES, assertOutputClose, assertSameTensors, layout, py, tempDir } from "./whole-model-helpers.ts";

/** A layer built the same way on both sides: Python spec, tsorch factory, and an input (none for ModuleList/Dict). */
interface LayerCase {
  py: Record<string, unknown>;
  ts: () => nn.Module;
  input?: number[];
  int?: boolean;
}

const L = (cls: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => ({ cls, args, kwargs });

const CASES: Record<string, LayerCase> = {
  conv: { py: L("Conv2d", [3, 4, 3], { stride: 2, padding: 1, bias: false }), ts: () => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1, bias: false }), input: [2, 3, 7, 7] },
  conv_same: { py: L("Conv2d", [2, 4, [3, 1]], { padding: "same", dilation: 2, groups: 2 }), ts: () => new nn.Conv2d(2, 4, [3, 1], { padding: "same", dilation: 2, groups: 2 }), input: [1, 2, 6, 5] },
  conv_valid: { py: L("Conv2d", [3, 2, 2], { padding: "valid" }), ts: () => new nn.Conv2d(3, 2, 2, { padding: "valid" }), input: [1, 3, 4, 4] },
  linear: { py: L("Linear", [5, 3]), ts: () => new nn.Linear(5, 3), input: [2, 5] },
  linear_nobias: { py: L("Linear", [5, 3], { bias: false }), ts: () => new nn.Linear(5, 3, { bias: false }), input: [2, 5] },
  bn1d: { py: L("BatchNorm1d", [4], { momentum: null }), ts: () => new nn.BatchNorm1d(4, { momentum: null }), input: [3, 4] },
  bn2d: { py: L("BatchNorm2d", [3], { eps: 1e-3, affine: false }), ts: () => new nn.BatchNorm2d(3, { eps: 1e-3, affine: false }), input: [2, 3, 4, 4] },
  bn2d_nostats: { py: L("BatchNorm2d", [3], { track_running_stats: false }), ts: () => new nn.BatchNorm2d(3, { trackRunningStats: false }), input: [2, 3, 2, 2] },
  layernorm: { py: L("LayerNorm", [[3, 4]], { eps: 1e-6 }), ts: () => new nn.LayerNorm([3, 4], { eps: 1e-6 }), input: [2, 3, 4] },
  layernorm_int: { py: L("LayerNorm", [4], { elementwise_affine: false }), ts: () => new nn.LayerNorm(4, { elementwiseAffine: false }), input: [2, 4] },
  embedding: { py: L("Embedding", [10, 3], { padding_idx: 0, max_norm: 1.5 }), ts: () => new nn.Embedding(10, 3, { paddingIdx: 0, maxNorm: 1.5 }), input: [2, 3], int: true },
  dropout: { py: L("Dropout", [0.25]), ts: () => new nn.Dropout(0.25), input: [2, 5] },
  relu: { py: L("ReLU", [], { inplace: true }), ts: () => new nn.ReLU(true), input: [2, 5] },
  maxpool: { py: L("MaxPool2d", [3], { stride: 2, padding: 1 }), ts: () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }), input: [1, 2, 7, 7] },
  maxpool_tuple: { py: L("MaxPool2d", [[2, 2]], { ceil_mode: true }), ts: () => new nn.MaxPool2d([2, 2], { ceilMode: true }), input: [1, 2, 5, 5] },
  avgpool: { py: L("AvgPool2d", [2], { padding: 1, ceil_mode: true, count_include_pad: false }), ts: () => new nn.AvgPool2d(2, { padding: 1, ceilMode: true, countIncludePad: false }), input: [1, 2, 5, 5] },
  adaptive: { py: L("AdaptiveAvgPool2d", [[2, 3]]), ts: () => new nn.AdaptiveAvgPool2d([2, 3]), input: [1, 2, 5, 7] },
  adaptive_int: { py: L("AdaptiveAvgPool2d", [1]), ts: () => new nn.AdaptiveAvgPool2d(1), input: [1, 2, 3, 3] },
  flatten: { py: L("Flatten", [0]), ts: () => new nn.Flatten(0), input: [2, 3, 4] },
  identity: { py: L("Identity"), ts: () => new nn.Identity(), input: [2, 3] },
  sigmoid: { py: L("Sigmoid"), ts: () => new nn.Sigmoid(), input: [2, 3] },
  tanh: { py: L("Tanh"), ts: () => new nn.Tanh(), input: [2, 3] },
  gelu: { py: L("GELU", [], { approximate: "tanh" }), ts: () => new nn.GELU("tanh"), input: [2, 3] },
  softmax: { py: L("Softmax", [1]), ts: () => new nn.Softmax(1), input: [2, 3] },
  log_softmax: { py: L("LogSoftmax", [0]), ts: () => new nn.LogSoftmax(0), input: [2, 3] },
  seq: {
    py: { cls: "Sequential", children: [L("Linear", [5, 3]), L("ReLU")] },
    ts: () => new nn.Sequential(new nn.Linear(5, 3), new nn.ReLU()),
    input: [2, 5],
  },
  modlist: { py: { cls: "ModuleList", children: [L("Linear", [2, 2]), L("Tanh")] }, ts: () => new nn.ModuleList([new nn.Linear(2, 2), new nn.Tanh()]) },
  moddict: { py: { cls: "ModuleDict", children: { a: L("Linear", [2, 2]) } }, ts: () => new nn.ModuleDict({ a: new nn.Linear(2, 2) }) },
  module: { py: L("Module"), ts: () => new nn.Module() },
};

/** Layers saved in eval mode (Dropout must be, for comparable outputs; BatchNorm then uses its statistics). */
const EVAL_LAYERS = ["dropout", "bn1d", "seq"];

const SPECS = Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, c.py]));

function inputs(): Record<string, torch.Tensor> {
  torch.manualSeed(5);
  const out: Record<string, torch.Tensor> = {};
  for (const [name, c] of Object.entries(CASES)) {
    if (c.input) out[name] = c.int ? torch.randint(0, 10, c.input) : torch.randn(...c.input);
  }
  return out;
}

const jsonInputs = (xs: Record<string, torch.Tensor>): Record<string, JsonTensor> =>
  Object.fromEntries(Object.entries(xs).map(([k, x]) => [k, toJson(x)]));

/** Own fields of a layer beyond nn.Module's (the hyperparameters). */
function fields(module: nn.Module): Record<string, unknown> {
  return Object.fromEntries(Object.keys(module).filter((k) => !TSORCH_MODULE_FIELDS.has(k)).map((k) => [k, Reflect.get(module, k)]));
}

const dir = tempDir("whole-model-layers");

it("the attribute table maps every field of every built-in layer, and every built-in layer is tested here", () => {
  const built = Object.values(CASES).map((c) => c.ts());
  for (const spec of BUILTIN_LAYERS) {
    const samples = built.filter((m) => m.constructor === spec.Cls);
    assert.ok(samples.length > 0, `no case builds ${spec.python}`);
    for (const sample of samples) {
      const mapped = spec.attributes.map((a) => a.field);
      assert.deepEqual(Object.keys(fields(sample)).sort(), [...mapped].sort(), `${spec.python}: fields vs attribute table`);
    }
  }
});

suite("whole-model files with PyTorch's layers", { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
  it("tsorch -> PyTorch: each layer's __dict__ is what PyTorch builds; same tensors, training flags and outputs", (t) => {
    if (!requireTorch(t)) return;
    torch.manualSeed(1);
    const model = new nn.ModuleDict(Object.entries(CASES).map(([name, c]) => [name, c.ts()] as const));
    for (const name of EVAL_LAYERS) model.get(name)!.eval();
    const path = join(dir, "tsorch-layers.pt");
    torch.saveSync(model, path);
    const xs = inputs();
    const [loaded, refs] = py([{ cmd: "load_model", path, inputs: jsonInputs(xs) }, { cmd: "layer_refs", specs: SPECS }]);
    assert.deepEqual(layout(loaded.describe!), layout(refs.describe!));
    assertSameTensors(model, loaded.describe!);
    for (const [name, x] of Object.entries(xs)) {
      const layer = model.get(name)!;
      assertOutputClose(torch.noGrad(() => layer.call(x)), loaded.outputs![name], name);
    }
  });

  it("PyTorch -> tsorch: tsorch's layers with the fields its constructors set, the file's tensors, the same outputs", (t) => {
    if (!requireTorch(t)) return;
    const path = join(dir, "pytorch-layers.pt");
    const xs = inputs();
    const [saved] = py([{ cmd: "save_model", kind: "layers", path, specs: SPECS, eval_layers: EVAL_LAYERS, inputs: jsonInputs(xs) }]);
    const model = torch.loadSync<nn.ModuleDict>(path);
    assert.ok(model instanceof nn.ModuleDict);
    assertSameTensors(model, saved.describe!);
    for (const [name, c] of Object.entries(CASES)) {
      const layer = model.get(name)!;
      const fresh = c.ts();
      assert.equal(layer.constructor, fresh.constructor, name);
      assert.deepStrictEqual(fields(layer), fields(fresh), `${name}: fields`);
      assert.equal(String(layer), String(fresh), `${name}: repr`);
      assert.deepEqual([...pythonStateOf(layer)!.keys()], HOOK_ATTRIBUTES, `${name}: kept Python attributes`);
    }
    for (const [name, x] of Object.entries(xs)) {
      assertOutputClose(torch.noGrad(() => model.get(name)!.call(x)), saved.outputs![name], name);
    }
  });
});
