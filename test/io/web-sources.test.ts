/** Blob and HTTP range sources (src/io/browser.ts) and the async safetensors reader, run in Node against a loopback server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as torch from "../../src/index.ts";
import { BlobSink, blobSource, httpRangeSource } from "../../src/io/browser.ts";
import { loadSafetensors, loadSafetensorsAsync, readSafetensorsHeaderAsync, saveSafetensors, SafetensorsError } from "../../src/serialization/safetensors/index.ts";
import { type StaticServer, startStaticServer } from "../helpers/static-server.ts";

const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff);
torch.manualSeed(0);
const tensors = { a: torch.randn(3, 4), big: torch.randn(512, 1024), c: torch.arange(10, { dtype: "int64" }), d: torch.randn(5) };
const safetensorsBytes = saveSafetensors(tensors, { metadata: { format: "pt" } }) as Uint8Array<ArrayBuffer>;
const checkpoint = torch.serialization.saveToBytes({ weights: tensors, epoch: 3 });

let server: StaticServer;
before(async () => {
  server = await startStaticServer({
    "/data.bin": { body: data, type: "application/octet-stream" },
    "/no-ranges.bin": { body: data, type: "application/octet-stream", ranges: false },
    "/model.safetensors": { body: safetensorsBytes, type: "application/octet-stream" },
    "/model.pt": { body: checkpoint, type: "application/octet-stream" },
    "/empty.bin": { body: new Uint8Array(0), type: "application/octet-stream" },
  });
});
after(() => server.close());
const url = (path: string) => `${server.origin}${path}`;
/** True when two tensors hold the same dtype, shape and bytes. */
function same(a: torch.Tensor, b: torch.Tensor): boolean {
  const x = a.toArray();
  const y = b.toArray();
  return a.dtype === b.dtype && a.shape.equals(b.dims) && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}
const served = (path: string) => server.log.filter((r) => r.path === path).reduce((n, r) => n + r.bytes, 0);

describe("blobSource", () => {
  it("reads ranges, into a destination, and rejects reads past the end", async () => {
    const source = blobSource(new Blob([data]));
    assert.equal(source.size, data.length);
    assert.deepEqual([...(await source.read(254, 4))], [...data.subarray(254, 258)]);
    const into = new Uint8Array(10);
    const filled = await source.read(1000, 6, into);
    assert.equal(filled.buffer, into.buffer);
    assert.deepEqual([...filled], [...data.subarray(1000, 1006)]);
    await assert.rejects(source.read(data.length - 1, 2), /past the end of the source/);
  });
});

describe("httpRangeSource", () => {
  it("learns the size from Content-Range and reads small ranges through cached blocks", async () => {
    const source = await httpRangeSource(url("/data.bin"));
    assert.equal(source.size, data.length);
    for (let offset = 0; offset < 60_000; offset += 1000) {
      assert.deepEqual([...(await source.read(offset, 16))], [...data.subarray(offset, offset + 16)]);
    }
    // four 16 KiB blocks, the first one the probe's
    assert.equal(source.stats.requests, 4);
    assert.equal(source.stats.bytesReceived, 4 * 16384);
    // reads of up to 128 KiB are kept too; longer ones are not
    assert.deepEqual(await source.read(70_000, 40_000), data.subarray(70_000, 110_000));
    assert.deepEqual(await source.read(80_000, 10), data.subarray(80_000, 80_010));
    assert.equal(source.stats.requests, 5);
    const big = await source.read(100_000, 150_000, new Uint8Array(150_000));
    assert.deepEqual(big, data.subarray(100_000, 250_000));
    await source.read(100_000, 150_000);
    assert.equal(source.stats.requests, 7);
    assert.equal((await source.read(data.length, 0)).length, 0);
    await assert.rejects(source.read(data.length - 10, 11), /past the end/);
    assert.ok(server.log.filter((r) => r.path === "/data.bin").every((r) => r.status === 206));
  });

  it("names the problem when the server ignores ranges or the resource is missing", async () => {
    await assert.rejects(httpRangeSource(url("/no-ranges.bin")), /ignored "Range: bytes=0-16383".*does not support range requests/);
    await assert.rejects(httpRangeSource(url("/missing.bin")), /failed with HTTP 404/);
    const empty = await httpRangeSource(url("/empty.bin"));
    assert.equal(empty.size, 0);
    await assert.rejects(torch.load(empty), /the file is empty \(0 bytes\)/);
  });

  it("torch.load reads a checkpoint over HTTP without fetching it twice", async () => {
    const source = await httpRangeSource(url("/model.pt"));
    const loaded = await torch.load(source);
    assert.equal(loaded.epoch, 3);
    for (const name of Object.keys(tensors) as (keyof typeof tensors)[]) assert.ok(same(loaded.weights[name], tensors[name]), name);
    // The storages once, plus the zip reader's 64 KiB end-of-archive search and a 16 KiB block per header.
    assert.ok(served("/model.pt") < checkpoint.length + 200_000, `served ${served("/model.pt")} bytes of a ${checkpoint.length}-byte file`);
  });
});

