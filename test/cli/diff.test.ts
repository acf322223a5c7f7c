/** `tsorch diff`, run as a child process: exit codes 0/1/2, the human report's lines, and the JSON report. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as torch from "../../src/index.ts";
import { requireTorch } from "../helpers/pytorch.ts";
import { FIXTURES, hasLine, tempDir, tsorch, tsorchJson, writeTorchFiles } from "./helpers.ts";

const tmp = tempDir();
const file = (name: string) => join(tmp.dir, name);

before(() => {
  writeTorchFiles(tmp.dir);
});
after(() => tmp.remove());

describe("diff: two general checkpoints written by PyTorch 1.13", () => {
  it("reports keys only in one file, shape changes, value changes and changed hyperparameters (exit 1)", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["diff", file("checkpoint.tar"), file("checkpoint2.tar")], tmp.dir);
    assert.equal(r.code, 1, r.stderr);
    const out = r.stdout;
    assert.ok(hasLine(out, /^Only in a \(1\):$/), out);
    assert.ok(hasLine(out, /^  - model_state_dict\.fc3\.bias\s+float32\s+\[10\]$/), out);
    assert.ok(hasLine(out, /^  \+ model_state_dict\.head\.weight\s+float32\s+\[3\]$/), out);
    assert.ok(hasLine(out, /^  ! model_state_dict\.fc2\.bias\s+float32 \[84\]\s+->\s+float32 \[85\]$/), out);
    assert.ok(hasLine(out, /^Values differ \(1 of 19 comparable tensors; atol 0\):$/), out);
    assert.ok(hasLine(out, /^  ~ model_state_dict\.conv1\.weight\s+max \|a-b\| = 0\.25\s+at \[1, 2, 3, 4\]\s+1 of 450 elements differ$/), out);
    assert.ok(hasLine(out, /^  ~ epoch\s+5\s+->\s+6$/), out);
    assert.ok(hasLine(out, /^  ~ optimizer_state_dict\.param_groups\.0\.lr\s+0\.001\s+->\s+0\.01$/), out);
    assert.ok(hasLine(out, /^Different: 20 common tensors \(18 equal, 1 differ\), 1 only in a, 1 only in b, 1 shape\/dtype changes, 2 other differences\.$/), out);
  });

  it("--json lists every comparison", async (t) => {
    if (!requireTorch(t)) return;
    const { code, json } = await tsorchJson(["diff", file("checkpoint.tar"), file("checkpoint2.tar")]);
    assert.equal(code, 1);
    assert.equal(json.schema, "tsorch.diff/1");
    assert.equal(json.identical, false);
    assert.deepEqual(json.onlyInA, [{ key: "model_state_dict.fc3.bias", dtype: "float32", shape: [10] }]);
    assert.deepEqual(json.onlyInB, [{ key: "model_state_dict.head.weight", dtype: "float32", shape: [3] }]);
    assert.deepEqual(json.shapeOrDtype.map((d: { key: string }) => d.key), ["model_state_dict.fc2.bias"]);
    const conv1 = json.tensors.find((x: { key: string }) => x.key === "model_state_dict.conv1.weight");
    assert.ok(Math.abs(conv1.maxAbsDiff - 0.25) < 1e-6, String(conv1.maxAbsDiff));
    assert.deepEqual([conv1.at, conv1.differing, conv1.elements, conv1.equal], [[1, 2, 3, 4], 1, 450, false]);
    const momentum = json.tensors.find((x: { key: string }) => x.key === "optimizer_state_dict.state.0.momentum_buffer");
    assert.deepEqual([momentum.maxAbsDiff, momentum.equal], [0, true]);
    assert.deepEqual(json.values, [
      { key: "epoch", change: "changed", a: "5", b: "6" },
      { key: "optimizer_state_dict.param_groups.0.lr", change: "changed", a: "0.001", b: "0.01" },
    ]);
    assert.deepEqual(json.totals, { common: 20, equal: 18, different: 1, notCompared: 0, onlyInA: 1, onlyInB: 1, shapeOrDtype: 1, values: 2 });
  });

  it("identical files exit 0; --all lists every common tensor", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["diff", file("checkpoint.tar"), file("checkpoint.tar"), "--all"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(hasLine(r.stdout, /^  = model_state_dict\.conv1\.weight\s+max \|a-b\| = 0$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Same: 21 tensors with equal values, no other differences\.$/), r.stdout);
  });

  it("--key / --key-b compare a state dict inside a checkpoint with a state dict file, across zip and legacy formats", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["diff", file("model_legacy.pt"), file("checkpoint.tar"), "--key-b", "model_state_dict"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(hasLine(r.stdout, /^b: .*checkpoint\.tar \(zip, key 'model_state_dict'\)$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Same: 10 tensors with equal values/), r.stdout);
    const both = await tsorchJson(["diff", file("checkpoint.tar"), file("checkpoint2.tar"), "--key", "optimizer_state_dict"]);
    assert.equal(both.json.a.key, "optimizer_state_dict");
    assert.deepEqual(both.json.values.map((v: { key: string }) => v.key), ["param_groups.0.lr"]);
    const missing = await tsorch(["diff", file("model.pt"), file("checkpoint.tar"), "--key-b", "model"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no key 'model' in the file; its top-level keys are: epoch, model_state_dict, optimizer_state_dict, loss/);
  });
});

describe("diff: values", () => {
  it("--atol decides what counts as equal", async () => {
    const dir = tempDir();
    try {
      await torch.save({ w: torch.tensor([1, 2, 3], { dtype: "float32" }), step: 7 }, join(dir.dir, "a.pt"));
      await torch.save({ w: torch.tensor([1, 2.001, 3], { dtype: "float32" }), step: 7 }, join(dir.dir, "b.pt"));
      const exact = await tsorchJson(["diff", "a.pt", "b.pt"], dir.dir);
      assert.equal(exact.code, 1);
      assert.ok(Math.abs(exact.json.tensors[0].maxAbsDiff - 0.001) < 1e-6);
      const close = await tsorch(["diff", "a.pt", "b.pt", "--atol", "0.01"], dir.dir);
      assert.equal(close.code, 0, close.stdout);
      assert.ok(hasLine(close.stdout, /^Same: 1 tensor with equal values \(within atol 0\.01\), no other differences\.$/), close.stdout);
      const bad = await tsorch(["diff", "a.pt", "b.pt", "--atol", "x"], dir.dir);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--atol <x>' argument 'x' is invalid/);
    } finally {
      dir.remove();
    }
  });

  it("int64 exactly (2^60 vs 2^60 + 1), NaN equal to NaN in the same place", async (t) => {
    if (!requireTorch(t)) return;
    const { code, json } = await tsorchJson(["diff", file("exact_a.pt"), file("exact_b.pt")]);
    assert.equal(code, 1);
    const n = json.tensors.find((x: { key: string }) => x.key === "n");
    const f = json.tensors.find((x: { key: string }) => x.key === "f");
    assert.deepEqual([n.maxAbsDiff, n.at, n.differing], [1, [0], 1]);
    assert.deepEqual([f.maxAbsDiff, f.equal], [0, true]);
  });

  it("a torch.save file against safetensors, and big-endian data against its little-endian conversion", async () => {
    const dir = tempDir();
    try {
      const be = join(FIXTURES, "pytorch-test-serialization", "lstm_be_bom.pt");
      assert.equal((await tsorch(["convert", be, "lstm.safetensors"], dir.dir)).code, 0);
      assert.equal((await tsorch(["convert", be, "lstm.pt"], dir.dir)).code, 0);
      const r = await tsorch(["diff", be, "lstm.safetensors"], dir.dir);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(hasLine(r.stdout, /^Same: 4 tensors with equal values, no other differences\.$/), r.stdout);
      assert.equal((await tsorch(["diff", be, "lstm.pt"], dir.dir)).code, 0);
      // safetensors metadata differences count between two safetensors files
      assert.equal((await tsorch(["convert", "lstm.safetensors", "other.safetensors", "--metadata", "note=x"], dir.dir)).code, 0);
      const meta = await tsorchJson(["diff", "lstm.safetensors", "other.safetensors"], dir.dir);
      assert.equal(meta.code, 1);
      assert.deepEqual(meta.json.values, [{ key: "__metadata__.note", change: "onlyInB", a: null, b: '"x"' }]);
    } finally {
      dir.remove();
    }
  });

  it("errors exit 2, not 1", async () => {
    const r = await tsorch(["diff", join(FIXTURES, "safetensors", "f.safetensors"), "missing.pt"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tsorch diff: error: missing\.pt: no such file or directory$/m);
  });
});
