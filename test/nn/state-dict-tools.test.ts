/** nn.renameStateDictKeys and nn.filterStateDictByShape: the warm-starting helpers of examples/06-warmstart.ts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { isOrderedDict } from "../../src/python/index.ts";

function backboneModel(classes: number): nn.Module {
  const model = new nn.Module();
  model.addModule("backbone", new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4)));
  model.addModule("head", new nn.Linear(4, classes));
  return model;
}

test("renameStateDictKeys renames keys and _metadata prefixes, keeps order and shares tensors", () => {
  const source = backboneModel(2);
  const sd = source.stateDict();
  const renamed = nn.renameStateDictKeys(sd, /^backbone\./, "features.");
  assert.deepEqual(Object.keys(renamed), Object.keys(sd).map((k) => k.replace("backbone.", "features.")));
  assert.ok(isOrderedDict(renamed));
  assert.equal(renamed["features.0.weight"], sd["backbone.0.weight"]);
  assert.deepEqual([...nn.getStateDictMetadata(renamed)!.entries()], [
    ["", { version: 1 }], ["features", { version: 1 }], ["features.0", { version: 1 }],
    ["features.1", { version: 2 }], ["head", { version: 1 }],
  ]);
  assert.deepEqual(Object.keys(sd)[0], "backbone.0.weight", "the input is left alone");

  const target = new nn.Module();
  target.addModule("features", new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4)));
  target.addModule("head", new nn.Linear(4, 2));
  assert.equal(String(target.loadStateDict(renamed)), "<All keys matched successfully>");
});

test("renameStateDictKeys: a function replacement, Map input, the root prefix, and collisions", () => {
  const sd = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2)).stateDict();
  const shifted = nn.renameStateDictKeys(sd, /^(\d+)\./, (_m: string, i: string) => `layer${Number(i) + 1}.`);
  assert.deepEqual(Object.keys(shifted), ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]);
  assert.deepEqual([...nn.getStateDictMetadata(shifted)!.keys()], ["", "layer1", "layer2"]);

  const asMap = new Map<string, unknown>(Object.entries(sd));
  const renamedMap = nn.renameStateDictKeys(asMap, /weight/, "w");
  assert.ok(renamedMap instanceof Map);
  assert.deepEqual([...renamedMap.keys()], ["0.w", "0.bias", "1.w", "1.bias"]);

  // Stripping a wrapper's prefix maps its metadata onto the root; the root entry already there wins.
  const wrapped = new nn.Module();
  wrapped.addModule("module", new nn.BatchNorm1d(2));
  const stripped = nn.renameStateDictKeys(wrapped.stateDict(), /^module\./, "");
  assert.deepEqual([...nn.getStateDictMetadata(stripped)!.entries()], [["", { version: 1 }]]);

  assert.throws(() => nn.renameStateDictKeys(sd, /^\d+\./, ""), /two keys would be renamed to 'weight' \(the second is '1.weight'\)/);
});

test("filterStateDictByShape drops only the entries whose shape differs from the model's", async () => {
  const source = backboneModel(10);
  const sd: Record<string, unknown> = source.stateDict();
  sd["extra.weight"] = torch.zeros(5);
  const target = backboneModel(4);
  assert.throws(() => target.loadStateDict(sd, { strict: false }), /size mismatch for head.weight/);

  const { stateDict, skipped } = nn.filterStateDictByShape(sd, target);
  assert.deepEqual(skipped, [
    { key: "head.weight", shape: [10, 4], expectedShape: [4, 4] },
    { key: "head.bias", shape: [10], expectedShape: [4] },
  ]);
  assert.deepEqual(Object.keys(stateDict), Object.keys(sd).filter((k) => !k.startsWith("head.")));
  assert.equal(nn.getStateDictMetadata(stateDict)!.get("backbone.1")!.version, 2);
  const result = target.loadStateDict(stateDict, { strict: false });
  assert.deepEqual(result.missingKeys, ["head.weight", "head.bias"]);
  assert.deepEqual(result.unexpectedKeys, ["extra.weight"]);
  assert.ok(target.getParameter("backbone.0.weight").equal(source.getParameter("backbone.0.weight")));

  // Lazily loaded tensors are checked by their shape without reading their data.
  const bytes = (await torch.save(source.stateDict()))!;
  const lazy = torch.loadSync(bytes, { lazy: true });
  const lazyResult = nn.filterStateDictByShape(lazy, target);
  assert.deepEqual(lazyResult.skipped.map((s) => s.key), ["head.weight", "head.bias"]);
  assert.ok(torch.isLazyTensor(lazyResult.stateDict["backbone.0.weight"]));
});
