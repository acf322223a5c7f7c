/**
 * The zip writer: PyTorch's layout (byte-identical to archives PyTorch wrote), 64-byte alignment,
 * streaming with on-the-fly CRC, zip64 (forced through a lower threshold) read by Python's zipfile.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as zlib from "node:zlib";
import { MemorySink, MemorySource } from "../../../src/io/memory.ts";
import { NodeFileSink } from "../../../src/io/node-file.ts";
import type { AsyncByteSink } from "../../../src/io/types.ts";
import {
  AsyncZipWriter,
  ZipError,
  ZipReader,
  ZipWriter,
  type ZipWriterOptions,
} from "../../../src/serialization/zip/index.ts";
import { FIXTURES, fixtureFiles } from "../../scripts/fixtures.ts";
import { runScript } from "../../scripts/python.ts";
import { type ZipOracle, type ZipOracleEntry } from "../../scripts/zip-oracle.ts";

const dir = mkdtempSync(join(tmpdir(), "tsorch-zip-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Entries like a torch.save archive, with names of many lengths to exercise the padding. */
function sampleEntries(): Array<[string, Uint8Array]> {
  const entries: Array<[string, Uint8Array]> = [["archive/data.pkl", pattern(167, 1)]];
  for (const name of [".format_version", ".storage_alignment", "byteorder"]) entries.push([`archive/${name}`, new TextEncoder().encode("x")]);
  for (let k = 0; k < 70; k++) entries.push([`archive/data/${k}`, pattern((k * 37) % 200, k + 2)]);
  entries.push(["archive/empty", new Uint8Array(0)]);
  entries.push(["archive/ünïcode-名前", pattern(10, 99)]);
  entries.push(["archive/version", new TextEncoder().encode("3\n")]);
  return entries;
}

function writeArchive(entries: Array<[string, Uint8Array]>, options?: ZipWriterOptions): Uint8Array {
  const sink = new MemorySink();
  const writer = new ZipWriter(sink, options);
  for (const [name, data] of entries) writer.add(name, data);
  writer.finish();
  return sink.bytes();
}

function pythonView(bytes: Uint8Array, name: string): ZipOracle {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return runScript<Record<string, ZipOracle>>("zip_oracle.py", [path])[path];
}

function checkAgainstPython(bytes: Uint8Array, entries: Array<[string, Uint8Array]>, label: string): ZipOracle {
  const oracle = pythonView(bytes, label);
  assert.equal(oracle.error, null);
  assert.equal(oracle.testzip, null, "Python's testzip found a bad CRC");
  assert.deepEqual(oracle.entries.map((e) => e.name), entries.map(([name]) => name));
  oracle.entries.forEach((e, i) => {
    assert.equal(e.sha256, sha256(entries[i][1]), e.name);
    assert.equal(e.data_offset % 64, 0, `${e.name} data at ${e.data_offset}`);
    assert.equal(e.compress_type, 0);
    assert.equal(e.flag_bits, entries[i][1].length > 0 ? 0x808 : 0x800);
  });
  const reader = ZipReader.open(new MemorySource(bytes), { verifyCrc: true });
  assert.deepEqual(
    reader.entries.map((e) => [e.name, e.localHeaderOffset, e.dataOffset, e.size, e.crc32]),
    oracle.entries.map((e) => [e.name, e.header_offset, e.data_offset, e.file_size, e.CRC]),
  );
  entries.forEach(([name, data]) => assert.deepEqual(reader.read(name), data));
  return oracle;
}

