/** Module mechanics: registration through class fields and assignment, traversal, modes, conversion, hooks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { TheModelClass, Tied } from "./models.ts";

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  scale = new nn.Parameter(torch.ones(3));
  note = "not registered";
  fc2: nn.Linear | null = new nn.Linear(3, 2);

  constructor() {
    super();
    this.registerBuffer("steps", torch.zeros(1));
  }
}

test("class fields register parameters and modules in declaration order; other values stay attributes", () => {
  const net = new Net();
  assert.deepEqual([...net._modules.keys()], ["fc1", "fc2"]);
  assert.deepEqual([...net._parameters.keys()], ["scale"]);
  assert.deepEqual([...net._buffers.keys()], ["steps"]);
  assert.equal(net.note, "not registered");
  (net as { note?: string }).note = undefined;
  assert.equal(net.note, undefined, "ordinary attributes can be set to undefined");
  assert.ok(net.fc1 instanceof nn.Linear);
  assert.ok("fc1" in net && "scale" in net && "steps" in net);
  assert.deepEqual(Object.keys(net.stateDict()), ["scale", "steps", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
});

test("assignment follows PyTorch's __setattr__: re-assignment keeps the slot, null unregisters values, delete removes", () => {
  const net = new Net();
  const replacement = new nn.Linear(4, 3, { bias: false });
  net.fc1 = replacement;
  assert.equal(net.fc1, replacement);
  assert.deepEqual([...net._modules.keys()], ["fc1", "fc2"]);
  net.fc2 = null;
  assert.equal(net.fc2, null);
  assert.deepEqual(Object.keys(net.stateDict()), ["scale", "steps", "fc1.weight"]);
  assert.equal(net.toString(), "Net(\n  (fc1): Linear(in_features=4, out_features=3, bias=False)\n  (fc2): None\n)");
  net.fc1.bias = new nn.Parameter(torch.zeros(3));
  assert.deepEqual([...net.fc1._parameters.keys()], ["weight", "bias"]);
  Reflect.set(net, "steps", torch.ones(1));
  assert.equal(Number(net.getBuffer("steps").item()), 1);
  // A Parameter assigned over a plain attribute or buffer becomes a parameter.
  Reflect.set(net, "note", new nn.Parameter(torch.zeros(1)));
  assert.deepEqual([...net._parameters.keys()], ["scale", "note"]);
  Reflect.deleteProperty(net, "scale");
  Reflect.deleteProperty(net, "steps");
  assert.deepEqual(Object.keys(net.stateDict()), ["note", "fc1.weight", "fc1.bias"]);
  assert.equal("scale" in net, false);
});

test("field declarations without a value define nothing, so they never shadow or unregister a registered name", () => {
  class Holder extends nn.Module {
    child!: nn.Linear;
    constructor() {
      super();
      this.child = new nn.Linear(1, 1);
    }
  }
  const h = new Holder();
  assert.deepEqual(Object.keys(h.stateDict()), ["child.weight", "child.bias"]);
  // What a JS subclass re-declaring `weight;` does after Linear's constructor registered it:
  const lin = new nn.Linear(2, 2);
  Object.defineProperty(lin, "weight", { value: undefined, writable: true, enumerable: true, configurable: true });
  assert.ok(lin.weight instanceof nn.Parameter);
  assert.deepEqual(Object.keys(lin.stateDict()), ["weight", "bias"]);
});

test("tied parameters and shared modules: traversal lists them once, the state dict under every name", () => {
  const m = new Tied();
  assert.equal(m.dec.weight, m.enc.weight);
  assert.deepEqual(m.namedParameters().map(([k]) => k), ["enc.weight", "enc.bias", "dec.bias"]);
  assert.equal(m.parameters().length, 3);
  assert.deepEqual(m.namedParameters({ removeDuplicate: false }).map(([k]) => k),
    ["enc.weight", "enc.bias", "dec.weight", "dec.bias", "again.weight", "again.bias"]);
  assert.deepEqual(m.namedModules().map(([k]) => k), ["", "enc", "dec"]);
  assert.deepEqual(m.namedModules({ removeDuplicate: false }).map(([k]) => k), ["", "enc", "dec", "again"]);
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), ["enc.weight", "enc.bias", "dec.weight", "dec.bias", "again.weight", "again.bias"]);
  assert.equal(sd["enc.weight"].storage, sd["dec.weight"].storage);
  assert.deepEqual(m.namedParameters({ prefix: "model", recurse: false }), []);
  assert.deepEqual(m.enc.namedParameters({ prefix: "enc" }).map(([k]) => k), ["enc.weight", "enc.bias"]);
});

test("stateDict values are detached views of the module's memory; cloneStateDict snapshots them", () => {
  const model = new TheModelClass();
  const sd = model.stateDict();
  const snapshot = nn.cloneStateDict(sd);
  assert.equal(sd["fc1.weight"].requiresGrad, false);
  assert.ok(!(sd["fc1.weight"] instanceof nn.Parameter));
  assert.equal(sd["fc1.weight"].storage, model.fc1.weight.storage);
  torch.noGrad(() => model.fc1.weight.add_(1));
  assert.ok(sd["fc1.weight"].equal(model.fc1.weight), "in-place updates show through");
  assert.ok(!snapshot["fc1.weight"].equal(model.fc1.weight), "the clone does not change");
  assert.notEqual(snapshot["fc1.weight"].storage, model.fc1.weight.storage);
  assert.deepEqual([...(nn.getStateDictMetadata(snapshot) ?? [])], [...(nn.getStateDictMetadata(sd) ?? [])]);
  const kept = model.stateDict({ keepVars: true });
  assert.equal(kept["fc1.weight"], model.fc1.weight);
  const prefixed = model.fc1.stateDict({ prefix: "fc1." });
  assert.deepEqual(Object.keys(prefixed), ["fc1.weight", "fc1.bias"]);
  assert.deepEqual([...(nn.getStateDictMetadata(prefixed) ?? [])], [["fc1", { version: 1 }]]);
});

test("assign: true materialises a meta model with the checkpoint's tensors as Parameters", () => {
  const source = new TheModelClass();
  const bnSource = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4));
  torch.noGrad(() => (bnSource.at(1) as nn.BatchNorm1d).running_mean?.fill_(0.5));

  const model = new TheModelClass().to("meta");
  assert.ok(model.parameters().every((p) => p.isMeta && p.storage.bytes === null));
  model.fc3.requiresGrad_(false);
  const sd = source.stateDict();
  assert.equal(String(model.loadStateDict(sd, { assign: true })), "<All keys matched successfully>");
  for (const [name, p] of model.namedParameters()) {
    assert.ok(p instanceof nn.Parameter, name);
    assert.ok(!p.isMeta, name);
    assert.equal(p.storage, sd[name].storage, `${name} adopts the checkpoint's memory`);
    assert.equal(p.requiresGrad, !name.startsWith("fc3"), `${name} keeps requiresGrad`);
  }
  assert.equal(model.fc1.weight, model.getParameter("fc1.weight"));

  const bn = new nn.Sequential(new nn.Linear(3, 4, { device: "meta" }), new nn.BatchNorm1d(4, { device: "meta" }));
  bn.loadStateDict(bnSource.stateDict(), { assign: true });
  const norm = bn.at(1) as nn.BatchNorm1d;
  assert.deepEqual(norm.running_mean?.tolist(), [0.5, 0.5, 0.5, 0.5]);
  assert.equal(norm.num_batches_tracked?.dtype.name, "int64");
  assert.ok(bn.buffers().every((b) => !b.isMeta));
});

test("layers built on the meta device allocate nothing", () => {
  const layers: nn.Module[] = [
    new nn.Linear(4000, 3000, { device: "meta" }),
    new nn.Conv2d(512, 512, 3, { device: "meta" }),
    new nn.BatchNorm2d(64, { device: "meta" }),
    new nn.Embedding(50000, 512, { device: "meta", paddingIdx: 0 }),
    new nn.LayerNorm(512, { device: "meta" }),
  ];
  for (const layer of layers) {
    for (const t of [...layer.parameters(), ...layer.buffers()]) {
      assert.equal(t.device.type, "meta");
      assert.equal(t.storage.bytes, null);
    }
  }
  assert.deepEqual([...layers[0].stateDict()["weight"].dims], [3000, 4000]);
});

test("to(dtype) converts floating tensors in place, keeping Parameter identity; integer buffers stay", () => {
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  const weight = (model.at(0) as nn.Linear).weight;
  weight.grad = torch.ones(2, 3);
  assert.equal(model.to("float64"), model);
  assert.equal((model.at(0) as nn.Linear).weight, weight, "same Parameter object");
  assert.equal(weight.dtype.name, "float64");
  assert.equal(weight.requiresGrad, true);
  assert.equal(weight.grad?.dtype.name, "float64");
  const bn = model.at(1) as nn.BatchNorm1d;
  assert.equal(bn.running_mean?.dtype.name, "float64");
  assert.equal(bn.num_batches_tracked?.dtype.name, "int64");
  model.float();
  assert.equal(weight.dtype.name, "float32");
  model.to({ device: "meta" });
  assert.ok(weight.isMeta);
  model.toEmpty({ device: "cpu" });
  assert.ok(!weight.isMeta && weight.device.type === "cpu");
  assert.deepEqual(weight.tolist(), [[0, 0, 0], [0, 0, 0]]);
});

test("train/eval propagate; requiresGrad_ and zeroGrad act on every parameter", () => {
  const model = new TheModelClass();
  model.eval();
  assert.ok(model.modules().every((m) => !m.training));
  model.train();
  assert.ok(model.modules().every((m) => m.training));
  model.requiresGrad_(false);
  assert.ok(model.parameters().every((p) => !p.requiresGrad));
  model.requiresGrad_();
  for (const p of model.parameters()) p.grad = torch.onesLike(p);
  model.zeroGrad({ setToNone: false });
  assert.ok(model.parameters().every((p) => p.grad !== null && p.grad.abs().sum().item() === 0));
  model.zeroGrad();
  assert.ok(model.parameters().every((p) => p.grad === null), "PyTorch 2.x default: set to None");
});

test("apply visits children first; getSubmodule/getParameter/getBuffer follow dotted paths", () => {
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.BatchNorm1d(2)));
  const visited: string[] = [];
  model.apply((m) => visited.push(m.constructor.name));
  assert.deepEqual(visited, ["Linear", "BatchNorm1d", "Sequential", "Sequential"]);
  assert.equal(model.getSubmodule(""), model);
  assert.equal(model.getSubmodule("1.0"), (model.at(1) as nn.Sequential).at(0));
  assert.equal(model.getParameter("0.bias"), (model.at(0) as nn.Linear).bias);
  assert.equal(model.getBuffer("1.0.running_var").dtype.name, "float32");
});

test("extra state is saved as _extra_state and restored", () => {
  class WithState extends nn.Module {
    counter = 0;
    lin = new nn.Linear(1, 1);
    override getExtraState(): unknown {
      return { counter: this.counter };
    }
    override setExtraState(state: unknown): void {
      this.counter = (state as { counter: number }).counter;
    }
  }
  const a = new WithState();
  a.counter = 42;
  const sd = a.stateDict();
  assert.deepEqual(Object.keys(sd), ["_extra_state", "lin.weight", "lin.bias"]);
  const b = new WithState();
  assert.equal(String(b.loadStateDict(sd)), "<All keys matched successfully>");
  assert.equal(b.counter, 42);
  const withoutState: Record<string, unknown> = { ...sd };
  delete withoutState["_extra_state"];
  assert.deepEqual(b.loadStateDict(withoutState, { strict: false }).missingKeys, ["_extra_state"]);
  assert.deepEqual(new TheModelClass().loadStateDict({ ...new TheModelClass().stateDict(), _extra_state: 1 }, { strict: false }).unexpectedKeys, ["_extra_state"]);
});

test("forward hooks run around call and can replace inputs and outputs", () => {
  const id = new nn.Identity();
  const pre = id.registerForwardPreHook((_m, args) => [(args[0] as torch.Tensor).mul(2)]);
  const post = id.registerForwardHook((_m, _args, out) => (out as torch.Tensor).add(1));
  assert.deepEqual(id.call(torch.tensor([1, 2])).tolist(), [3, 5]);
  pre.remove();
  post.remove();
  assert.deepEqual(id.call(torch.tensor([1, 2])).tolist(), [1, 2]);
});

test("positional and options arguments mix as in Python", () => {
  assert.equal(String(new nn.MaxPool2d(2, 2)), String(new nn.MaxPool2d(2, { stride: 2 })));
  assert.equal(String(new nn.MaxPool2d(3, { stride: 2, padding: 1 })), "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
  assert.equal(String(new nn.MaxPool2d(3, 2, { padding: 1 })), "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
  assert.equal(String(new nn.Conv2d(3, 6, 3, 2, 1)), String(new nn.Conv2d(3, 6, 3, { stride: 2, padding: 1 })));
  assert.equal(String(new nn.Conv2d(3, 6, 3, { stride: 2, padding: 1, bias: false })),
    "Conv2d(3, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)");
  assert.equal(String(new nn.Linear(2, 3, false)), "Linear(in_features=2, out_features=3, bias=False)");
  assert.equal(String(new nn.BatchNorm2d(4, 1e-3, null)), "BatchNorm2d(4, eps=0.001, momentum=None, affine=True, track_running_stats=True)");
  assert.throws(() => new nn.MaxPool2d(3, 2, { stride: 2 }), { message: "MaxPool2d() got multiple values for argument 'stride'" });
  assert.throws(() => new nn.Linear(2, 3, { bais: false } as nn.LinearOptions), { message: "Linear() got an unexpected keyword argument 'bais'" });
});

test("modules print their PyTorch repr through util.inspect and String", () => {
  const m = new nn.Sequential(new nn.Linear(2, 2));
  assert.equal(inspect(m), "Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n)");
  assert.equal(`${m}`, inspect(m));
  assert.match(String(new nn.Parameter(torch.zeros(2))), /^Parameter containing:\ntensor\(\[0\., 0\.\], requires_grad=True\)$/);
});

test("Parameter shares its tensor's memory and requires grad by default", () => {
  const t = torch.zeros(3);
  const p = new nn.Parameter(t);
  assert.equal(p.storage, t.storage);
  assert.ok(p instanceof torch.Tensor && p.requiresGrad && p.isLeaf);
  assert.equal(new nn.Parameter(t, false).requiresGrad, false);
  assert.deepEqual([...new nn.Parameter().dims], [0]);
  const y = p.mul(2).sum();
  y.backward();
  assert.deepEqual(p.grad?.tolist(), [2, 2, 2]);
  assert.throws(() => new nn.Parameter(torch.zeros(2, { dtype: "int64" })), /only Tensors of floating point/);
});
