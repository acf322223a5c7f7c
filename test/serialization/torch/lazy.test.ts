/**
 * `torch.load(src, { lazy: true })`: keys, dtypes and shapes without reading any tensor data (a spy source counts the
 * bytes read), each tensor read on demand by `materialize()` or straight into a destination by `copyInto()`, views of
 * one storage sharing it after materialising (read once), and lazy values saving back as the tensors they stand for.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { nn } from "../../../src/index.ts";
import { describe } from "../../helpers/describe.ts";
import { tempDir } from "./interop.ts";
import { CountingSource } from "../../helpers/counting-source.ts";

const dir = tempDir("lazy");

function sample() {
  torch.manualSeed(0);
  const w = torch.randn(512, 256); // 512 KiB
  const lin = new nn.Linear(256, 128);
  return {
    w,
    w_t: w.t(),
    w_rows: w.narrow(0, 100, 10),
    tied: w,
    ints: torch.arange(1000, undefined, 1, { dtype: torch.int64 }),
    half: torch.randn(64, 64).to(torch.float16),
    scalar: torch.tensor(3.5),
    empty: torch.empty(0, 4),
    model: lin.stateDict({ keepVars: true }),
    step: 7,
  };
}

const MiB = 1 << 20;

suite("lazy loading", () => {
  const value = sample();
  const bytes = torch.serialization.saveToBytes(value);
  const dataBytes = 512 * 256 * 4 + 1000 * 8 + 64 * 64 * 2 + 4 + (128 * 256 + 128) * 4;

  it("gives keys, dtypes and shapes without reading tensor data", () => {
    assert.ok(bytes.length > dataBytes && dataBytes > MiB / 2);
    const spy = new CountingSource(bytes);
    const lazy = torch.loadSync(spy, { lazy: true });
    // the end-of-central-directory search reads the last 64 KiB; the pickle a few hundred bytes more
    assert.ok(spy.bytesRead < 70_000, `read ${spy.bytesRead} bytes`);
    assert.deepEqual(Object.keys(lazy), Object.keys(value));
    assert.ok(torch.isLazyTensor(lazy.w) && lazy.w instanceof torch.LazyTensor);
    assert.equal(lazy.w.dtype, torch.float32);
    assert.deepEqual([...lazy.w.shape], [512, 256]);
    assert.deepEqual([...lazy.w_t.shape], [256, 512]);
    assert.deepEqual(lazy.w_t.strides, [1, 256]);
    assert.equal(lazy.w_rows.offset, 100 * 256);
    assert.equal(lazy.half.dtype, torch.float16);
    assert.equal(lazy.ints.numel(), 1000);
    assert.equal(lazy.w.isContiguous(), true);
    assert.equal(lazy.w_t.isContiguous(), false);
    assert.equal(lazy.model.weight.requiresGrad, true);
    assert.equal(lazy.step, 7);
    assert.match(String(lazy.w), /LazyTensor\(dtype=torch\.float32, shape=\[512, 256\]/);
  });

  it("materialize() reads a storage once; views and tied tensors share it; values are exact", () => {
    const spy = new CountingSource(bytes);
    const lazy = torch.loadSync(spy, { lazy: true });
    const before = spy.bytesRead;
    const w = lazy.w.materialize();
    assert.equal(spy.bytesRead - before, 512 * 256 * 4, "one read of the storage");
    const wt = lazy.w_t.materialize();
    const rows = lazy.w_rows.materialize();
    const tied = lazy.tied.materialize();
    assert.equal(spy.bytesRead - before, 512 * 256 * 4, "the other views reuse it");
    assert.equal(wt.storage, w.storage);
    assert.equal(rows.storage, w.storage);
    assert.equal(tied.storage, w.storage);
    const real = (v: unknown) => (v instanceof torch.LazyTensor ? v.materialize() : v);
    const all: Record<string, unknown> = Object.fromEntries(Object.entries(lazy).map(([k, v]) => [k, real(v)]));
    all.model = Object.fromEntries(Object.entries(lazy.model).map(([k, v]) => [k, real(v)]));
    assert.ok(all.model && (all.model as Record<string, unknown>).weight instanceof nn.Parameter);
    assert.deepEqual(describe(all), describe({ ...value, model: { ...value.model } }));
  });

  it("copyInto() reads a contiguous tensor straight into the destination, and only its bytes", () => {
    const spy = new CountingSource(bytes);
    const lazy = torch.loadSync(spy, { lazy: true });
    const dst = torch.zeros(10, 256);
    const before = spy.bytesRead;
    lazy.w_rows.copyInto(dst);
    assert.equal(spy.bytesRead - before, 10 * 256 * 4);
    assert.ok(dst.equal(value.w_rows));
    // non-contiguous sources and other dtypes go through a materialised copy
    const t = torch.zeros(256, 512);
    lazy.w_t.copyInto(t);
    assert.ok(t.equal(value.w_t));
    const half = torch.zeros(64, 64, { dtype: torch.float16 });
    lazy.half.copyInto(half);
    assert.ok(half.equal(value.half));
  });

  it("loadStateDict into a module, reading each parameter into place (lazy.copyInto per key)", () => {
    const source = new nn.Linear(256, 128);
    const path = join(dir, "linear.pt");
    torch.saveSync(source.stateDict(), path);
    const target = new nn.Linear(256, 128);
    const weight = target.weight;
    const lazy = torch.loadSync(path, { lazy: true });
    for (const [key, lt] of Object.entries(lazy)) (lt as torch.LazyTensor).copyInto(target.stateDict()[key] as torch.Tensor);
    assert.equal(target.weight, weight, "the parameter object is kept");
    assert.ok(target.weight.equal(source.weight) && target.bias!.equal(source.bias!));
  });

  it("lazy values save back as the tensors they stand for (and keep sharing)", () => {
    const lazy = torch.loadSync(bytes, { lazy: true });
    const again = torch.loadSync(torch.serialization.saveToBytes(lazy));
    assert.deepEqual(describe(again), describe(value));
  });

  it("a file path stays open while the lazy value lives; legacy files load lazily or eagerly, with the same values", () => {
    const path = join(dir, "sample.pt");
    torch.saveSync(value, path);
    const lazy = torch.loadSync(path, { lazy: true });
    assert.ok(lazy.ints.materialize().equal(value.ints));
    const legacy = join(import.meta.dirname, "..", "..", "fixtures", "burn-store-reader", "legacy_shared_storage.pt");
    const real = (v: unknown) => (v instanceof torch.LazyTensor ? v.materialize() : v);
    const fromLazy = Object.fromEntries(Object.entries(torch.loadSync(legacy, { lazy: true })).map(([k, v]) => [k, real(v)]));
    assert.deepEqual(describe(fromLazy), describe({ ...torch.loadSync<Record<string, unknown>>(legacy) }));
  });
});
