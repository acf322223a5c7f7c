/** Sequential, ModuleList and ModuleDict: naming, indexing, mutation and forward. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";

const names = (m: nn.Module): string[] => [...m._modules.keys()];

test("Sequential names children 0, 1, ... and chains forward", () => {
  const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
  assert.deepEqual(names(seq), ["0", "1", "2"]);
  assert.equal(seq.length, 3);
  assert.ok(seq.at(-1) instanceof nn.Linear);
  assert.deepEqual([...seq].map((m) => m.constructor.name), ["Linear", "ReLU", "Linear"]);
  const x = torch.randn(4, 2);
  const manual = (seq.at(2) as nn.Linear).call(torch.relu((seq.at(0) as nn.Linear).call(x)));
  assert.ok(seq.call(x).allclose(manual));
});

test("Sequential mutation renumbers like PyTorch; slices keep the original names", () => {
  const seq = new nn.Sequential(new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid());
  const sliced = seq.slice(1);
  assert.deepEqual(names(sliced), ["1", "2"]);
  assert.equal(sliced.at(0), seq.at(1));
  seq.deleteAt(0);
  assert.deepEqual(names(seq), ["0", "1"]);
  assert.ok(seq.at(0) instanceof nn.Tanh);
  seq.append(new nn.ReLU()).insert(0, new nn.Identity());
  assert.deepEqual([...seq].map((m) => m.constructor.name), ["Identity", "Tanh", "Sigmoid", "ReLU"]);
  assert.deepEqual(names(seq), ["0", "1", "2", "3"]);
  const popped = seq.pop(-1);
  assert.ok(popped instanceof nn.ReLU);
  seq.setAt(0, new nn.GELU());
  assert.ok(seq.at(0) instanceof nn.GELU);
  seq.extend([new nn.ReLU(), new nn.ReLU()]);
  assert.equal(seq.length, 5);
});

test("Sequential from a Map keeps its names, even index-like ones, in order", () => {
  const seq = new nn.Sequential(new Map<string, nn.Module>([["b", new nn.Linear(1, 1)], ["10", new nn.ReLU()], ["2", new nn.Linear(1, 1)]]));
  assert.deepEqual(names(seq), ["b", "10", "2"]);
  assert.deepEqual(Object.keys(seq.stateDict()), ["b.weight", "b.bias", "2.weight", "2.bias"]);
  assert.deepEqual([...(nn.getStateDictMetadata(seq.stateDict())?.keys() ?? [])], ["", "b", "10", "2"]);
});

test("ModuleList indexes, appends, extends and inserts", () => {
  const list = new nn.ModuleList([new nn.Linear(1, 1)]);
  list.append(new nn.ReLU()).extend([new nn.Tanh()]);
  list.insert(1, new nn.Identity());
  assert.deepEqual([...list].map((m) => m.constructor.name), ["Linear", "Identity", "ReLU", "Tanh"]);
  assert.deepEqual(names(list), ["0", "1", "2", "3"]);
  list.deleteAt(1);
  assert.deepEqual(names(list), ["0", "1", "2"]);
  assert.ok(list.at(-1) instanceof nn.Tanh);
  assert.deepEqual([...list.slice(0, 2)].map((m) => m.constructor.name), ["Linear", "ReLU"]);
  assert.throws(() => list.call(torch.zeros(1)), { message: 'Module [ModuleList] is missing the required "forward" function' });
});

test("ModuleDict keeps insertion order and behaves like a Map", () => {
  const dict = new nn.ModuleDict({ conv: new nn.Conv2d(1, 1, 1), act: new nn.ReLU() });
  dict.set("fc", new nn.Linear(1, 1));
  assert.deepEqual(dict.keys(), ["conv", "act", "fc"]);
  assert.deepEqual([...dict], ["conv", "act", "fc"]);
  assert.ok(dict.has("act") && dict.get("act") instanceof nn.ReLU);
  assert.ok(dict.pop("act") instanceof nn.ReLU);
  assert.equal(dict.size, 2);
  assert.deepEqual(Object.keys(dict.stateDict()), ["conv.weight", "conv.bias", "fc.weight", "fc.bias"]);
  dict.update([["z", new nn.Tanh()]]);
  assert.deepEqual(dict.items().map(([k]) => k), ["conv", "fc", "z"]);
  dict.clear();
  assert.equal(dict.size, 0);
});
