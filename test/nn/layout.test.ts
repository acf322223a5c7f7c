/** State-dict layout, _metadata, traversal order and repr of tsorch modules against real PyTorch 1.13. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as nn from "../../src/nn/index.ts";
import { requireTorch, runPython } from "../helpers/pytorch.ts";
import { MODELS } from "./models.ts";

interface Layout {
  repr: string;
  keys: string[];
  shapes: number[][];
  dtypes: string[];
  metadata: [string, { version: number }][];
  parameters: string[];
  buffers: string[];
  modules: string[];
  children: string[];
  num_parameters: number;
}

test("state dicts, names and reprs match PyTorch for every test model", async (t) => {
  if (!requireTorch(t)) return;
  const names = Object.keys(MODELS);
  const expected = runPython<Record<string, Layout>>("nn_layout.py", names);
  for (const name of names) {
    await t.test(name, () => {
      const model = MODELS[name]();
      const want = expected[name];
      const sd = model.stateDict();
      assert.deepEqual(Object.keys(sd), want.keys, "state dict keys");
      assert.deepEqual(Object.values(sd).map((v) => [...v.dims]), want.shapes, "shapes");
      assert.deepEqual(Object.values(sd).map((v) => v.dtype.name), want.dtypes, "dtypes");
      const metadata = nn.getStateDictMetadata(sd);
      assert.ok(metadata instanceof Map);
      assert.deepEqual([...metadata], want.metadata, "_metadata");
      assert.equal(Object.getOwnPropertyDescriptor(sd, "_metadata")?.enumerable, false, "_metadata is not an item");
      assert.deepEqual(model.namedParameters().map(([k]) => k), want.parameters, "named parameters");
      assert.deepEqual(model.namedBuffers().map(([k]) => k), want.buffers, "named buffers");
      assert.deepEqual(model.namedModules().map(([k]) => k), want.modules, "named modules");
      assert.deepEqual(model.namedChildren().map(([k]) => k), want.children, "named children");
      assert.equal(model.parameters().length, want.num_parameters, "parameters() count");
      assert.equal(model.toString(), want.repr, "repr");
    });
  }
});
