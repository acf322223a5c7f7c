import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { complex64, complex128 } from "../../src/tensor/dtype.ts";
import { MemorySource } from "../../src/io/memory.ts";
import type { ByteSource } from "../../src/io/types.ts";
import {
  contiguousBytes, loadSafetensors, readSafetensorsHeader, SafetensorsError, saveSafetensors, saveSafetensorsFile,
} from "../../src/serialization/safetensors/index.ts";
import { requireTorch, runPython } from "../helpers/pytorch.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "safetensors");
const tmp = mkdtempSync(join(tmpdir(), "tsorch-safetensors-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

const ascii = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const headerJson = (bytes: Uint8Array) => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return ascii(bytes.subarray(8, 8 + n));
};

/** One tensor of every dtype tsorch can save, with edge values. */
function everyDtype(): Record<string, Tensor> {
  return {
    f64: torch.tensor([1.5, -0, Infinity, -Infinity, NaN, 5e-324, 1.7976931348623157e308], { dtype: "float64" }),
    f32: torch.tensor([[1.25, -3.5e38, 1e-45], [NaN, -0, 2]], { dtype: "float32" }),
    f16: torch.tensor([0.5, -65504, 5.960464477539063e-8, Infinity], { dtype: "float16" }),
    bf16: torch.tensor([1, -2.5, 3.3895313892515355e38, 9.183549615799121e-41], { dtype: "bfloat16" }),
    i64: Tensor.fromTypedArray(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 9007199254740993n]), [2, 2], torch.int64),
    i32: torch.tensor([-(2 ** 31), 2 ** 31 - 1, 7], { dtype: "int32" }),
    i16: torch.tensor([-32768, 32767], { dtype: "int16" }),
    i8: torch.tensor([-128, 127, 0], { dtype: "int8" }),
    u8: torch.tensor([0, 255, 128], { dtype: "uint8" }),
    mask: torch.tensor([[true, false, true]]),
    c64: Tensor.fromTypedArray(new Float32Array([1, -2, 0.5, 3]), [2], complex64),
    scalar: torch.tensor(3.75),
    empty: torch.zeros(0, 3),
  };
}

function assertSameTensor(actual: Tensor | undefined, expected: Tensor, name: string): void {
  assert.ok(actual, `missing tensor ${name}`);
  assert.equal(actual.dtype, expected.dtype, `${name} dtype`);
  assert.deepEqual([...actual.dims], [...expected.dims], `${name} shape`);
  assert.deepEqual(contiguousBytes(actual), contiguousBytes(expected), `${name} bytes`);
}

test("every dtype round-trips through bytes, bit for bit", () => {
  const tensors = everyDtype();
  const bytes = saveSafetensors(tensors, { metadata: { format: "pt" } });
  const loaded = loadSafetensors(bytes);
  assert.deepEqual(loaded.metadata, { format: "pt" });
  assert.deepEqual(Object.keys(loaded.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) assertSameTensor(loaded.tensors[name], t, name);
  assert.deepEqual(loaded.tensors.i64.toTypedArray(), new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 9007199254740993n]));
  assert.deepEqual(loaded.tensors.mask.tolist(), [[true, false, true]]);
});

test("loaded tensors own their storage: one allocation each, aligned, independent of the input", () => {
  const bytes = saveSafetensors({ a: torch.arange(0, 4, 1, { dtype: "float64" }), b: torch.ones(3) });
  const { tensors } = loadSafetensors(bytes);
  assert.notEqual(tensors.a.storage, tensors.b.storage);
  assert.equal(tensors.a.storage.nbytes, 32);
  assert.equal(tensors.a.storage.bytes?.byteOffset, 0);
  bytes.fill(0);
  assert.deepEqual(tensors.a.tolist(), [0, 1, 2, 3]);
});

