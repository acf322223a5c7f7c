/**
 * The browser entry (src/browser.ts) against the Node one (src/index.ts): the same names at every level,
 * clear errors for paths, and a bundle that imports nothing from node:*. Runs in Node (no browser needed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as web from "../../src/browser.ts";
import * as node from "../../src/index.ts";
import { buildBrowser } from "../../scripts/build-browser.ts";

const names = (m: object) => Object.keys(m).sort();

describe("browser entry", () => {
  it("exports the same names as the Node entry, and the same in its namespaces", () => {
    assert.deepEqual(names(web), names(node));
    for (const ns of ["serialization", "safetensors", "nn", "optim", "F", "utils"] as const) {
      assert.deepEqual(names(web[ns]), names(node[ns]), `${ns}.*`);
    }
  });

  it("rejects paths with a message that says what to pass instead", async () => {
    const hint = /paths need Node\.js; pass a Blob, File, ArrayBuffer or Uint8Array/;
    await assert.rejects(web.load("model.pt" as never), (e: unknown) => e instanceof TypeError && /^torch\.load\("model\.pt"\)/.test(e.message) && hint.test(e.message));
    assert.throws(() => web.loadSync("model.pt" as never), hint);
    assert.throws(() => web.saveSync({}, "model.pt" as never), hint);
    await assert.rejects(web.save({}, "model.pt" as never), hint);
    assert.throws(() => web.safetensors.loadSafetensors("model.safetensors" as never), hint);
    assert.throws(() => web.safetensors.saveSafetensorsFile("model.safetensors", {}), hint);
  });

  it("round-trips bytes, Blobs, sync sinks and sync or async sources", async () => {
    const value = { w: web.arange(6).reshape(2, 3), step: 7 };
    const bytes = (await web.save(value)) as Uint8Array<ArrayBuffer>;
    const check = (got: { w: web.Tensor; step: number }) => {
      assert.equal(got.step, 7);
      assert.deepEqual([...got.w.toArray()], [0, 1, 2, 3, 4, 5]);
    };
    check(await web.load(bytes));
    check(await web.load(bytes.buffer as ArrayBuffer));
    check(await web.load(new Blob([bytes])));
    check(await web.load(web.blobSource(new Blob([bytes]))));
    const syncSource = {
      size: bytes.length,
      read(offset: number, length: number, into?: Uint8Array): Uint8Array {
        const view = bytes.subarray(offset, offset + length);
        if (!into) return view;
        into.set(view);
        return into.subarray(0, length);
      },
    };
    check(await web.load(syncSource));
    check(web.loadSync(bytes));
    const chunks: Uint8Array[] = [];
    web.saveSync(value, { write: (b: Uint8Array) => void chunks.push(b.slice()) });
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes));
    // Node's torch.load takes the same async sources.
    check(await node.load(web.blobSource(new Blob([bytes]))));
  });
});

describe("browser bundle", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsorch-bundle-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("builds for platform=browser without node:* imports", async () => {
    const outfile = join(dir, "tsorch.browser.js");
    const result = await buildBrowser({ outfile, logLevel: "silent" });
    const inputs = Object.keys(result.metafile!.inputs);
    assert.ok(inputs.some((p) => p.endsWith("src/browser.ts")));
    assert.deepEqual(inputs.filter((p) => /node-file|node-inflate|serialization\/\w+\/node\.ts$|src\/index\.ts$|src\/cli\//.test(p)), []);
    const code = readFileSync(outfile, "utf8");
    assert.doesNotMatch(code, /\b(?:from|import|require)\s*\(?\s*["'](?:node:|fs["']|zlib["'])/);
  });
});
