/**
 * Real checkpoints written by other PyTorch versions and tools (test/fixtures, from ../shared/fixtures): each file
 * PyTorch 1.13 reads loads in tsorch with the same content as PyTorch's own load in this run (values, types, layout,
 * sharing); TorchScript archives fail with a specific CheckpointError; big-endian files are decoded correctly (the
 * fixtures' README gives the values: torch 1.13 ignores `byteorder`); and mapLocation behaves as PyTorch's
 * map_location on files saved on cuda:0 (and mps).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { describe, type DescribedTensor } from "../../helpers/describe.ts";
import { hasTorch, requireTorch } from "../../helpers/pytorch.ts";
import { type PyDescribe, pyDescribeAll, pySave, tempDir } from "./interop.ts";
import { CountingSource } from "../../helpers/counting-source.ts";
import { FIXTURES } from "../../scripts/fixtures.ts";

const GROUPS = ["burn-store-reader", "burn-pytorch-tests", "candle", "lpips", "pytorch-test-serialization", "tch-rs"];
const BIG_ENDIAN = new Set(["pytorch-test-serialization/lstm_be_bom.pt", "pytorch-test-serialization/tensor_half_be_no_bom.pt"]);
const TORCHSCRIPT = /^tch-rs\//;

const files = GROUPS.flatMap((g) => readdirSync(join(FIXTURES, g)).filter((f) => /\.pth?$/.test(f)).sort().map((f) => `${g}/${f}`));
const path = (name: string) => join(FIXTURES, name);
const dir = tempDir("fixtures");

function errorOf(fn: () => unknown): torch.CheckpointError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof torch.CheckpointError, `expected a CheckpointError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

/** Byte-swaps every element of a described tensor's hex (PyTorch 1.13 returns big-endian files unswapped). */
function swapHex(hex: string, itemsize: number): string {
  const bytes = Buffer.from(hex, "hex");
  for (let i = 0; i < bytes.length; i += itemsize) bytes.subarray(i, i + itemsize).reverse();
  return bytes.toString("hex");
}

function swapTensors(value: unknown, itemsizes: Record<string, number>): unknown {
  if (Array.isArray(value)) return value.map((v) => swapTensors(v, itemsizes));
  if (value && typeof value === "object") {
    if ("tensor" in value) {
      const t = (value as { tensor: DescribedTensor }).tensor;
      return { tensor: { ...t, hex: swapHex(t.hex!, itemsizes[t.dtype]) } };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swapTensors(v, itemsizes)]));
  }
  return value;
}

const ITEMSIZE: Record<string, number> = { float32: 4, float16: 2, float64: 8, int64: 8 };

