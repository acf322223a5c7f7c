/**
 * Real PyTorch pickles (the shared fixtures: zip checkpoints from PyTorch 1.x-2.7, TorchScript
 * archives, legacy pre-1.6 files) load here into exactly what CPython builds from them, and pickle
 * back into something CPython reads as the same structure. Torch globals are kept opaque.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { MemorySource } from "../../../src/io/memory.ts";
import { nodeInflateRaw } from "../../../src/io/node-inflate.ts";
import { type GlobalHandler, Unpickler, isBlockedModule, opaqueGlobal, pickle } from "../../../src/serialization/pickle/index.ts";
import { ZipReader } from "../../../src/serialization/zip/index.ts";
import { FIXTURES, fixtureFiles } from "../../scripts/fixtures.ts";
import { runScript, toHex } from "../../scripts/python.ts";
import { Pid, canon } from "./canon.ts";

const allOpaque = (module: string): GlobalHandler | undefined => (isBlockedModule(module) ? undefined : opaqueGlobal);
const options = { globals: allOpaque, persistentLoad: (pid: unknown) => new Pid(pid) };

interface Sample {
  id: string;
  bytes: Uint8Array;
  count: number;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  const read = (path: string) => new Uint8Array(readFileSync(path));
  for (const path of fixtureFiles()) {
    const bytes = read(path);
    const id = path.slice(FIXTURES.length + 1);
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      const zip = ZipReader.open(new MemorySource(bytes), { inflate: nodeInflateRaw, verifyCrc: true });
      for (const entry of zip.entries) {
        if (/\.pkl$|\.debug_pkl$/.test(entry.name)) out.push({ id: `${id}:${entry.name}`, bytes: zip.read(entry), count: 1 });
      }
    } else if (bytes[0] === 0x80 && bytes[1] === 0x02) {
      // Legacy torch.save: magic number, protocol version, sys_info, the object, storage keys.
      out.push({ id, bytes, count: 5 });
    }
  }
  return out;
}

function loadAll(sample: Sample): unknown[] {
  const unpickler = new Unpickler(sample.bytes, options);
  return Array.from({ length: sample.count }, () => unpickler.load());
}

describe("PyTorch pickles from the fixtures", () => {
  const all = samples();
  const request = all.map((s) => ({ id: s.id, hex: toHex(s.bytes), count: s.count }));
  const expected = runScript<Record<string, unknown[]>>("pickle_canon.py", [], request);

  it("found the fixtures", () => {
    assert.ok(all.length >= 60, `only ${all.length} pickles`);
    assert.ok(all.some((s) => s.count === 5), "legacy files");
    assert.ok(all.some((s) => s.id.endsWith(".debug_pkl")), "TorchScript debug pickles (deflated)");
  });

  for (const sample of all) {
    it(`${sample.id} loads as CPython loads it and pickles back`, () => {
      const values = loadAll(sample);
      assert.deepEqual(values.map((v) => canon(v)), expected[sample.id]);
      const rewritten = values.map((v) => pickle(v, { persistentId: (x) => (x instanceof Pid ? x.pid : undefined) }));
      const again = runScript<Record<string, unknown[]>>("pickle_canon.py", [], rewritten.map((bytes, i) => ({ id: String(i), hex: toHex(bytes), count: 1 })));
      assert.deepEqual(rewritten.map((_, i) => again[String(i)][0]), expected[sample.id], `re-pickled ${basename(sample.id)} differs`);
    });
  }
});
