/**
 * tsorch in a real browser: builds the browser bundle (scripts/build-browser.ts), serves it with a test page
 * (test/browser/page.ts) and PyTorch-written checkpoints from a loopback server, and drives Debian's Chromium
 * with playwright-core. The page trains, saves to bytes/Blobs and loads from a File; loads PyTorch 1.13
 * checkpoints from a file input, fetch and HTTP range requests; reads safetensors by range; and runs the
 * wasm kernels (cross-origin isolated page) and their TypeScript fallback (plain page).
 *
 * Needs /usr/bin/chromium (TSORCH_CHROMIUM overrides; `apt-get install -y chromium`): without it the test
 * skips locally and fails under CI=true. The PyTorch checks need python3-torch, with the same rule.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { buildBrowser } from "../../scripts/build-browser.ts";
import * as torch from "../../src/index.ts";
import { TheModelClass } from "../nn/models.ts";
import { assertClose, hasTorch, type JsonTensor, requireTorch, runPython } from "../helpers/pytorch.ts";
import { type StaticServer, startStaticServer } from "../helpers/static-server.ts";
import type { PageApi } from "./page.ts";

const CHROMIUM = process.env.TSORCH_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const haveChromium = existsSync(CHROMIUM);
const skip = !haveChromium && !process.env.CI ? `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)` : false;
const HERE = dirname(fileURLToPath(import.meta.url));

interface PytorchFixture {
  input: JsonTensor;
  output: JsonTensor;
  sums: Record<string, number>;
  momentum_sums: Record<string, number>;
  epoch: number;
  loss: number;
}

const OCTETS = "application/octet-stream";
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
const HTML = `<!doctype html><meta charset="utf-8"><title>tsorch browser test</title><link rel="icon" href="data:,">
<input type="file" id="file"><script type="module" src="/page.js"></script>`;

/** Relative closeness of numbers (sums of float32 values, added in different orders). */
function assertNear(actual: number, expected: number, what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.ok(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected), `${what}: ${actual}, expected ${expected}`);
}

const tensorOf = (values: number[]) => torch.tensor(values);

