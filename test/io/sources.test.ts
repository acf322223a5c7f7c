import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { MemorySink, MemorySource } from "../../src/io/memory.ts";
import { NodeFileSink, NodeFileSource } from "../../src/io/node-file.ts";
import { nodeInflateRaw } from "../../src/io/node-inflate.ts";
import { deflateRawSync } from "node:zlib";

const dir = mkdtempSync(join(tmpdir(), "tsorch-io-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);

describe("MemorySource", () => {
  it("returns views without copying, or fills a destination", () => {
    const source = new MemorySource(data);
    assert.equal(source.size, 1000);
    const view = source.read(10, 5);
    assert.equal(view.buffer, data.buffer);
    assert.deepEqual([...view], [10, 11, 12, 13, 14]);
    const into = new Uint8Array(8);
    const filled = source.read(995, 5, into);
    assert.equal(filled.buffer, into.buffer);
    assert.deepEqual([...filled], [227, 228, 229, 230, 231]);
    assert.equal(source.read(1000, 0).length, 0);
  });
  it("rejects ranges outside the data", () => {
    const source = new MemorySource(data);
    assert.throws(() => source.read(996, 5), /past the end of the source \(1000 bytes\)/);
    assert.throws(() => source.read(-1, 1), RangeError);
    assert.throws(() => source.read(0, 1.5), RangeError);
    assert.throws(() => source.read(0, 10, new Uint8Array(4)), /destination holds only 4 bytes/);
  });
});

describe("NodeFileSource", () => {
  it("reads by offset, into a destination, and closes", () => {
    const path = join(dir, "data.bin");
    writeFileSync(path, data);
    const source = new NodeFileSource(path);
    assert.equal(source.size, 1000);
    assert.deepEqual([...source.read(254, 4)], [254, 255, 0, 1]);
    const into = new Uint8Array(1000);
    source.read(0, 1000, into);
    assert.deepEqual(into, data);
    assert.throws(() => source.read(999, 2), RangeError);
    source.close();
    source.close();
    assert.throws(() => source.read(0, 1), /closed/);
  });
});

describe("sinks", () => {
  it("MemorySink grows and copies what it is given", () => {
    const sink = new MemorySink(16);
    const chunk = new Uint8Array([1, 2, 3]);
    for (let i = 0; i < 100; i++) sink.write(chunk);
    chunk[0] = 9;
    assert.equal(sink.size, 300);
    assert.deepEqual([...sink.bytes().subarray(0, 4)], [1, 2, 3, 1]);
    assert.equal(sink.view().length, 300);
  });
  it("NodeFileSink writes a file", () => {
    const path = join(dir, "out.bin");
    const sink = new NodeFileSink(path);
    sink.write(data.subarray(0, 500));
    sink.write(data.subarray(500));
    assert.equal(sink.size, 1000);
    sink.close();
    assert.deepEqual(new Uint8Array(readFileSync(path)), data);
    assert.throws(() => sink.write(data), /closed/);
  });
});

describe("nodeInflateRaw", () => {
  it("inflates raw deflate data and refuses output beyond the stated size", () => {
    const compressed = new Uint8Array(deflateRawSync(data));
    assert.deepEqual(nodeInflateRaw(compressed, 1000), data);
    assert.throws(() => nodeInflateRaw(compressed, 10));
  });
});