describe("loadSafetensorsAsync", () => {
  it("loads from a Blob, bytes and an HTTP source like the synchronous reader", async () => {
    const expected = loadSafetensors(safetensorsBytes);
    for (const input of [new Blob([safetensorsBytes]), safetensorsBytes, safetensorsBytes.buffer as ArrayBuffer, await httpRangeSource(url("/model.safetensors"))]) {
      const { tensors: got, metadata } = await loadSafetensorsAsync(input);
      assert.deepEqual(metadata, { format: "pt" });
      assert.deepEqual(Object.keys(got), Object.keys(expected.tensors));
      for (const [name, t] of Object.entries(expected.tensors)) {
        assert.ok(same(got[name], t), name);
      }
    }
  });

  it("fetches only the header and the chosen tensors' bytes", async () => {
    const before = served("/model.safetensors");
    const source = await httpRangeSource(url("/model.safetensors"), { blockSize: 0 });
    const { tensors: got } = await loadSafetensorsAsync(source, { filter: (name) => name !== "big" });
    assert.deepEqual(Object.keys(got).sort(), ["a", "c", "d"]);
    const fetched = served("/model.safetensors") - before;
    assert.ok(fetched < 2000 && fetched < safetensorsBytes.length / 100, `fetched ${fetched} of ${safetensorsBytes.length} bytes`);
    assert.equal(source.stats.bytesReceived, fetched);
  });

  it("validates like the synchronous reader", async () => {
    await assert.rejects(loadSafetensorsAsync(new Blob([new Uint8Array(4)])), (e: unknown) => e instanceof SafetensorsError && e.code === "HEADER_TOO_SMALL");
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    await assert.rejects(readSafetensorsHeaderAsync(new Blob([huge])), (e: unknown) => e instanceof SafetensorsError && e.code === "HEADER_TOO_LARGE");
    const past = new Uint8Array(16);
    new DataView(past.buffer).setBigUint64(0, 100n, true);
    await assert.rejects(readSafetensorsHeaderAsync(new Blob([past])), (e: unknown) => e instanceof SafetensorsError && e.code === "INVALID_HEADER_LENGTH");
  });
});

describe("BlobSink", () => {
  it("collects an async torch.save into a Blob equal to the bytes", async () => {
    const sink = new BlobSink();
    await torch.save({ weights: tensors }, sink);
    const bytes = await torch.save({ weights: tensors });
    assert.equal(sink.size, bytes!.length);
    assert.deepEqual(new Uint8Array(await sink.blob().arrayBuffer()), bytes);
    assert.deepEqual(new Uint8Array(await torch.saveToBlob({ weights: tensors }).arrayBuffer()), bytes);
  });
});
