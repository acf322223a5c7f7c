/**
 * The zip reader: every fixture lists the same entries, offsets and contents as Python's zipfile;
 * reads go straight into caller buffers; only the directory is read on open; corrupt archives
 * raise typed ZipErrors that name what was expected and what came.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { MemorySink, MemorySource } from "../../../src/io/memory.ts";
import { NodeFileSource } from "../../../src/io/node-file.ts";
import { nodeInflateRaw } from "../../../src/io/node-inflate.ts";
import type { AsyncByteSource } from "../../../src/io/types.ts";
import { AsyncZipReader, ZipError, ZipReader, ZipWriter, type ZipWriterOptions } from "../../../src/serialization/zip/index.ts";
import { FIXTURES, fixtureFiles } from "../../scripts/fixtures.ts";
import { runScript } from "../../scripts/python.ts";
import { type ZipOracleEntry } from "../../scripts/zip-oracle.ts";
import { CountingSource } from "../../helpers/counting-source.ts";

const dir = mkdtempSync(join(tmpdir(), "tsorch-zipr-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

function archive(entries: Array<[string, Uint8Array | string]>, options?: ZipWriterOptions): Uint8Array {
  const sink = new MemorySink();
  const writer = new ZipWriter(sink, options);
  for (const [name, data] of entries) writer.add(name, data);
  writer.finish();
  return sink.bytes();
}

const small = () =>
  archive([
    ["archive/data.pkl", new Uint8Array([0x80, 2, 0x4b, 1, 0x2e])],
    ["archive/data/0", new Uint8Array(100).fill(7)],
    ["archive/version", "3\n"],
  ]);

const zipCode = (fn: () => unknown, code: string, message?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ZipError, `expected ZipError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });

describe("ZipReader on the fixtures", () => {
  const read = (path: string) => new Uint8Array(readFileSync(path));
  const zips = fixtureFiles(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), read);
  const oracle = runScript<Record<string, { entries: ZipOracleEntry[]; error: string | null }>>("zip_oracle.py", zips);

  it("found the zip fixtures", () => assert.ok(zips.length >= 45, `${zips.length}`));
  for (const path of zips) {
    it(`${path.slice(FIXTURES.length + 1)} lists and reads like Python's zipfile`, () => {
      const expected = oracle[path];
      assert.equal(expected.error, null);
      const source = new NodeFileSource(path);
      try {
        const zip = ZipReader.open(source, { inflate: nodeInflateRaw, verifyCrc: true });
        assert.deepEqual(
          zip.entries.map((e) => ({ name: e.name, header_offset: e.localHeaderOffset, data_offset: e.dataOffset, compress_type: e.method, file_size: e.size, compress_size: e.compressedSize, CRC: e.crc32, flag_bits: e.flags })),
          expected.entries.map(({ sha256: _, ...rest }) => rest),
        );
        for (const [i, entry] of zip.entries.entries()) assert.equal(sha256(zip.read(entry)), expected.entries[i].sha256, entry.name);
        assert.ok(zip.zip64, "PyTorch always writes the zip64 end record");
      } finally {
        source.close();
      }
    });
  }

  it("refuses deflated TorchScript records without an inflate function, naming the entry", () => {
    const path = zips.find((p) => p.endsWith("tch-rs/foo.pt"));
    assert.ok(path);
    const zip = ZipReader.open(new MemorySource(read(path)));
    const code = zip.entries.find((e) => e.method === 8);
    assert.ok(code);
    zipCode(() => zip.read(code), "COMPRESSED", new RegExp(`'${code.name}' is compressed \\(method 8, deflate\\); expected stored \\(method 0\\)`));
    zipCode(() => zip.readRange(code, 0, 1), "COMPRESSED");
    assert.ok(zip.readText("foo/version").startsWith("2") || zip.readText("foo/version").length > 0);
  });
});

describe("ZipReader", () => {
  it("reads an entry straight into a caller's buffer", () => {
    const zip = ZipReader.open(new MemorySource(small()));
    const target = new Uint8Array(128);
    const result = zip.read("archive/data/0", target);
    assert.equal(result.buffer, target.buffer);
    assert.equal(result.length, 100);
    assert.ok(target.subarray(0, 100).every((b) => b === 7));
    zipCode(() => zip.read("archive/data/0", new Uint8Array(99)), "SIZE_MISMATCH", /holds 100 bytes; the destination only 99/);
    const range = zip.readRange("archive/data/0", 10, 5, new Uint8Array(5));
    assert.deepEqual([...range], [7, 7, 7, 7, 7]);
    zipCode(() => zip.readRange("archive/data/0", 98, 5), "OUT_OF_BOUNDS");
    zipCode(() => zip.entry("archive/nope"), "NOT_FOUND", /no entry named 'archive\/nope' in the archive; it has: archive\/data.pkl, archive\/data\/0, archive\/version/);
    assert.equal(zip.readText("archive/version"), "3\n");
    assert.deepEqual(zip.names(), ["archive/data.pkl", "archive/data/0", "archive/version"]);
    assert.ok(zip.has("archive/version") && !zip.has("version"));
  });

  it("reads only the directory on open, never whole files", () => {
    const big = new Uint8Array(8 << 20).fill(1);
    const bytes = archive([["a/data.pkl", "x"], ["a/data/0", big], ["a/data/1", big], ["a/version", "3\n"]]);
    const path = join(dir, "big.zip");
    writeFileSync(path, bytes);
    const file = new NodeFileSource(path);
    try {
      const counting = new CountingSource(file);
      const zip = ZipReader.open(counting);
      assert.ok(counting.bytesRead < 70_000, `open read ${counting.bytesRead} bytes`);
      assert.equal(counting.reads, 3 + 4, "tail, zip64 end record, central directory, one local header per entry");
      const before = counting.bytesRead;
      zip.read("a/data/1", new Uint8Array(big.length));
      assert.equal(counting.bytesRead - before, big.length);
    } finally {
      file.close();
    }
  });

  it("works over asynchronous sources, with async inflate", async () => {
    const bytes = small();
    const memory = new MemorySource(bytes);
    const asyncSource: AsyncByteSource = { size: memory.size, read: async (o, l, into) => memory.read(o, l, into) };
    const zip = await AsyncZipReader.open(asyncSource, { verifyCrc: true, inflate: async (d, n) => nodeInflateRaw(d, n) });
    assert.deepEqual(zip.names(), ["archive/data.pkl", "archive/data/0", "archive/version"]);
    assert.equal(await zip.readText("archive/version"), "3\n");
    const into = new Uint8Array(100);
    assert.equal((await zip.read("archive/data/0", into)).buffer, into.buffer);
    assert.deepEqual([...(await zip.readRange("archive/data/0", 0, 2))], [7, 7]);
    const sync = await AsyncZipReader.open(memory);
    assert.equal(await sync.readText("archive/version"), "3\n");
  });

  it("verifies CRCs on request", () => {
    const bytes = small();
    const zip = ZipReader.open(new MemorySource(bytes));
    const entry = zip.entry("archive/data/0");
    bytes[entry.dataOffset + 3] ^= 1;
    assert.doesNotThrow(() => ZipReader.open(new MemorySource(bytes)).read("archive/data/0"));
    zipCode(() => ZipReader.open(new MemorySource(bytes), { verifyCrc: true }).read("archive/data/0"), "CRC_MISMATCH", /CRC-32 is 0x[0-9a-f]{8}, the directory says 0x[0-9a-f]{8}/);
  });

  it("reads deflated entries through the given inflate function", () => {
    const text = new TextEncoder().encode("def forward(self, x):\n    return x\n".repeat(50));
    const bytes = pythonZip([["foo/code/__torch__.py", text, 8], ["foo/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e]), 0]]);
    const zip = ZipReader.open(new MemorySource(bytes), { inflate: nodeInflateRaw, verifyCrc: true });
    const entry = zip.entry("foo/code/__torch__.py");
    assert.equal(entry.method, 8);
    assert.ok(entry.compressedSize < entry.size);
    assert.deepEqual(zip.read(entry), text);
    const into = new Uint8Array(text.length);
    assert.equal(zip.read(entry, into).buffer, into.buffer);
    zipCode(() => ZipReader.open(new MemorySource(bytes), { inflate: () => new Uint8Array(3) }).read(entry), "SIZE_MISMATCH", /inflated to 3 bytes/);
    zipCode(() => ZipReader.open(new MemorySource(bytes), { inflate: () => { throw new Error("bad stream"); } }).read(entry), "BAD_DATA", /bad stream/);
  });

  it("decodes CP437 names when the UTF-8 flag is off (as Python does)", () => {
    const bytes = pythonZip([["caf\u00e9/\u00fc", new Uint8Array([1]), 0]], false);
    const names = runScript<Record<string, { entries: ZipOracleEntry[] }>>("zip_oracle.py", [writeTemp(bytes, "cp437.zip")]);
    const zip = ZipReader.open(new MemorySource(bytes));
    assert.deepEqual(zip.names(), Object.values(names)[0].entries.map((e) => e.name));
  });
});

function writeTemp(bytes: Uint8Array, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** An archive written by Python's zipfile: [name, data, method]; utf8=false writes CP437 names. */
function pythonZip(entries: Array<[string, Uint8Array, number]>, utf8 = true): Uint8Array {
  const path = join(dir, `py-${Math.random().toString(36).slice(2)}.zip`);
  const script = `
import json, sys, zipfile
spec = json.load(sys.stdin)
with zipfile.ZipFile(spec["path"], "w") as z:
    for name, data, method in spec["entries"]:
        info = zipfile.ZipInfo(name if spec["utf8"] else name.encode("cp437").decode("cp437"))
        info.compress_type = method
        if not spec["utf8"]:
            info.flag_bits &= ~0x800
        z.writestr(info, bytes.fromhex(data))
print("[]")
`;
  runScript("run_inline.py", [script], { path, utf8, entries: entries.map(([n, d, m]) => [n, Buffer.from(d).toString("hex"), m]) });
  return new Uint8Array(readFileSync(path));
}

