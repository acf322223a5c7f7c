/**
 * `tsorch inspect`, run as a child process on files written by PyTorch 1.13 and by tsorch, and on the shared
 * fixtures (PyTorch 0.3-2.7 writers, big-endian files, legacy cuda:0 files, safetensors samples).
 */
import assert from "node:assert/strict";
import { openSync, readSync, closeSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as torch from "../../src/index.ts";
import { NodeFileSource } from "../../src/io/node-file.ts";
import { openCheckpointFrom } from "../../src/cli/checkpoint.ts";
import { buildReport } from "../../src/cli/inspect.ts";
import { requireTorch } from "../helpers/pytorch.ts";
import { FIXTURES, hasLine, tempDir, tsorch, tsorchJson, writeTorchFiles } from "./helpers.ts";

const tmp = tempDir();
let facts: ReturnType<typeof writeTorchFiles> = null;
const file = (name: string) => join(tmp.dir, name);

before(() => {
  facts = writeTorchFiles(tmp.dir);
});
after(() => tmp.remove());

/** The float32 at `offset` of a file. */
function float32At(path: string, offset: number): number {
  const fd = openSync(path, "r");
  try {
    const bytes = new Uint8Array(4);
    readSync(fd, bytes, 0, 4, offset);
    return new DataView(bytes.buffer).getFloat32(0, true);
  } finally {
    closeSync(fd);
  }
}

/** TheModelClass has 62,006 parameters in 10 tensors. */
const MODEL_PARAMETERS = 62006;

describe("inspect: a general checkpoint written by PyTorch 1.13", () => {
  it("prints the format, the writer evidence and the structure as an aligned tree", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["inspect", file("checkpoint.tar")]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.ok(hasLine(out, /^Format\s+PyTorch zip checkpoint/), out);
    assert.ok(hasLine(out, /^Writer\s+PyTorch 1\.6-2\.0 \(not tsorch/), out);
    assert.ok(hasLine(out, /no `byteorder` record/), out);
    assert.ok(hasLine(out, /storage records in string order \(0, 1, 10, 11, 2, \.\.\.\): PyTorch < 2\.7/), out);
    assert.ok(hasLine(out, /^Archive\s+folder 'checkpoint\/', version 3, byte order little \(no byteorder record: assumed\)$/), out);
    assert.ok(hasLine(out, /^Records\s+23 records \(21 storages\), all 64-byte aligned, zip64 end record: yes$/), out);
    assert.ok(hasLine(out, /^Contents: dict \(4 items\)\s+21 tensors, 124,013 elements$/), out);
    assert.ok(hasLine(out, /^├─ epoch\s+5$/), out);
    assert.ok(hasLine(out, /^├─ model_state_dict\s+OrderedDict \(10 items\)\s+10 tensors, 62,006 elements$/), out);
    assert.ok(hasLine(out, /^│  ├─ conv1\.weight\s+float32\s+\[6, 3, 5, 5\]\s+450\s+1\.76 KiB\s+storage 0$/), out);
    assert.ok(hasLine(out, /^│  └─ fc3\.bias\s+float32\s+\[10\]\s+10\s+40 B\s+storage 9$/), out);
    assert.ok(hasLine(out, /^│  │  ├─ 0\s+dict \(1 item\)\s+1 tensor, 450 elements$/), out);
    assert.ok(hasLine(out, /^│  │  │  └─ momentum_buffer\s+float32\s+\[6, 3, 5, 5\]\s+450\s+1\.76 KiB\s+storage 10$/), out);
    assert.ok(hasLine(out, /^│        ├─ lr\s+0\.001$/), out);
    assert.ok(hasLine(out, /^│        ├─ momentum\s+0\.9$/), out);
    assert.ok(hasLine(out, /^│        ├─ nesterov\s+False$/), out);
    assert.ok(hasLine(out, /^│        └─ params\s+\[0, 1, 2, 3, 4, 5, 6, 7, 8, 9\]$/), out);
    assert.ok(hasLine(out, /^└─ loss\s+float32\s+\[\]\s+1\s+4 B\s+storage 20$/), out);
    assert.ok(hasLine(out, /^Total: 21 tensors, 124,013 elements; 21 storages holding 484 KiB \(496,052 bytes\)$/), out);
    // the tensor columns line up: every "float32" starts in the same column
    const columns = new Set(out.split("\n").filter((l) => / float32 /.test(l)).map((l) => l.indexOf(" float32 ")));
    assert.equal(columns.size, 1, out);
  });

  it("--json reports every tensor, storage, value and format detail", async (t) => {
    if (!requireTorch(t)) return;
    const { code, json } = await tsorchJson(["inspect", file("checkpoint.tar")]);
    assert.equal(code, 0);
    assert.equal(json.schema, "tsorch.inspect/1");
    assert.equal(json.format.kind, "zip");
    assert.equal(json.format.archiveName, "checkpoint");
    assert.equal(json.format.version, 3);
    assert.equal(json.format.byteorderRecord, false);
    assert.equal(json.format.serializationId, null);
    assert.equal(json.format.formatVersion, null);
    assert.equal(json.format.zip64, true);
    assert.equal(json.format.alignment.allAligned, true);
    assert.equal(json.format.storageRecordOrder, "string");
    assert.match(json.format.writer.summary, /^PyTorch 1\.6-2\.0/);
    assert.deepEqual([...json.format.globals].sort(), ["collections.OrderedDict", "torch.FloatStorage", "torch._utils._rebuild_tensor_v2"]);
    assert.equal(json.format.records[0].name, "checkpoint/data.pkl");
    assert.ok(json.format.records.every((r: { offset: number }) => r.offset % 64 === 0));

    assert.equal(json.tensors.length, 21);
    const conv1 = json.tensors.find((x: { key: string }) => x.key === "model_state_dict.conv1.weight");
    assert.deepEqual(
      { path: conv1.path, dtype: conv1.dtype, shape: conv1.shape, stride: conv1.stride, storage: conv1.storage, bytes: conv1.bytes, location: conv1.location, contiguous: conv1.contiguous },
      { path: ["model_state_dict", "conv1.weight"], dtype: "float32", shape: [6, 3, 5, 5], stride: [75, 25, 5, 1], storage: "0", bytes: 1800, location: "cpu", contiguous: true },
    );
    // fileOffset points at the tensor's first element in the file
    assert.equal(float32At(file("checkpoint.tar"), conv1.fileOffset), Math.fround(facts!.model["conv1.weight"].data[0]));
    const momentum = json.tensors.find((x: { key: string }) => x.key === "optimizer_state_dict.state.0.momentum_buffer");
    assert.deepEqual(momentum.path, ["optimizer_state_dict", "state", 0, "momentum_buffer"], "optimizer state ids stay ints");
    const loss = json.tensors.find((x: { key: string }) => x.key === "loss");
    assert.deepEqual(loss.shape, []);

    assert.deepEqual(json.totals, { tensors: 21, elements: 2 * MODEL_PARAMETERS + 1, tensorBytes: 4 * (2 * MODEL_PARAMETERS + 1), storages: 21, storageBytes: 4 * (2 * MODEL_PARAMETERS + 1) });
    assert.deepEqual(json.shared, []);

    const root = json.structure;
    assert.equal(root.kind, "dict");
    const item = (node: any, key: string | number) => node.items.find((i: { key: unknown }) => i.key === key).value;
    assert.deepEqual(item(root, "epoch"), { kind: "value", type: "int", repr: "5", value: 5 });
    assert.equal(item(root, "model_state_dict").type, "OrderedDict");
    assert.equal(item(root, "model_state_dict").elements, MODEL_PARAMETERS);
    const group = item(root, "optimizer_state_dict").items[1].value.items[0];
    assert.deepEqual(item(group, "lr"), { kind: "value", type: "float", repr: "0.001", value: 0.001 });
    assert.deepEqual(item(group, "nesterov"), { kind: "value", type: "bool", repr: "False", value: false });
    assert.equal(item(group, "params").items.length, 10);
    assert.equal(item(item(root, "optimizer_state_dict"), "state").items[0].key, 0);
  });
});

describe("inspect: other writers", () => {
  it("recognises a tsorch file: byteorder record, no serialization id, storages in numeric order", async () => {
    const tmpTs = tempDir();
    try {
      const sd: Record<string, torch.Tensor> = {};
      for (let i = 0; i < 12; i++) sd[`layer${i}.weight`] = torch.full([2], i);
      await torch.save(sd, join(tmpTs.dir, "ts.pt"));
      const { code, json } = await tsorchJson(["inspect", join(tmpTs.dir, "ts.pt")]);
      assert.equal(code, 0);
      assert.equal(json.format.byteorderRecord, true);
      assert.equal(json.format.storageRecordOrder, "numeric");
      assert.match(json.format.writer.summary, /^tsorch/);
      assert.equal(json.format.archiveName, "ts");
      const r = await tsorch(["inspect", join(tmpTs.dir, "ts.pt")]);
      assert.ok(hasLine(r.stdout, /^Writer\s+tsorch \(or PyTorch >= 2\.1 without a serialization id\)$/), r.stdout);
      assert.ok(hasLine(r.stdout, /storage records in numeric order/), r.stdout);
    } finally {
      tmpTs.remove();
    }
  });

  it("PyTorch >= 2.7 (.format_version, .storage_alignment) and 2.1-2.6 (.data/serialization_id) fixtures", async () => {
    const { json } = await tsorchJson(["inspect", join(FIXTURES, "burn-store-reader", "float16.pt")]);
    assert.equal(json.format.formatVersion, 1);
    assert.equal(json.format.storageAlignment, 64);
    assert.match(json.format.serializationId, /^\d{40}$/);
    assert.equal(json.format.writer.summary, "PyTorch >= 2.7");
    assert.deepEqual(json.tensors.map((x: { key: string; dtype: string; shape: number[] }) => [x.key, x.dtype, x.shape]), [["tensor", "float16", [3]]]);

    const r = await tsorch(["inspect", join(FIXTURES, "candle", "config.pt")]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(hasLine(r.stdout, /^Writer\s+PyTorch 2\.1-2\.6$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^├─ some_float\s+0\.1$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^└─ some_str\s+'hello'$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Total: 0 tensors, 0 elements; 0 storages/), r.stdout);
  });

  it("legacy files: magic, protocol, sys_info; cuda:0 locations shown as saved and mapped with --map-location", async () => {
    const vgg = join(FIXTURES, "lpips", "lpips_v0.1_vgg.pth");
    const r = await tsorch(["inspect", vgg]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(hasLine(r.stdout, /^Format\s+PyTorch legacy checkpoint/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Header\s+magic 0x1950a86a20f9469cfc6c, protocol_version 1001, byte order little$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^├─ lin0\.model\.1\.weight\s+float32\s+\[1, 64, 1, 1\]\s+64\s+256 B\s+storage \d+\s+cuda:0$/), r.stdout);

    const mapped = await tsorch(["inspect", vgg, "--map-location", "cpu"]);
    assert.ok(hasLine(mapped.stdout, /lin0\.model\.1\.weight .* cuda:0 -> cpu$/), mapped.stdout);
    const { json } = await tsorchJson(["inspect", vgg, "--map-location", "cuda:0=cpu"]);
    assert.equal(json.format.kind, "legacy");
    assert.equal(json.format.protocolVersion, 1001);
    assert.equal(json.format.sysInfo.little_endian, true);
    assert.deepEqual(new Set(json.tensors.map((x: { location: string; device: string }) => `${x.location}>${x.device}`)), new Set(["cuda:0>cpu"]));

    const alex = await tsorchJson(["inspect", join(FIXTURES, "lpips", "lpips_v0.0_alex.pth")]);
    assert.equal(alex.json.format.writer.summary, "PyTorch 0.3 or older");
    assert.ok(alex.json.format.globals.includes("torch._utils._rebuild_tensor"));
  });

  it("a legacy file written by PyTorch 1.13: same tensors as the zip file, storage offsets that point at the data", async (t) => {
    if (!requireTorch(t)) return;
    const { json } = await tsorchJson(["inspect", file("model_legacy.pt")]);
    const zip = await tsorchJson(["inspect", file("model.pt")]);
    const brief = (x: { key: string; dtype: string; shape: number[] }) => [x.key, x.dtype, x.shape];
    assert.deepEqual(json.tensors.map(brief), zip.json.tensors.map(brief));
    for (const x of json.tensors) {
      assert.equal(float32At(file("model_legacy.pt"), x.fileOffset), Math.fround(facts!.model[x.key].data[0]), x.key);
    }
  });

  it("big-endian files: the byteorder record, and a tensor saved as the whole file", async () => {
    const { json } = await tsorchJson(["inspect", join(FIXTURES, "pytorch-test-serialization", "lstm_be_bom.pt")]);
    assert.equal(json.format.byteorder, "big");
    assert.equal(json.format.byteorderRecord, true);
    assert.equal(json.tensors.length, 4);
    const r = await tsorch(["inspect", join(FIXTURES, "pytorch-test-serialization", "tensor_half_be_no_bom.pt")]);
    assert.ok(hasLine(r.stdout, /^<root>\s+float16\s+\[2, 2\]\s+4\s+8 B\s+storage 0$/), r.stdout);
    assert.ok(hasLine(r.stdout, /byte order little \(no byteorder record: assumed\)/), r.stdout);
  });

  it("safetensors: header, alignment, metadata, dtypes (codes tsorch has no dtype for stay codes)", async () => {
    const r = await tsorch(["inspect", join(FIXTURES, "safetensors", "f.safetensors")]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(hasLine(r.stdout, /^Format\s+safetensors file$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Header\s+83 bytes of JSON; data at offset 91 \(not 8-byte aligned\), 24 B$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Metadata\s+test = a$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^└─ f\s+float32\s+\[6\]\s+6\s+24 B$/), r.stdout);
    const { json } = await tsorchJson(["inspect", join(FIXTURES, "safetensors", "I.safetensors")]);
    assert.equal(json.format.kind, "safetensors");
    assert.equal(json.format.headerBytes, 83);
    assert.equal(json.format.dataAligned, false);
    assert.deepEqual(json.format.metadata, { test: "a" });
    assert.deepEqual(json.tensors.map((x: { key: string; dtype: string; shape: number[]; storage: null; fileOffset: number }) => [x.key, x.dtype, x.shape, x.storage, x.fileOffset]), [["I", "U32", [6], null, 91]]);
  });
});

describe("inspect: whole models", () => {
  it("shows a module of built-in layers by its state dict", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["inspect", file("sequential.pt")]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(hasLine(r.stdout, /^Contents: Sequential \(nn\.Module\) \(2 items\)\s+2 tensors, 9 elements$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^├─ 0\.weight\s+float32\s+\[3, 2\]\s+6\s+24 B\s+storage \?\s+requires_grad$/), r.stdout);
  });
});

describe("inspect: shared storages", () => {
  it("lists tensors that view one storage, with their offsets and strides", async (t) => {
    if (!requireTorch(t)) return;
    const r = await tsorch(["inspect", file("views.pt")]);
    assert.ok(hasLine(r.stdout, /^├─ a\s+float32\s+\[3, 4\]\s+12\s+48 B\s+storage 0\s+shared$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^├─ row\s+float32\s+\[4\]\s+4\s+16 B\s+storage 0\s+offset 4, shared$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^└─ t\s+float32\s+\[4, 3\]\s+12\s+48 B\s+storage 0\s+non-contiguous, shared$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^  storage 0 \(float32, 48 B\): a, row, t$/), r.stdout);
    assert.ok(hasLine(r.stdout, /^Total: 3 tensors, 28 elements; 1 storage holding 48 B \(48 bytes\)$/), r.stdout);
    const { json } = await tsorchJson(["inspect", file("views.pt")]);
    assert.deepEqual(json.shared, [{ storage: "0", dtype: "float32", bytes: 48, tensors: ["a", "row", "t"] }]);
    assert.deepEqual(json.tensors.map((x: { storageOffset: number; stride: number[] }) => [x.storageOffset, x.stride]), [[0, [4, 1]], [4, [1]], [0, [1, 4]]]);
    const tied = await tsorchJson(["inspect", file("tied.pt")]);
    assert.deepEqual(tied.json.shared.map((s: { tensors: string[] }) => s.tensors), [["emb.weight", "head.weight"]]);
  });
});

describe("inspect never reads tensor data", () => {
  /** A file source that records every byte range read. */
  function countingSource(path: string) {
    const file = new NodeFileSource(path);
    const reads: [number, number][] = [];
    return {
      source: { size: file.size, read: (offset: number, length: number, into?: Uint8Array) => (reads.push([offset, offset + length]), file.read(offset, length, into)) },
      reads,
      close: () => file.close(),
    };
  }

  const sum = (reads: [number, number][]) => reads.reduce((n, [b, e]) => n + (e - b), 0);

  it("zip: only the directory (found in the last 64 KiB), the local headers and data.pkl are read", async (t) => {
    if (!requireTorch(t)) return;
    const zip = countingSource(file("large.pt"));
    const report = buildReport(openCheckpointFrom(file("large.pt"), zip.source, zip.close));
    zip.close();
    assert.equal(report.totals.storageBytes, 4 * ((1 << 20) + 3));
    const tailStart = zip.source.size - 66 * 1024; // EOCD search: 22 bytes + a 64 KiB comment + the zip64 locator
    const big = report.storages.find((s) => s.bytes === 4 << 20)!;
    for (const [begin, end] of zip.reads) {
      const overlaps = end > big.fileOffset! && begin < tailStart && begin < big.fileOffset! + big.bytes;
      assert.ok(!overlaps, `read [${begin}, ${end}) reads storage ${big.key} (${big.fileOffset}..${big.fileOffset! + big.bytes})`);
    }
    assert.ok(sum(zip.reads) < 256 * 1024, `read ${sum(zip.reads)} bytes of a ${zip.source.size}-byte file`);
  });

  it("legacy: only the header, the pickle (through 64 KiB windows) and the 8-byte counts are read", async (t) => {
    if (!requireTorch(t)) return;
    const legacy = countingSource(file("large_legacy.pt"));
    const legacyReport = buildReport(openCheckpointFrom(file("large_legacy.pt"), legacy.source, legacy.close));
    legacy.close();
    assert.equal(legacyReport.tensors.length, 2);
    assert.ok(sum(legacy.reads) < 512 * 1024, `read ${sum(legacy.reads)} bytes of a ${legacy.source.size}-byte legacy file`);
  });

  it("safetensors: only the header is read", () => {
    const sf = countingSource(join(FIXTURES, "safetensors", "d.safetensors"));
    const report = buildReport(openCheckpointFrom("d.safetensors", sf.source, sf.close));
    sf.close();
    assert.equal(report.tensors[0].dtype, "float64");
    const dataStart = report.format.kind === "safetensors" ? report.format.dataOffset : 0;
    assert.ok(sf.reads.every(([, end]) => end <= dataStart), JSON.stringify(sf.reads));
  });
});