describe("ZipWriter", () => {
  it("writes archives that Python's zipfile reads, every record 64-byte aligned", () => {
    const entries = sampleEntries();
    checkAgainstPython(writeArchive(entries), entries, "plain.zip");
  });

  it("reproduces PyTorch's torch.save archives byte for byte", () => {
    const read = (path: string) => new Uint8Array(readFileSync(path));
    const files = fixtureFiles(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), read);
    let compared = 0;
    for (const path of files) {
      const original = read(path);
      const reader = ZipReader.open(new MemorySource(original));
      // TorchScript archives (constants.pkl, or model.json for PyTorch 1.0/1.1) come from other writers.
      if (reader.entries.some((e) => /\/(constants\.pkl|model\.json)$/.test(e.name))) continue;
      const copy = writeArchive(reader.entries.map((e) => [e.name, reader.read(e)]));
      assert.equal(Buffer.compare(copy, original), 0, `${path} differs from PyTorch's bytes`);
      compared++;
    }
    assert.ok(compared >= 40, `compared ${compared} archives`);
  });

  it("streams an entry in chunks with the CRC computed on the fly", () => {
    const data = pattern(1_000_003, 5);
    const sink = new MemorySink();
    const writer = new ZipWriter(sink);
    writer.add("archive/data.pkl", "pickle");
    const entry = writer.begin("archive/data/0", data.length);
    for (let i = 0; i < data.length; i += 65536) entry.write(data.subarray(i, i + 65536));
    const written = entry.end();
    writer.finish();
    assert.equal(written.crc32, zlib.crc32?.(data) ?? written.crc32);
    assert.equal(written.dataOffset % 64, 0);
    assert.equal(written.size, data.length);
    checkAgainstPython(sink.bytes(), [["archive/data.pkl", new TextEncoder().encode("pickle")], ["archive/data/0", data]], "streamed.zip");
  });

  it("writes to files and async sinks the same bytes", async () => {
    const entries = sampleEntries();
    const expected = writeArchive(entries);
    const path = join(dir, "file.zip");
    const file = new NodeFileSink(path);
    const writer = new ZipWriter(file);
    for (const [name, data] of entries) writer.add(name, data);
    writer.finish();
    file.close();
    assert.equal(Buffer.compare(readFileSync(path), expected), 0);

    const chunks: Uint8Array[] = [];
    const slow: AsyncByteSink = { write: async (bytes) => void chunks.push(bytes.slice()) };
    const asyncWriter = new AsyncZipWriter(slow);
    for (const [name, data] of entries.slice(0, -1)) await asyncWriter.add(name, data);
    const [lastName, lastData] = entries[entries.length - 1];
    const stream = await asyncWriter.begin(lastName, lastData.length);
    await stream.write(lastData.subarray(0, 1));
    await stream.write(lastData.subarray(1));
    await stream.end();
    await asyncWriter.finish();
    assert.equal(Buffer.compare(Buffer.concat(chunks), expected), 0);
  });

  it("writes zip64 fields when sizes or offsets reach the threshold, and Python reads them", () => {
    const entries = sampleEntries().slice(0, 12);
    for (const threshold of [0, 1, 100, 1000]) {
      const bytes = writeArchive(entries, { zip64Threshold: threshold });
      checkAgainstPython(bytes, entries, `zip64-${threshold}.zip`);
    }
    const forced = writeArchive(entries, { zip64Threshold: 0 });
    const end = forced.subarray(forced.length - 22);
    assert.equal(Buffer.from(end).readUInt32LE(12), 0xffffffff, "EOCD points to the zip64 record");
  });

  it("puts the zip64 extra before the FB padding in local headers, as PyTorch does", () => {
    const bytes = writeArchive([["a/big", pattern(10, 1)]], { zip64Threshold: 5 });
    const header = Buffer.from(bytes);
    const nameLength = header.readUInt16LE(26);
    const extra = header.subarray(30 + nameLength, 30 + nameLength + header.readUInt16LE(28));
    assert.equal(extra.readUInt16LE(0), 0x0001);
    assert.equal(extra.readUInt16LE(2), 16);
    assert.equal(extra.subarray(20, 22).toString("latin1"), "FB");
    const descriptorAt = 64 + 10;
    assert.equal(header.readUInt32LE(descriptorAt), 0x08074b50);
    assert.equal(Number(header.readBigUInt64LE(descriptorAt + 8)), 10, "64-bit sizes in the descriptor");
  });

  it("aligns to other powers of two on request", () => {
    const entries = sampleEntries().slice(0, 20);
    for (const alignment of [1, 8, 4096]) {
      const reader = ZipReader.open(new MemorySource(writeArchive(entries, { alignment })));
      for (const entry of reader.entries) assert.equal(entry.dataOffset % alignment, 0);
    }
    assert.throws(() => new ZipWriter(new MemorySink(), { alignment: 48 }), RangeError);
  });

  it("refuses misuse with typed errors", () => {
    const code = (fn: () => unknown, expected: string, message?: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof ZipError && e.code === expected && (!message || message.test(e.message)));
    const writer = new ZipWriter(new MemorySink());
    writer.add("a/x", "1");
    code(() => writer.add("a/x", "2"), "DUPLICATE_NAME");
    code(() => writer.add("", "2"), "BAD_NAME");
    const entry = writer.begin("a/y", 4);
    code(() => writer.add("a/z", "1"), "WRITER_STATE", /still open/);
    code(() => entry.write(new Uint8Array(5)), "SIZE_MISMATCH", /declared with 4 bytes/);
    entry.write(new Uint8Array(3));
    code(() => entry.end(), "SIZE_MISMATCH", /but 3 were written/);
    entry.write(new Uint8Array(1));
    entry.end();
    code(() => entry.end(), "WRITER_STATE", /no entry is open/);
    writer.finish();
    code(() => writer.add("a/w", "1"), "WRITER_STATE", /finished/);
    code(() => writer.finish(), "WRITER_STATE");
    code(() => new ZipWriter(new MemorySink()).begin("a", -1), "SIZE_MISMATCH");
  });

  it("stops after a sink failure", () => {
    let fail = false;
    const writer = new ZipWriter({
      write: () => {
        if (fail) throw new Error("disk full");
      },
    });
    writer.add("a/1", "x");
    fail = true;
    assert.throws(() => writer.add("a/2", "y"), /disk full/);
    fail = false;
    assert.throws(() => writer.add("a/3", "z"), (e: unknown) => e instanceof ZipError && e.code === "WRITER_STATE" && /disk full/.test(e.message));
  });
});