describe("corrupt archives", () => {
  it("fails every truncation with a ZipError", () => {
    const bytes = small();
    for (let k = 0; k < bytes.length; k++) {
      assert.throws(() => ZipReader.open(new MemorySource(bytes.subarray(0, k))), (e: unknown) => e instanceof ZipError, `prefix ${k}`);
    }
    zipCode(() => ZipReader.open(new MemorySource(new Uint8Array(10))), "NOT_A_ZIP", /10 bytes, expected at least 22/);
    zipCode(() => ZipReader.open(new MemorySource(new Uint8Array(1000))), "NOT_A_ZIP", /no end of central directory signature 0x06054b50/);
  });

  it("names bad signatures with expected and actual values", () => {
    const bytes = small();
    const zip = ZipReader.open(new MemorySource(bytes));
    const local = bytes.slice();
    local[zip.entry("archive/data/0").localHeaderOffset] = 0x51;
    zipCode(() => ZipReader.open(new MemorySource(local)), "BAD_SIGNATURE", /local header of 'archive\/data\/0' at \d+: expected signature 0x04034b50, got 0x04034b51/);
    const central = bytes.slice();
    const cdOffset = Buffer.from(bytes).readUInt32LE(bytes.length - 6);
    central[cdOffset + 1] = 0;
    zipCode(() => ZipReader.open(new MemorySource(central)), "BAD_SIGNATURE", /central directory entry 0 at \d+: expected signature 0x02014b50, got 0x02010050/);
    const zip64 = bytes.slice();
    const locatorOffset = bytes.length - 22 - 20;
    const zip64At = Number(Buffer.from(bytes).readBigUInt64LE(locatorOffset + 8));
    zip64[zip64At] = 0;
    zipCode(() => ZipReader.open(new MemorySource(zip64)), "BAD_SIGNATURE", /zip64 end of central directory record at \d+: expected signature 0x06064b50/);
  });

  it("refuses offsets and sizes pointing outside the file", () => {
    const bytes = small();
    const view = () => {
      const copy = bytes.slice();
      return { copy, dv: new DataView(copy.buffer) };
    };
    const locatorOffset = bytes.length - 22 - 20;
    const zip64At = Number(new DataView(bytes.buffer).getBigUint64(locatorOffset + 8, true));
    // Central directory offset beyond the end (zip64 record is authoritative).
    let { copy, dv } = view();
    dv.setBigUint64(zip64At + 48, 10n ** 9n, true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "OUT_OF_BOUNDS", /central directory \[1000000000, \d+\) extends past/);
    // Absurd entry count.
    ({ copy, dv } = view());
    dv.setBigUint64(zip64At + 24, 1_000_000n, true);
    dv.setBigUint64(zip64At + 32, 1_000_000n, true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "BAD_CENTRAL_DIRECTORY", /cannot hold 1000000 entries/);
    // Locator pointing past itself, and sizes over 2^53.
    ({ copy, dv } = view());
    dv.setBigUint64(locatorOffset + 8, BigInt(bytes.length), true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "OUT_OF_BOUNDS", /zip64 end of central directory record/);
    ({ copy, dv } = view());
    dv.setBigUint64(zip64At + 40, 2n ** 60n, true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "TOO_LARGE", /beyond 2\^53/);
    // Entry data past the central directory: grow the recorded size of data/0.
    ({ copy, dv } = view());
    const cdOffset = Number(dv.getBigUint64(zip64At + 48, true));
    const second = cdOffset + 46 + "archive/data.pkl".length;
    dv.setUint32(second + 20, 100_000, true);
    dv.setUint32(second + 24, 100_000, true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "TRUNCATED", /data of 'archive\/data\/0' \[\d+, \d+\) runs past the central directory/);
    // Local header offset beyond the directory.
    ({ copy, dv } = view());
    dv.setUint32(second + 42, cdOffset + 10, true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "OUT_OF_BOUNDS", /local header of 'archive\/data\/0'/);
    // A name length running past the directory.
    ({ copy, dv } = view());
    dv.setUint16(cdOffset + 28, 60_000, true);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "BAD_CENTRAL_DIRECTORY", /run past the directory's end/);
    // Names that disagree.
    ({ copy, dv } = view());
    copy[30 + 8] = "X".charCodeAt(0);
    zipCode(() => ZipReader.open(new MemorySource(copy)), "NAME_MISMATCH");
  });

  it("refuses what it cannot read, naming why", () => {
    const bytes = small();
    const dv = new DataView(bytes.buffer);
    const zip64At = Number(dv.getBigUint64(bytes.length - 42 + 8, true));
    const cdOffset = Number(dv.getBigUint64(zip64At + 48, true));
    const encrypted = bytes.slice();
    new DataView(encrypted.buffer).setUint16(cdOffset + 8, 0x0809, true);
    zipCode(() => ZipReader.open(new MemorySource(encrypted)).read("archive/data.pkl"), "ENCRYPTED");
    const bzip = bytes.slice();
    new DataView(bzip.buffer).setUint16(cdOffset + 10, 12, true);
    zipCode(() => ZipReader.open(new MemorySource(bzip)).read("archive/data.pkl"), "UNSUPPORTED_METHOD", /method 12; expected 0 \(stored\) or 8 \(deflate\)/);
    const split = bytes.slice();
    new DataView(split.buffer).setUint32(zip64At + 16, 1, true);
    zipCode(() => ZipReader.open(new MemorySource(split)), "MULTI_DISK");
    const dup = archive([["a/x", "1"], ["a/y", "2"]]);
    const dupView = new DataView(dup.buffer);
    const dupZip64 = Number(dupView.getBigUint64(dup.length - 42 + 8, true));
    const dupCd = Number(dupView.getBigUint64(dupZip64 + 48, true));
    const secondName = dupCd + 46 + 3 + 46;
    dup[secondName + 2] = "x".charCodeAt(0);
    zipCode(() => ZipReader.open(new MemorySource(dup)), "DUPLICATE_NAME", /two entries named 'a\/x'/);
  });

  it("raises only ZipError on 3000 seeded random corruptions", () => {
    const bytes = archive([["archive/data.pkl", "abc"], ["archive/data/0", new Uint8Array(70).fill(1)], ["archive/version", "3\n"]], { zip64Threshold: 100 });
    let seed = 42;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    let opened = 0;
    for (let round = 0; round < 3000; round++) {
      const copy = bytes.slice();
      const flips = 1 + Math.floor(random() * 3);
      // Corrupt mostly the structures (headers and directory), where the interesting failures are.
      for (let f = 0; f < flips; f++) {
        const at = random() < 0.7 ? copy.length - 1 - Math.floor(random() * 300) : Math.floor(random() * copy.length);
        copy[Math.max(0, at)] = Math.floor(random() * 256);
      }
      try {
        const zip = ZipReader.open(new MemorySource(copy), { verifyCrc: true });
        for (const entry of zip.entries) {
          try {
            zip.read(entry);
          } catch (error) {
            if (!(error instanceof ZipError)) throw error;
          }
        }
        opened++;
      } catch (error) {
        if (!(error instanceof ZipError)) assert.fail(`round ${round}: ${String(error)}`);
      }
    }
    assert.ok(opened > 0);
  });
});
