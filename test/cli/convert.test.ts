/**
 * `tsorch convert`, run as a child process; what it writes is read back by PyTorch 1.13 (torch.load with
 * weights_only=True) and by a stand-alone safetensors reader (test/pytorch/cli_files.py).
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as torch from "../../src/index.ts";
import { requireTorch, runPython } from "../helpers/pytorch.ts";
import { FIXTURES, hasLine, tempDir, tsorch, tsorchJson, writeTorchFiles } from "./helpers.ts";

const tmp = tempDir();
const file = (name: string) => join(tmp.dir, name);
let facts: ReturnType<typeof writeTorchFiles> = null;

before(() => {
  facts = writeTorchFiles(tmp.dir);
});
after(() => tmp.remove());

interface JsonTensor { dtype: string; shape: number[]; data: number[] }
const torchLoad = (path: string) => runPython<{ type: string; attributes: Record<string, unknown>; tensors: Record<string, JsonTensor>; shared: string[][] }>("cli_files.py", { path }, ["load"]);
const readSafetensors = (path: string) => runPython<{ headerLength: number; metadata: Record<string, string> | null; tensors: Record<string, JsonTensor> }>("cli_files.py", { path }, ["safetensors"]);

describe("convert: torch.save -> safetensors", () => {
  it("refuses a general checkpoint without --key, naming the keys that hold state dicts", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["convert", "checkpoint.tar", "model.safetensors"], tmp.dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tsorch convert: error: checkpoint\.tar is not a state dict: 'epoch' is an int \(5\)$/m);
    assert.match(r.stderr, /^  hint: keys that hold state dicts: model_state_dict \(10 tensors\)$/m);
    assert.match(r.stderr, /^  hint: choose one with --key, e.g\. --key model_state_dict$/m);
    assert.equal(existsSync(file("model.safetensors")), false);
  });

  it("--key model_state_dict writes the state dict, with format=pt metadata, readable by a reference-strict reader", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["convert", "checkpoint.tar", "model.safetensors", "--key", "model_state_dict"], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote model\.safetensors: 10 tensors, 62,006 elements, .* \(from checkpoint\.tar key 'model_state_dict'\)$/m);
    const sf = readSafetensors(file("model.safetensors"));
    assert.deepEqual(sf.metadata, { format: "pt" });
    assert.equal(sf.headerLength % 8, 0);
    assert.deepEqual(Object.keys(sf.tensors).sort(), Object.keys(facts!.model).sort());
    for (const [key, expected] of Object.entries(facts!.model)) assert.deepEqual(sf.tensors[key], expected, key);
  });

  it("safetensors -> .pt: an OrderedDict that PyTorch loads with weights_only=True, metadata kept as an attribute", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["convert", "model.safetensors", "back.pt"], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote back\.pt: OrderedDict of 10 tensors, 62,006 elements \(torch\.save zip format; metadata kept as _safetensors_metadata\)$/m);
    const loaded = torchLoad(file("back.pt"));
    assert.equal(loaded.type, "OrderedDict");
    assert.deepEqual(loaded.attributes, { _safetensors_metadata: { format: "pt" } });
    for (const [key, expected] of Object.entries(facts!.model)) assert.deepEqual(loaded.tensors[key], expected, key);
    assert.equal((await tsorch(["diff", "model.pt", "back.pt"], tmp.dir)).code, 0);
    // and back again: the kept metadata returns, with --metadata added
    const again = await tsorch(["convert", "back.pt", "again.safetensors", "--metadata", "source=tsorch test", "--metadata", "format=pt"], tmp.dir);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readSafetensors(file("again.safetensors")).metadata, { format: "pt", source: "tsorch test" });
  });

  it("refuses tensors sharing memory unless --dedupe; a deduplicated file converts back to tied tensors", async (t) => {
    if (!requireTorch(t)) return;
    const refused = await tsorch(["convert", "tied.pt", "tied.safetensors"], tmp.dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^tsorch convert: error: tensors share memory: \[\{'emb\.weight', 'head\.weight'\}\]; safetensors cannot store shared tensors$/m);
    assert.match(refused.stderr, /hint: pass --dedupe/);
    assert.equal(existsSync(file("tied.safetensors")), false, "no partial file");

    const r = await tsorch(["convert", "tied.pt", "tied.safetensors", "--dedupe"], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const sf = readSafetensors(file("tied.safetensors"));
    assert.deepEqual(Object.keys(sf.tensors), ["emb.weight"]);
    assert.deepEqual(sf.metadata, { format: "pt", "head.weight": "emb.weight" });
    const inspect = await tsorch(["inspect", "tied.safetensors"], tmp.dir);
    assert.ok(hasLine(inspect.stdout, /head\.weight = emb\.weight\s+\(alias: a tied tensor stored once under that name\)$/), inspect.stdout);

    assert.equal((await tsorch(["convert", "tied.safetensors", "tied-back.pt"], tmp.dir)).code, 0);
    const loaded = torchLoad(file("tied-back.pt"));
    assert.deepEqual(loaded.shared, [["emb.weight", "head.weight"]]);
    assert.deepEqual(loaded.attributes, { _safetensors_metadata: { format: "pt" } });
  });

  it("maps cuda:0 storages to the CPU; refuses a file that holds a single tensor", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["convert", "cuda.pt", "cuda.safetensors"], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readSafetensors(file("cuda.safetensors")).tensors.w, { dtype: "float32", shape: [2, 3], data: [1, 1, 1, 1, 1, 1] });
    const single = await tsorch(["convert", join(FIXTURES, "pytorch-test-serialization", "tensor_half_be_no_bom.pt"), "single.safetensors"], tmp.dir);
    assert.equal(single.code, 2);
    assert.match(single.stderr, /holds a single tensor, not a state dict/);
  });
});

describe("convert: other directions and options", () => {
  it("legacy -> zip and big-endian -> little-endian, loadable by PyTorch 1.13 with the right values", async (t) => {
    if (!requireTorch(t)) return;
    assert.equal((await tsorch(["convert", "model_legacy.pt", "model_zip.pt"], tmp.dir)).code, 0);
    const { json } = await tsorchJson(["inspect", file("model_zip.pt")]);
    assert.equal(json.format.kind, "zip");
    assert.match(json.format.writer.summary, /^tsorch/);
    const loaded = torchLoad(file("model_zip.pt"));
    for (const [key, expected] of Object.entries(facts!.model)) assert.deepEqual(loaded.tensors[key], expected, key);

    assert.equal((await tsorch(["convert", join(FIXTURES, "pytorch-test-serialization", "lstm_be_bom.pt"), "lstm.pt"], tmp.dir)).code, 0);
    const lstm = torchLoad(file("lstm.pt"));
    // the big-endian decoding listed in shared/fixtures/README.md
    assert.ok(Math.abs(lstm.tensors.weight_ih_l0.data[0] - -0.197712) < 1e-6, String(lstm.tensors.weight_ih_l0.data[0]));
  });

  it("U32 safetensors need --widen-unsigned (PyTorch 1.13 has no uint32)", async (t) => {
    if (!requireTorch(t)) return;
    const u32 = join(FIXTURES, "safetensors", "I.safetensors");
    const refused = await tsorch(["convert", u32, "u32.pt"], tmp.dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /tensor 'I' has safetensors dtype U32/);
    assert.match(refused.stderr, /hint: pass --widen-unsigned/);
    assert.equal((await tsorch(["convert", u32, "u32.pt", "--widen-unsigned"], tmp.dir)).code, 0);
    const loaded = torchLoad(file("u32.pt"));
    assert.deepEqual(loaded.tensors.I, { dtype: "int64", shape: [6], data: [4294967293, 4294967294, 4294967295, 0, 1, 2] });
    assert.deepEqual(loaded.attributes, { _safetensors_metadata: { test: "a" } });
  });

  it("flattens nested state dicts with dotted keys; diff matches them against the nested file", async () => {
    const dir = tempDir();
    try {
      await torch.save({ encoder: { weight: torch.ones(2, 2), bias: torch.zeros(2) }, decoder: { weight: torch.full([3], 2) } }, join(dir.dir, "nested.pt"));
      const r = await tsorch(["convert", "nested.pt", "nested.safetensors"], dir.dir);
      assert.equal(r.code, 0, r.stderr);
      const { json } = await tsorchJson(["inspect", "nested.safetensors"], dir.dir);
      assert.deepEqual(json.tensors.map((x: { key: string }) => x.key).sort(), ["decoder.weight", "encoder.bias", "encoder.weight"]);
      const d = await tsorch(["diff", "nested.pt", "nested.safetensors"], dir.dir);
      assert.equal(d.code, 0, d.stdout);
    } finally {
      dir.remove();
    }
  });

  it("does not overwrite without --force, never overwrites the input, checks --metadata", async () => {
    const dir = tempDir();
    try {
      const f = join(FIXTURES, "safetensors", "f.safetensors");
      writeFileSync(join(dir.dir, "out.pt"), "keep me");
      const exists = await tsorch(["convert", f, "out.pt"], dir.dir);
      assert.equal(exists.code, 2);
      assert.match(exists.stderr, /^tsorch convert: error: out\.pt exists$/m);
      assert.match(exists.stderr, /hint: pass --force to overwrite it/);
      assert.equal((await tsorch(["convert", f, "out.pt", "--force"], dir.dir)).code, 0);
      const self = await tsorch(["convert", "out.pt", "out.pt", "--force"], dir.dir);
      assert.equal(self.code, 2);
      assert.match(self.stderr, /is the input file/);
      const badMeta = await tsorch(["convert", f, "m.safetensors", "--metadata", "novalue"], dir.dir);
      assert.equal(badMeta.code, 2);
      assert.match(badMeta.stderr, /invalid --metadata 'novalue': expected key=value/);
    } finally {
      dir.remove();
    }
  });
});