describe("tsorch in Chromium", { skip, timeout: 120_000 }, () => {
  let dir: string;
  let server: StaticServer;
  let context: BrowserContext;
  let isolated: Page;
  let pytorch: PytorchFixture | undefined;
  let safetensorsSum = 0;
  const pageErrors: string[] = [];

  /** Calls `window.tsorchTest[name](arg)` in `page`. */
  async function call<K extends keyof PageApi>(page: Page, name: K, arg?: Parameters<PageApi[K]>[0]): Promise<Awaited<ReturnType<PageApi[K]>>> {
    return page.evaluate(([n, a]) => (window.tsorchTest![n] as (x: unknown) => unknown)(a), [name, arg] as const) as Promise<Awaited<ReturnType<PageApi[K]>>>;
  }

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(`${path}: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(`${path}: console: ${m.text()}`));
    await page.goto(`${server.origin}${path}`);
    try {
      await page.waitForFunction(() => window.tsorchTest !== undefined, null, { timeout: 15_000 });
    } catch (error) {
      throw new Error(`${path} did not start: ${pageErrors.join("\n") || String(error)}`);
    }
    return page;
  }

  before(async () => {
    if (!haveChromium) throw new Error(`Chromium is required for the browser test under CI (${CHROMIUM} is missing: apt-get install -y chromium)`);
    dir = mkdtempSync(join(tmpdir(), "tsorch-browser-"));
    const bundle = join(dir, "tsorch.browser.js");
    await buildBrowser({ outfile: bundle, logLevel: "error" });
    const page = await transform(readFileSync(join(HERE, "page.ts"), "utf8"), { loader: "ts", format: "esm", target: "es2022", sourcefile: "page.ts" });

    const files: Record<string, { body: Uint8Array | string; type: string; headers?: Record<string, string> }> = {
      "/isolated.html": { body: HTML, type: "text/html", headers: ISOLATION },
      "/plain.html": { body: HTML, type: "text/html" },
      "/page.js": { body: page.code, type: "text/javascript" },
      "/tsorch.browser.js": { body: readFileSync(bundle), type: "text/javascript" },
      "/tsorch.browser.js.map": { body: readFileSync(`${bundle}.map`), type: "application/json" },
    };
    if (hasTorch()) {
      pytorch = runPython<PytorchFixture>("browser_checkpoints.py", { dir }, ["make"]);
      files["/files/pytorch.tar"] = { body: readFileSync(join(dir, "pytorch.tar")), type: OCTETS };
      files["/files/pytorch-legacy.tar"] = { body: readFileSync(join(dir, "pytorch-legacy.tar")), type: OCTETS };
    }
    torch.manualSeed(2);
    const stateDict = new TheModelClass().stateDict() as Record<string, torch.Tensor>;
    safetensorsSum = stateDict["fc3.weight"].sum().item() as number;
    files["/files/model.safetensors"] = { body: torch.safetensors.saveSafetensors(stateDict), type: OCTETS };
    server = await startStaticServer(files);

    context = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    isolated = await open("/isolated.html");
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs the bundle cross-origin isolated, with the wasm SIMD kernels; a plain page falls back to TypeScript", async () => {
    const env = await call(isolated, "environment");
    assert.equal(env.crossOriginIsolated, true, "COOP/COEP make the page cross-origin isolated");
    assert.equal(env.sharedArrayBuffer, true);
    assert.equal(env.exports, Object.keys(torch).length, "the bundle exports as many names as src/index.ts");
    const simd = await call(isolated, "kernels");
    assert.deepEqual(simd.wasm.errors, [], "the wasm module compiles on the main thread");
    assert.equal(simd.wasm.instances, 1);
    assert.ok((simd.wasm.calls.nn ?? 0) + (simd.wasm.calls.nt ?? 0) > 0 && (simd.wasm.calls.im2col ?? 0) > 0, `wasm calls: ${JSON.stringify(simd.wasm.calls)}`);

    const plainPage = await open("/plain.html");
    const plainEnv = await call(plainPage, "environment");
    assert.equal(plainEnv.sharedArrayBuffer, false);
    const plain = await call(plainPage, "kernels");
    assert.equal(plain.wasm.instances, 0);
    assert.deepEqual(plain.wasm.calls, {});
    await plainPage.close();

    // The same numbers either way, and as in Node.
    torch.manualSeed(1);
    const model = new TheModelClass();
    const x = torch.randn(8, 3, 32, 32);
    const out = model.call(x);
    torch.nn.functional.crossEntropy(out, torch.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "int64" })).backward();
    const product = torch.matmul(torch.randn(64, 96), torch.randn(96, 80));
    for (const [name, got] of [["simd", simd], ["plain", plain]] as const) {
      assertClose(tensorOf(got.output), out.detach().flatten(), 1e-4, 1e-5, `${name} output`);
      assertClose(tensorOf(got.grad), model.conv1.weight.grad!.flatten(), 1e-4, 1e-5, `${name} conv1 grad`);
      assertClose(tensorOf(got.product), product.flatten(), 1e-4, 1e-5, `${name} matmul`);
    }
  });

  it("trains a step, saves to bytes, a Blob and sinks, loads from a File, and resumes exactly; PyTorch reads the file", async (t) => {
    const r = await call(isolated, "trainSaveLoad");
    assert.equal(r.outputEqual, true, "the loaded model computes what the saved one did");
    assert.equal(r.resumedEqual, true, "a step after resuming from the file equals a step without stopping");
    assert.equal(r.resumedLr, 0.01, "loadStateDict restored the optimizer's lr");
    assert.equal(r.loadedEpoch, 1);
    assert.equal(r.loadedLoss, r.loss);
    assert.equal(r.blobEqual, true, "saveToBlob holds the same bytes as save()");
    assert.equal(r.sinkEqual, true, "save(value, BlobSink) writes the same bytes");
    assert.equal(r.syncEqual, true, "saveSync(value, sink) writes the same bytes");
    assert.equal(r.loadSyncEpoch, 1);
    assert.equal(r.pathError, 'TypeError: torch.load("model.pt"): paths need Node.js; pass a Blob, File, ArrayBuffer or Uint8Array');
    assert.match(r.savePathError, /^TypeError: torch\.save\("model\.pt"\): paths need Node\.js/);

    const bytes = Buffer.from(r.checkpoint, "base64");
    assert.equal(bytes.length, r.size);
    const node = await torch.load(bytes);
    assert.equal(node.epoch, 1, "Node's torch.load reads the browser's file");
    if (!requireTorch(t)) return;
    const path = join(dir, "from-browser.tar");
    writeFileSync(path, bytes);
    const py = runPython<{ output: JsonTensor; epoch: number; loss: number; keys: string[]; lr: number; momentum: number }>(
      "browser_checkpoints.py", { path, input: { dtype: "float32", shape: [2, 3, 32, 32], data: r.input } }, ["check"],
    );
    assert.equal(py.epoch, 1);
    assert.equal(py.loss, r.loss);
    assert.deepEqual([py.lr, py.momentum], [0.01, 0.9]);
    assert.deepEqual(py.keys, Object.keys(new TheModelClass().stateDict()));
    assertClose(tensorOf(r.output), tensorOf(py.output.data as number[]), 1e-4, 1e-5, "PyTorch's output on the browser's checkpoint");
  });

  it("loads PyTorch 1.13 checkpoints from a file input, fetch -> Blob, HTTP range requests and legacy bytes", async (t) => {
    if (!requireTorch(t)) return;
    const expected = pytorch!;
    await isolated.setInputFiles("#file", { name: "pytorch.tar", mimeType: OCTETS, buffer: readFileSync(join(dir, "pytorch.tar")) });
    const before = server.log.length;
    const r = await call(isolated, "loadPytorch", { zipUrl: "/files/pytorch.tar", legacyUrl: "/files/pytorch-legacy.tar", input: expected.input.data as number[] });
    assert.equal(r.file?.name, "pytorch.tar");
    for (const [how, got] of Object.entries({ file: r.file!, blob: r.blob, range: r.range, legacy: r.legacy, legacyBlob: r.legacyBlob })) {
      assert.deepEqual([got.missing, got.unexpected], [[], []], `${how}: loadStateDict keys`);
      assert.equal(got.epoch, expected.epoch, `${how}: epoch`);
      assert.equal(got.loss, expected.loss, `${how}: loss`);
      assert.equal(got.lr, 0.001, `${how}: optimizer lr`);
      assert.deepEqual(Object.keys(got.sums), Object.keys(expected.sums), `${how}: state dict keys`);
      for (const [k, v] of Object.entries(expected.sums)) assertNear(got.sums[k], v, `${how}: sum of ${k}`);
      for (const [k, v] of Object.entries(expected.momentum_sums)) assertNear(got.momentum[k], v, `${how}: momentum_buffer ${k}`);
      assertClose(tensorOf(got.output), tensorOf(expected.output.data as number[]), 1e-4, 1e-5, `${how}: output`);
    }
    // The range source read the file in parts, about once (plus the zip reader's 64 KiB end search and one block of headers).
    const ranged = server.log.slice(before).filter((q) => q.path === "/files/pytorch.tar" && q.range !== undefined);
    assert.ok(ranged.length >= 3 && ranged.every((q) => q.status === 206), JSON.stringify(ranged));
    assert.equal(r.range.stats.requests, ranged.length);
    assert.ok(r.range.stats.bytesReceived < r.range.size + 200_000, `received ${r.range.stats.bytesReceived} of ${r.range.size} bytes`);
  });

  it("reads one tensor of a safetensors file by range requests, and round-trips safetensors through a Blob", async () => {
    const r = await call(isolated, "safetensors", { url: "/files/model.safetensors", name: "fc3.weight" });
    assert.deepEqual(r.names, ["fc3.weight"]);
    assert.deepEqual(r.shape, [10, 84]);
    assertNear(r.sum, safetensorsSum, "sum of fc3.weight");
    assert.ok(r.bytesReceived < 10_000 && r.bytesReceived < r.size / 20, `received ${r.bytesReceived} of ${r.size} bytes`);
    assert.equal(r.roundTrip, true);
    assert.deepEqual(r.metadata, { format: "pt" });
    assert.match(r.pathError, /^TypeError: loadSafetensors\("model\.safetensors"\): paths need Node\.js/);
  });

  it("logs no page errors and serves no 404s", () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(server.log.filter((q) => q.status >= 400), []);
  });
});