suite("fixtures PyTorch 1.13 reads", { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
  let oracle: Map<string, PyDescribe> | undefined;
  const pyLoad = (name: string) => {
    oracle ??= (() => {
      const readable = files.filter((f) => !TORCHSCRIPT.test(f));
      const all = pyDescribeAll(readable.map((f) => ({ path: path(f), map_location: "cpu" })));
      return new Map(readable.map((f, i) => [f, all[i]]));
    })();
    return oracle.get(name)!;
  };

  for (const name of files.filter((f) => !TORCHSCRIPT.test(f) && !BIG_ENDIAN.has(f))) {
    it(`${name}: same content as PyTorch's load`, (t) => {
      if (!requireTorch(t)) return;
      const py = pyLoad(name);
      assert.equal(py.error, undefined, py.error);
      assert.deepEqual(describe(torch.loadSync(path(name), { mapLocation: "cpu" })), py.value);
    });
  }

  it("lstm_be_bom.pt (byteorder 'big'): every element byte-swapped from what torch 1.13 returns, the README's values", (t) => {
    if (!requireTorch(t)) return;
    const name = "pytorch-test-serialization/lstm_be_bom.pt";
    const sd = torch.loadSync(path(name));
    assert.equal(torch.serialization.loadWithFormat(path(name)).format.kind, "zip");
    assert.deepEqual(describe(sd), swapTensors(pyLoad(name).value, ITEMSIZE));
    const readme: Record<string, number[]> = {
      weight_ih_l0: [-0.197712, -0.316729, 0.141521, -0.275473],
      weight_hh_l0: [0.440151, -0.222998, -0.53686, -0.129991],
      bias_ih_l0: [0.056338, 0.010856, -0.422276, 0.574366],
      bias_hh_l0: [-0.228188, -0.271185, -0.436156, -0.411645],
    };
    assert.deepEqual(Object.keys(sd), Object.keys(readme));
    for (const [key, values] of Object.entries(readme)) {
      const got = Array.from((sd[key] as torch.Tensor).toArray().slice(0, 4));
      got.forEach((v, i) => assert.ok(Math.abs(v - values[i]) < 1e-6, `${key}[${i}] = ${v}, README ${values[i]}`));
    }
  });

  it("tensor_half_be_no_bom.pt (no byteorder record): little-endian by default, as PyTorch; big with { byteorder: 'big' }", (t) => {
    if (!requireTorch(t)) return;
    const name = "pytorch-test-serialization/tensor_half_be_no_bom.pt";
    const asIs = torch.loadSync(path(name));
    assert.deepEqual(describe(asIs), pyLoad(name).value);
    const close = (got: ArrayLike<number>, want: number[]) => want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-3 * Math.abs(w), `${got[i]} vs ${w}`));
    close(asIs.toArray(), [0.147827, 1595, -22.9531, -0.056427]);
    const big = torch.loadSync(path(name), { byteorder: "big" });
    assert.deepEqual(describe(big), swapTensors(pyLoad(name).value, { float16: 2 }));
    close(big.toArray(), [-0.898438, 0.924805, -1.4502, 0.708496]);
    assert.deepEqual([...big.shape], [2, 2]);
    // an explicit byteorder record wins over the option
    const lstm = describe(torch.loadSync(path("pytorch-test-serialization/lstm_be_bom.pt"), { byteorder: "little" }));
    assert.deepEqual(lstm, describe(torch.loadSync(path("pytorch-test-serialization/lstm_be_bom.pt"))));
  });
});

suite("TorchScript archives", () => {
  for (const name of files.filter((f) => TORCHSCRIPT.test(f))) {
    it(`${name}: a CheckpointError saying it is a TorchScript archive`, () => {
      const error = errorOf(() => torch.loadSync(path(name)));
      assert.equal(error.code, "TORCHSCRIPT_ARCHIVE");
      assert.match(error.message, /TorchScript archive/);
      assert.match(error.message, name.includes("2019") ? /model\.json/ : /constants\.pkl/);
    });
  }
});