test("the layout matches the reference writer byte for byte (tensor.rs test vectors)", () => {
  const six = () => torch.tensor([0, 1, 2, 3, 4, 5], { dtype: "float32" });
  // test_serialization: a 64-byte header needs no padding.
  const out = saveSafetensors({ "attn.0": six().reshape(1, 2, 3) });
  assert.deepEqual([...out.subarray(0, 8)], [64, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(ascii(out.subarray(8, 72)), '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
  assert.deepEqual([...out.subarray(72)], [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
  // test_serialization_forced_alignement: 65 bytes of JSON padded with 7 spaces to 72.
  const forced = saveSafetensors({ attn0: six().reshape(1, 1, 2, 3) });
  assert.equal(forced[0], 72);
  assert.equal(ascii(forced.subarray(8, 80)), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  // test_empty, with and without metadata.
  assert.deepEqual([...saveSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const withMeta = saveSafetensors(new Map(), { metadata: { framework: "pt" } });
  assert.deepEqual([...withMeta], [40, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{"__metadata__":{"framework":"pt"}}     ')]);
});

test("tensors are ordered by dtype alignment (largest first) then name, each aligned in the file", () => {
  const bytes = saveSafetensors(everyDtype());
  const header = readSafetensorsHeader(bytes);
  assert.deepEqual(header.tensors.map((t) => t.name), ["i64", "f64", "c64", "empty", "f32", "scalar", "i32", "bf16", "f16", "i16", "i8", "u8", "mask"]);
  assert.equal(header.dataStart % 8, 0);
  for (const t of header.tensors) {
    const size = { I64: 8, F64: 8, C64: 8, F32: 4, I32: 4, BF16: 2, F16: 2, I16: 2 }[t.dtype] ?? 1;
    assert.equal((header.dataStart + t.dataOffsets[0]) % size, 0, `${t.name} aligned`);
  }
  // Names compare by code point, as Rust's str::cmp: U+FF5E sorts before U+1F600 (not so in UTF-16 order).
  const names = readSafetensorsHeader(saveSafetensors({ "\u{1F600}": torch.ones(1), "\uFF5E": torch.ones(1), b: torch.ones(1), B: torch.ones(1) })).tensors.map((t) => t.name);
  assert.deepEqual(names, ["B", "b", "\uFF5E", "\u{1F600}"]);
});

test("the sample fixtures load with the values their README lists", () => {
  const expected: Record<string, [string, number[]]> = {
    B: ["uint8", [253, 254, 255, 0, 1, 2]],
    b: ["int8", [-3, -2, -1, 0, 1, 2]],
    h: ["int16", [-3, -2, -1, 0, 1, 2]],
    i: ["int32", [-3, -2, -1, 0, 1, 2]],
    f: ["float32", [-3, -2, -1, 0, 1, 2]],
    d: ["float64", [-3, -2, -1, 0, 1, 2]],
  };
  for (const [name, [dtype, values]] of Object.entries(expected)) {
    const path = join(FIXTURES, `${name}.safetensors`);
    const fromFile = loadSafetensors(path);
    const fromBytes = loadSafetensors(new Uint8Array(readFileSync(path)));
    for (const { tensors, metadata } of [fromFile, fromBytes]) {
      assert.deepEqual(metadata, { test: "a" }, name);
      assert.deepEqual(Object.keys(tensors), [name]);
      assert.equal(tensors[name].dtype.name, dtype, name);
      assert.deepEqual(tensors[name].tolist(), values, name);
    }
    const header = readSafetensorsHeader(path);
    assert.notEqual(header.dataStart % 8, 0, "these samples have unpadded headers");
  }
});

test("U32 (no tsorch dtype) is refused by name, inspectable, and loads widened to int64 on request", () => {
  const path = join(FIXTURES, "I.safetensors");
  assert.throws(() => loadSafetensors(path), (e: unknown) => e instanceof SafetensorsError && e.code === "UNSUPPORTED_DTYPE" &&
    /tensor 'I' has safetensors dtype U32, which tsorch has no dtype for; pass \{ widenUnsigned: true \} to load it as int64/.test(e.message));
  const header = readSafetensorsHeader(path);
  assert.deepEqual(header.tensors, [{ name: "I", dtype: "U32", shape: [6], dataOffsets: [0, 24] }]);
  const { tensors } = loadSafetensors(path, { widenUnsigned: true });
  assert.equal(tensors.I.dtype, torch.int64);
  assert.deepEqual(tensors.I.tolist(), [4294967293, 4294967294, 4294967295, 0, 1, 2]);
});

test("files: written as a stream, read by offset without reading any byte twice", () => {
  const path = join(tmp, "all.safetensors");
  const tensors = everyDtype();
  const size = saveSafetensorsFile(path, tensors, { metadata: { note: "ünïcödé ✓" } });
  const onDisk = new Uint8Array(readFileSync(path));
  assert.equal(size, onDisk.length);
  assert.deepEqual(onDisk, saveSafetensors(tensors, { metadata: { note: "ünïcödé ✓" } }));
  const loaded = loadSafetensors(path);
  assert.equal(loaded.metadata?.note, "ünïcödé ✓");
  for (const [name, t] of Object.entries(tensors)) assertSameTensor(loaded.tensors[name], t, name);

  const reads: [number, number, boolean][] = [];
  const inner = new MemorySource(onDisk);
  const counting: ByteSource = { size: inner.size, read: (o, l, into) => { reads.push([o, l, into !== undefined]); return inner.read(o, l, into); } };
  loadSafetensors(counting);
  const header = readSafetensorsHeader(path);
  assert.equal(reads.reduce((n, [, l]) => n + l, 0), onDisk.length, "every byte read once");
  assert.ok(reads.slice(2).every(([, , into]) => into), "tensor bytes are read straight into their storage");
  assert.deepEqual(reads.slice(0, 2), [[0, 8, false], [8, header.headerLength, false]]);

  const only = loadSafetensors(path, { filter: (n) => n === "f32" });
  assert.deepEqual(Object.keys(only.tensors), ["f32"]);
});

test("non-contiguous tensors are written contiguous", () => {
  const base = torch.arange(0, 12, 1, { dtype: "float32" }).reshape(3, 4);
  const t = base.t();
  const every2 = torch.arange(0, 10, 1, { dtype: "int64" }).reshape(5, 2).select(1, 1);
  const expanded = torch.tensor([1, 2], { dtype: "int16" }).reshape(2, 1).expand(2, 3);
  const { tensors } = loadSafetensors(saveSafetensors({ t, every2, expanded }));
  assert.deepEqual(tensors.t.tolist(), t.tolist());
  assert.deepEqual(tensors.t.stride(), [3, 1]);
  assert.deepEqual(tensors.every2.tolist(), [1, 3, 5, 7, 9]);
  assert.deepEqual(tensors.expanded.tolist(), [[1, 1, 1], [2, 2, 2]]);
});

test("tensors that share memory are refused, naming them, unless dedupe is set", () => {
  const weight = torch.randn(4, 3);
  const other = torch.zeros(2);
  const shared = { "lm_head.weight": weight, "embed.weight": weight, bias: other, row: weight.select(0, 1) };
  assert.throws(() => saveSafetensors(shared), (e: unknown) => e instanceof SafetensorsError && e.code === "SHARED_MEMORY" &&
    e.message.startsWith("Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: [{'lm_head.weight', 'embed.weight', 'row'}]."));
  // Views of one storage that do not overlap are not shared (as the reference's _filter_shared_not_shared).
  const whole = torch.arange(0, 10, 1, { dtype: "float32" });
  const halves = loadSafetensors(saveSafetensors({ lo: whole.narrow(0, 0, 5), hi: whole.narrow(0, 5, 5) })).tensors;
  assert.deepEqual(halves.hi.tolist(), [5, 6, 7, 8, 9]);

  const bytes = saveSafetensors(shared, { dedupe: true, metadata: { format: "pt" } });
  const header = readSafetensorsHeader(bytes);
  assert.deepEqual(header.tensors.map((t) => t.name).sort(), ["bias", "embed.weight", "row"]);
  assert.deepEqual(header.metadata, { format: "pt", "lm_head.weight": "embed.weight" });
  const plain = loadSafetensors(bytes).tensors;
  assert.equal(plain["lm_head.weight"], undefined);
  assert.deepEqual(plain.row.tolist(), weight.select(0, 1).tolist());
  const restored = loadSafetensors(bytes, { restoreAliases: true }).tensors;
  assert.equal(restored["lm_head.weight"], restored["embed.weight"]);
  assert.deepEqual(restored["lm_head.weight"].tolist(), weight.tolist());
  assert.equal(restored.format, undefined, "metadata that names no tensor is not an alias");
});

test("what cannot be saved is refused with a clear error", () => {
  const code = (f: () => unknown, expected: string, message: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof SafetensorsError && e.code === expected && message.test(e.message));
  code(() => saveSafetensors({ z: Tensor.fromTypedArray(new Float64Array(2), [1], complex128) }), "UNSUPPORTED_DTYPE", /cannot save tensor 'z': safetensors has no dtype for torch.complex128/);
  code(() => saveSafetensors({ m: torch.zeros(2).to("meta") }), "INVALID_TENSOR", /'m': it is on the meta device/);
  code(() => saveSafetensors({ x: [1, 2] as unknown as Tensor }), "INVALID_TENSOR", /Key `x` is invalid, expected a Tensor but received Array/);
  code(() => saveSafetensors({ __metadata__: torch.ones(1) }), "INVALID_TENSOR", /reserved/);
  code(() => saveSafetensors({}, { metadata: { n: 1 as unknown as string } }), "INVALID_METADATA", /'n' is number/);
});

test("a failed file save leaves an existing file alone", () => {
  const path = join(tmp, "keep.safetensors");
  writeFileSync(path, "precious");
  const w = torch.ones(2);
  assert.throws(() => saveSafetensorsFile(path, { a: w, b: w }), /share memory/);
  assert.equal(readFileSync(path, "utf8"), "precious");
  assert.ok(existsSync(path));
});

/** A valid file with one F32 [2] tensor, then `edit` applied to its header JSON / bytes. */
function corrupt(header: string, data = new Uint8Array(8), lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test("corrupt files fail with typed errors that say what was expected and what came", () => {
  const code = (bytes: Uint8Array, expected: string, message: RegExp) =>
    assert.throws(() => loadSafetensors(bytes), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, String(e));
      assert.equal(e.code, expected, e.message);
      assert.match(e.message, message);
      return true;
    });
  const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  assert.deepEqual(loadSafetensors(corrupt(ok)).tensors.a.tolist(), [0, 0]);
  code(new Uint8Array(5), "HEADER_TOO_SMALL", /only 5 bytes/);
  code(corrupt(ok, new Uint8Array(8), 1000n), "INVALID_HEADER_LENGTH", /header length 1000 \(bytes 0-7\) runs past the end of the input: 8 \+ 1000 > 70 bytes/);
  code(corrupt(ok, new Uint8Array(8), 2n ** 40n), "HEADER_TOO_LARGE", /header length 1099511627776/);
  code(corrupt("\xff\xfe"), "INVALID_JSON", /not valid JSON/);
  const badUtf8 = corrupt("{}  ");
  badUtf8[9] = 0xff;
  code(badUtf8, "INVALID_HEADER", /not valid UTF-8/);
  code(corrupt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'), "INVALID_JSON", /not valid JSON/);
  code(corrupt("[1,2]"), "INVALID_JSON", /must be a JSON object, got an array/);
  code(corrupt('{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}'), "UNKNOWN_DTYPE", /tensor 'a' has unknown dtype 'F33'; safetensors dtypes are BOOL, U8/);
  code(corrupt('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'), "INVALID_TENSOR_INFO", /tensor 'a': F32 \[3\] needs 12 bytes, but data_offsets \[0, 8\] hold 8/);
  code(corrupt('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}'), "INVALID_TENSOR_INFO", /shape must be an array of non-negative integers/);
  code(corrupt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}'), "INVALID_TENSOR_INFO", /data_offsets must be \[begin, end\]/);
  code(corrupt('{"a":{"dtype":"F32","shape":[2]}}'), "INVALID_TENSOR_INFO", /data_offsets/);
  code(corrupt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}'), "INVALID_OFFSET", /end before they begin/);
  code(corrupt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'), "INVALID_OFFSET", /tensor 'b': data_offsets \[4, 8\] overlap the data of 'a', which ends at 8/);
  code(corrupt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'), "INVALID_OFFSET", /leaving a gap after the start of the data/);
  code(corrupt('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}'), "INVALID_OFFSET", /point past the end of the data section \(8 bytes; file truncated\?\)/);
  code(corrupt(ok, new Uint8Array(12)), "INCOMPLETE_BUFFER", /the tensors cover 8 bytes of data, but the file holds 12 bytes after the header/);
  code(corrupt('{"__metadata__":{"n":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), "INVALID_METADATA", /values must be strings, but 'n' is number \(1\)/);
  code(corrupt('{"__metadata__":[],"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), "INVALID_METADATA", /must be an object of strings, got an array/);
  // A truncated real file: header intact, data cut short.
  const full = saveSafetensors({ w: torch.ones(4, 4) });
  code(full.subarray(0, full.length - 3), "INVALID_OFFSET", /tensor 'w': data_offsets \[0, 64\] point past the end/);
});

test("__metadata__: null and names like __proto__ are handled as data", () => {
  const { tensors, metadata } = loadSafetensors(corrupt('{"__metadata__":null,"__proto__":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}'));
  assert.equal(metadata, null);
  assert.deepEqual(Object.keys(tensors), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
});

test("PyTorch reads what tsorch writes (a reader in plain json + torch.frombuffer)", (t) => {
  if (!requireTorch(t)) return;
  const path = join(tmp, "for-python.safetensors");
  const tensors = everyDtype();
  const weight = torch.randn(3, 2);
  Object.assign(tensors, { transposed: torch.arange(0, 6, 1, { dtype: "float32" }).reshape(2, 3).t(), tied: weight, "tied.alias": weight });
  saveSafetensorsFile(path, tensors, { metadata: { format: "pt" }, dedupe: true });
  type Read = { header_length: number; order: string[]; metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; data: unknown[] }> };
  const py = runPython<Read>("safetensors_io.py", { path }, ["read"]);
  assert.equal(py.header_length % 8, 0);
  assert.deepEqual(py.metadata, { format: "pt", "tied.alias": "tied" });
  assert.deepEqual(py.order, readSafetensorsHeader(path).tensors.map((x) => x.name));
  for (const [name, got] of Object.entries(py.tensors)) {
    const mine = tensors[name];
    assert.deepEqual(got.shape, [...mine.dims], name);
    assert.equal(got.dtype, mine.dtype.safetensorsCode, name);
    let expected: unknown[];
    if (mine.dtype === torch.int64) expected = Array.from(mine.toTypedArray() as BigInt64Array, String);
    else if (mine.dtype === complex64) {
      const parts = new Float32Array(contiguousBytes(mine).slice().buffer);
      expected = Array.from({ length: mine.numel() }, (_, i) => [parts[2 * i], parts[2 * i + 1]]);
    }
    else expected = Array.from(mine.toArray(), (v) => (mine.dtype === torch.bool ? v !== 0 : Number.isFinite(v) ? v : String(v)));
    const normalise = (xs: unknown[]) => xs.map((v) => (v === "inf" ? "Infinity" : v === "-inf" ? "-Infinity" : v === "nan" ? "NaN" : v));
    assert.deepEqual(normalise(got.data), expected, name);
  }
});

test("tsorch reads what a Python writer lays out like the reference (bf16 included)", (t) => {
  if (!requireTorch(t)) return;
  const path = join(tmp, "from-python.safetensors");
  type Written = { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; data: unknown[] }> };
  const py = runPython<Written>("safetensors_io.py", { path }, ["write"]);
  const { tensors, metadata } = loadSafetensors(path);
  assert.deepEqual(metadata, py.metadata);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(py.tensors).sort());
  // The reference layout is what tsorch writes for the same tensors.
  assert.deepEqual(saveSafetensors(tensors, { metadata }), new Uint8Array(readFileSync(path)));
  for (const [name, want] of Object.entries(py.tensors)) {
    const got = tensors[name];
    assert.equal(got.dtype.safetensorsCode, want.dtype, name);
    assert.deepEqual([...got.dims], want.shape, name);
    const values = got.dtype === torch.int64 ? Array.from(got.toTypedArray() as BigInt64Array, String)
      : Array.from(got.toArray(), (v) => (got.dtype === torch.bool ? v !== 0 : Number.isFinite(v) ? v : String(v)));
    const normalise = (xs: unknown[]) => xs.map((v) => (v === "inf" ? "Infinity" : v === "-inf" ? "-Infinity" : v === "nan" ? "NaN" : v));
    assert.deepEqual(values, normalise(want.data), name);
  }
});