suite("mapLocation", () => {
  const cuda = "lpips/lpips_v0.0_alex.pth";
  const cudaV01 = "lpips/lpips_v0.1_vgg.pth";

  it("a file saved on cuda:0 without mapLocation: PyTorch's error, telling what to pass", () => {
    for (const name of [cuda, cudaV01]) {
      const error = errorOf(() => torch.loadSync(path(name)));
      assert.equal(error.code, "DEVICE_UNAVAILABLE");
      assert.match(error.message, /mapLocation: "cpu"/);
      if (!hasTorch()) continue;
      const [py] = pyDescribeAll([{ path: path(name) }]);
      assert.ok(error.message.startsWith(py.error!.replace(/^RuntimeError: /, "")), `${error.message}\nvs PyTorch's\n${py.error}`);
    }
  });

  it('"cpu", { "cuda:0": "cpu" }, a function and a Device give the same tensors, on the cpu', () => {
    const seen: [string, number, string][] = [];
    const byString = describe(torch.loadSync(path(cuda), { mapLocation: "cpu" }));
    const byTable = describe(torch.loadSync(path(cuda), { mapLocation: { "cuda:0": "cpu" } }));
    const byFunction = describe(torch.loadSync(path(cuda), {
      mapLocation: (storage, location) => {
        seen.push([location, storage.nbytes, storage.key]);
        assert.equal(storage.location, location);
        return "cpu";
      },
    }));
    const byDevice = describe(torch.loadSync(path(cuda), { mapLocation: new torch.Device("cpu") }));
    assert.deepEqual(byTable, byString);
    assert.deepEqual(byFunction, byString);
    assert.deepEqual(byDevice, byString);
    assert.equal(seen.length, 5);
    assert.ok(seen.every(([location]) => location === "cuda:0"));
    assert.deepEqual(seen.map(([, nbytes]) => nbytes), [64, 192, 384, 256, 256].map((n) => n * 4));
    const devices = (byString.odict as [unknown, { tensor: DescribedTensor }][]).map(([, v]) => v.tensor.device);
    assert.deepEqual(devices, Array(5).fill("cpu"));
  });

  it("a table without the file's location, or a function returning undefined, keeps it: the cuda error", () => {
    assert.equal(errorOf(() => torch.loadSync(path(cuda), { mapLocation: { "cuda:1": "cpu" } })).code, "DEVICE_UNAVAILABLE");
    assert.equal(errorOf(() => torch.loadSync(path(cuda), { mapLocation: () => undefined })).code, "DEVICE_UNAVAILABLE");
    assert.equal(errorOf(() => torch.loadSync(path(cuda), { mapLocation: "cuda:0" })).code, "DEVICE_UNAVAILABLE");
    assert.equal(errorOf(() => torch.loadSync(path(cuda), { mapLocation: "not a device!" })).code, "BAD_MAP_LOCATION");
  });

  it("a file saved on mps: an error naming MPS without mapLocation, loads with 'cpu'", () => {
    const bytes = torch.serialization.saveToBytes({ w: torch.arange(3, undefined, 1, { dtype: torch.float32 }) });
    // BINUNICODE 'cpu' -> 'mps' (same length) in data.pkl
    const needle = Buffer.from([0x58, 3, 0, 0, 0, ...Buffer.from("cpu")]);
    const at = Buffer.from(bytes).indexOf(needle);
    assert.ok(at > 0);
    bytes.set(Buffer.from("mps"), at + 5);
    const error = errorOf(() => torch.loadSync(bytes));
    assert.equal(error.code, "DEVICE_UNAVAILABLE");
    assert.match(error.message, /MPS/);
    assert.deepEqual(Array.from(torch.loadSync(bytes, { mapLocation: "cpu" }).w.toArray()), [0, 1, 2]);
  });

  it('"meta" reads no data: meta tensors with the saved dtypes and shapes', () => {
    const big = { a: torch.zeros(256, 1024), b: torch.ones([1000], { dtype: torch.int64 }) };
    const bytes = torch.serialization.saveToBytes(big);
    const spy = new CountingSource(bytes);
    const loaded = torch.loadSync(spy, { mapLocation: "meta" });
    // the zip reader looks for the end-of-central-directory record in the last 64 KiB; nothing else is read
    assert.ok(spy.bytesRead < 70_000, `read ${spy.bytesRead} bytes of ${bytes.length}`);
    assert.ok(loaded.a.isMeta && loaded.b.isMeta);
    assert.deepEqual([...loaded.a.shape], [256, 1024]);
    assert.equal(loaded.b.dtype, torch.int64);
    // cuda:0 legacy files too
    assert.deepEqual(Object.values(torch.loadSync(path(cuda), { mapLocation: "meta" })).map((t) => (t as torch.Tensor).isMeta), Array(5).fill(true));
  });

  it('"meta" on a legacy file skips the storages that follow the pickle', (t) => {
    if (!requireTorch(t)) return;
    pySave(dir, ["big"], true);
    const bytes = readFileSync(join(dir, "big.legacy.pt"));
    const spy = new CountingSource(bytes);
    const loaded = torch.loadSync(spy, { mapLocation: "meta" });
    // three pickles read through 64 KiB windows; none of the 4 MB of data
    assert.ok(spy.bytesRead < 4 * 65536, `read ${spy.bytesRead} bytes of ${bytes.length}`);
    assert.ok(loaded.a.isMeta && loaded.b.isMeta);
    assert.deepEqual([...loaded.a.shape], [1024, 1024]);
  });
});
