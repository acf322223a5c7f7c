/**
 * tsorch -> PyTorch: files torch.save writes load in PyTorch 1.13 (with weights_only=True where 1.13's narrow safe
 * loader allows it) as equal objects: exact element bytes, shapes, dtypes, strides, offsets, storage sharing
 * (`storage().data_ptr()`), requires_grad, Parameter-ness and Python types; Python's zipfile finds every CRC correct.
 *
 * torch 1.13's weights_only loader has no BINFLOAT, no bytes (`_codecs.encode`), no sets and only float16/32/64 and
 * int8..64 as dtype values, so files holding Python floats (optimizer hyperparameters, `loss`), bytes, sets or
 * bool/bfloat16 dtype values are read with weights_only=False; this is checked below too.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { nn, optim } from "../../../src/index.ts";
import { PyByteArray } from "../../../src/python/bytes.ts";
import { PyComplex } from "../../../src/python/complex.ts";
import { dictFromEntries, markOrderedDict, orderedDict } from "../../../src/python/dict.ts";
import { PyFloat } from "../../../src/python/float.ts";
import { FrozenSet } from "../../../src/python/set.ts";
import { tuple } from "../../../src/python/tuple.ts";
import { describe } from "../../helpers/describe.ts";
import { hasTorch, requireTorch } from "../../helpers/pytorch.ts";
import { OPTIMIZERS, TheModelClass, generalCheckpoint, makeBatches, pyDescribeAll, tempDir, trainStep } from "./interop.ts";

const dir = tempDir("to-pytorch");
const u16 = (...words: number[]) => new Uint16Array(words);

/** A state dict with one tensor per dtype, extreme values included (built from raw typed arrays). */
function dtypeStateDict() {
  const T = (data: ArrayLike<number> | BigInt64Array, shape: number[], dtype: torch.DType) =>
    torch.Tensor.fromTypedArray(data as never, shape, dtype);
  return orderedDict([
    ["float32", T(new Float32Array([0, -0, 1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45, Infinity, -Infinity, NaN]), [9], torch.float32)],
    ["float32_2d", torch.randn(3, 4)],
    ["float64", T(new Float64Array([0.1, -1e300, 5e-324, Math.PI, Infinity]), [5], torch.float64)],
    // float16: 0.1, 65504, -6.1e-5, smallest subnormal, inf; bfloat16: 0.1, 3e38, -1e-38, 1, -inf (raw words)
    ["float16", T(u16(0x2e66, 0x7bff, 0x8400, 0x0001, 0x7c00), [5], torch.float16)],
    ["bfloat16", T(u16(0x3dcd, 0x7f62, 0x80d9, 0x3f80, 0xff80), [5], torch.bfloat16)],
    ["int64", T(new BigInt64Array([0n, -1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n]), [2, 3], torch.int64)],
    ["int32", T(new Int32Array([0, -1, 2 ** 31 - 1, -(2 ** 31)]), [4], torch.int32)],
    ["int16", T(new Int16Array([0, -1, 32767, -32768]), [4], torch.int16)],
    ["int8", T(new Int8Array([0, -1, 127, -128]), [2, 2], torch.int8)],
    ["uint8", T(new Uint8Array([0, 1, 128, 255]), [4], torch.uint8)],
    ["bool", T(new Uint8Array([1, 0, 0, 1]), [2, 2], torch.bool)],
  ]);
}

/** Complex tensors (tsorch stores them without computing on them). */
function complexValue() {
  return {
    c64: torch.Tensor.fromTypedArray(new Float32Array([1, 2, -3.5, 0]) as never, [2], torch.complex64),
    c128: torch.Tensor.fromTypedArray(new Float64Array([0.1, -1]) as never, [1], torch.complex128),
  };
}

/** Views: tied weights, transposed, sliced, strided, expanded, 0-d, empty, Parameters. */
function viewsValue() {
  const base = torch.arange(24, undefined, 1, { dtype: torch.float32 }).reshape(4, 6);
  const w = torch.randn(3, 3);
  const big = torch.arange(1000, undefined, 1, { dtype: torch.float64 });
  return {
    base,
    transposed: base.t(),
    sliced: base.narrow(0, 1, 2).narrow(1, 2, 3),
    row: base.select(0, 2),
    column: base.select(1, 1),
    expanded: torch.tensor([1, 2, 3]).expand(4, 3),
    fortran: torch.arange(24, undefined, 1, { dtype: torch.int64 }).reshape(4, 3, 2).permute(2, 1, 0),
    tied_a: w,
    tied_b: w,
    tied_view: w.t(),
    scalar: torch.tensor(7.5),
    scalar_int: torch.tensor(3, { dtype: torch.int64 }),
    empty: torch.empty(0),
    empty_2d: torch.zeros([3, 0], { dtype: torch.int32 }),
    small_of_big: big.narrow(0, 997, 3),
  };
}

function parametersValue() {
  const lin = new nn.Linear(3, 2);
  return {
    param: new nn.Parameter(torch.randn(2, 2)),
    frozen: new nn.Parameter(torch.randn(2), false),
    grad_tensor: torch.randn(3).requiresGrad_(),
    keep_vars: lin.stateDict({ keepVars: true }),
  };
}

/** Nested containers of every value type the Python value model has. */
function valuesValue() {
  const shared = [1, 2];
  return {
    int: 1,
    negative: -7,
    big: 2n ** 100n,
    big_negative: -(2n ** 70n),
    int_limit: 2 ** 53,
    float: 0.1,
    float_one: new PyFloat(1),
    neg_zero: -0,
    float_big: 1e300,
    float_inf: Infinity,
    float_nan: NaN,
    denormal: 5e-324,
    str: "héllo ✓ 😀",
    empty_str: "",
    surrogate: "a\ud800b",
    true: true,
    false: false,
    none: null,
    tuple: tuple(1, new PyFloat(2), "three"),
    empty_tuple: tuple(),
    one_tuple: tuple(null),
    list: [1, [2, [3, []]], tuple(4)],
    int_keys: new Map<unknown, unknown>([[0, "a"], [1, "b"], [-5, "c"], [2 ** 40, "d"]]),
    digit_str_keys: dictFromEntries([["0", 0], ["1", 1]]),
    mixed_keys: new Map<unknown, unknown>([["a", 1], [2, "b"], [null, 3], [tuple(1, 2), 4], [1.5, 5]]),
    odict: orderedDict([["z", 1], ["a", 2]]),
    odict_int: markOrderedDict(new Map([[3, "x"], [1, "y"]])),
    bytes: new Uint8Array([0, 1, 255, 97, 98, 99]),
    empty_bytes: new Uint8Array(0),
    bytearray: new PyByteArray([16, 32]),
    set: new Set([1, 2, 3]),
    frozenset: new FrozenSet(["a", "b"]),
    complex: new PyComplex(1.5, -2),
    nested: { a: [{ b: tuple({ c: [1, 2.5, null] }) }], t: torch.ones(2) },
    shared_list: [shared, shared],
  };
}

/** DTypes as values (the GLOBAL `torch.float32` form), at any depth, as keys too. */
function dtypeValues() {
  return {
    dtype: torch.float32,
    dtypes: [torch.float16, torch.int64, torch.bool, torch.bfloat16, torch.uint8, torch.complex64],
    nested: { config: tuple(torch.float64, { inner: [torch.int8] }) },
    by_dtype: new Map<unknown, unknown>([[torch.float32, 1], [torch.int32, 2]]),
    odict: orderedDict([["d", torch.int16]]),
  };
}

/** TheModelClass trained a few steps with `kind`, as the tutorial's general checkpoint. */
function trainedCheckpoint(kind: keyof typeof OPTIMIZERS) {
  torch.manualSeed(0);
  const model = new TheModelClass();
  const opt = OPTIMIZERS[kind].make(model);
  let loss = 0;
  for (const batch of makeBatches(3, 1)) loss = trainStep(model, opt, batch);
  return generalCheckpoint(3, model, opt, loss);
}

function multiValue() {
  torch.manualSeed(0);
  const a = new TheModelClass();
  const b = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
  const oa = new optim.SGD(a.parameters(), { lr: 0.01, momentum: 0.9 });
  const ob = new optim.Adam(b.parameters(), { lr: 0.01, betas: [0.8, 0.99] });
  trainStep(a, oa, makeBatches(1, 2)[0]);
  ob.zeroGrad();
  b.call(torch.randn(5, 4)).sum().backward();
  ob.step();
  return { modelA_state_dict: a.stateDict(), modelB_state_dict: b.stateDict(), optimizerA_state_dict: oa.stateDict(), optimizerB_state_dict: ob.stateDict() };
}

interface Case {
  name: string;
  value: () => unknown;
  /** Whether torch 1.13 loads it with weights_only=True (when false, it must refuse it, and why). */
  weightsOnly: true | RegExp;
}

const CASES: Case[] = [
  { name: "dtypes", value: dtypeStateDict, weightsOnly: true },
  { name: "views", value: viewsValue, weightsOnly: true },
  { name: "parameters", value: parametersValue, weightsOnly: true },
  { name: "state_dict", value: () => new TheModelClass().stateDict(), weightsOnly: true },
  { name: "tensor", value: () => torch.arange(6, undefined, 1, { dtype: torch.float32 }).reshape(2, 3).t(), weightsOnly: true },
  { name: "meta", value: () => ({ m: torch.empty([2, 3], { device: "meta" }), cpu: torch.ones(1) }), weightsOnly: true },
  { name: "complex", value: complexValue, weightsOnly: true },
  { name: "dtype_float32", value: () => ({ dtype: torch.float32, more: [torch.int64, torch.float16] }), weightsOnly: true },
  { name: "dtype_values", value: dtypeValues, weightsOnly: /Unsupported class torch\.bool/ },
  // BINFLOAT is opcode 71 ('G'): 1.13's weights_only loader has no floats
  { name: "values", value: valuesValue, weightsOnly: /Unsupported operand 71/ },
  { name: "checkpoint_sgd", value: () => trainedCheckpoint("SGD"), weightsOnly: /Unsupported operand 71/ },
  { name: "checkpoint_adam", value: () => trainedCheckpoint("Adam"), weightsOnly: /Unsupported operand 71/ },
  { name: "multi", value: multiValue, weightsOnly: /Unsupported operand 71/ },
];

suite("tsorch -> PyTorch 1.13", { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
  const expected = new Map<string, ReturnType<typeof describe>>();
  const paths = new Map<string, string>();
  for (const c of CASES) {
    const value = c.value();
    const path = join(dir, `${c.name}.pt`);
    torch.saveSync(value, path);
    paths.set(c.name, path);
    expected.set(c.name, describe(value));
  }
  let results: Map<string, ReturnType<typeof pyDescribeAll>> | undefined;
  const pythonResults = () => {
    results ??= (() => {
      const requests = CASES.flatMap((c) => [{ path: paths.get(c.name)!, weights_only: true }, { path: paths.get(c.name)!, weights_only: false }]);
      const all = pyDescribeAll(requests);
      return new Map(CASES.map((c, i) => [c.name, all.slice(2 * i, 2 * i + 2)]));
    })();
    return results;
  };

  for (const c of CASES) {
    it(`${c.name}: PyTorch finds the same values, types, layout and sharing (weights_only=${c.weightsOnly === true})`, (t) => {
      if (!requireTorch(t)) return;
      const [safe, full] = pythonResults().get(c.name)!;
      const want = expected.get(c.name)!;
      if (c.weightsOnly === true) {
        assert.equal(safe.error, undefined, safe.error);
        assert.deepEqual(safe.value, want);
      } else {
        assert.match(safe.error ?? "", c.weightsOnly, "torch 1.13's weights_only loader should refuse this file");
      }
      assert.equal(full.error, undefined, full.error);
      assert.deepEqual(full.value, want);
      assert.equal(full.testzip, null, "zipfile.testzip() found a bad CRC");
      const name = c.name;
      const storages = full.names!.filter((n) => n.startsWith(`${name}/data/`));
      assert.deepEqual(full.names, [`${name}/data.pkl`, `${name}/byteorder`, ...storages, `${name}/version`]);
      assert.deepEqual(storages, storages.map((_, i) => `${name}/data/${i}`), "one record per storage, keys in order of first use");
    });
  }

  it("writes one record per storage: tied weights and views do not duplicate data", (t) => {
    if (!requireTorch(t)) return;
    const [, full] = pythonResults().get("views")!;
    const tensors = (full.value!.dict as [unknown, { tensor: { storage: number } }][]).map(([, v]) => v.tensor.storage);
    const distinct = new Set(tensors).size;
    assert.equal(full.names!.filter((n) => n.includes("/data/")).length, distinct);
    assert.ok(distinct < tensors.length);
  });

  it("optimizer state keys are Python ints, and the general checkpoint keeps its types", (t) => {
    if (!requireTorch(t)) return;
    const [, full] = pythonResults().get("checkpoint_adam")!;
    const top = new Map((full.value!.dict as [{ str: string }, Record<string, unknown>][]).map(([k, v]) => [k.str, v]));
    assert.deepEqual(top.get("epoch"), { int: 3 });
    assert.ok("float" in top.get("loss")!);
    const optimizer = new Map((top.get("optimizer_state_dict")!.dict as [{ str: string }, Record<string, unknown>][]).map(([k, v]) => [k.str, v]));
    const keys = (optimizer.get("state")!.dict as [unknown][]).map(([k]) => k);
    assert.deepEqual(keys, Array.from({ length: 10 }, (_, i) => ({ int: i })));
  });
});

suite("torch.save targets", () => {
  it("writes the same archive to a path, to bytes and to an async sink (folder 'archive' for the last two)", async () => {
    const value = { a: torch.arange(4, undefined, 1, { dtype: torch.float32 }), b: tuple(1, 2) };
    const path = join(dir, "target.pt");
    await torch.save(value, path);
    const bytes = (await torch.save(value))!;
    const chunks: Uint8Array[] = [];
    await torch.save(value, { write: async (b: Uint8Array) => void chunks.push(b.slice()) });
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes));
    const fromPath = readFileSync(path);
    assert.equal(fromPath.subarray(30, 30 + 15).toString(), "target/data.pkl");
    assert.equal(Buffer.from(bytes.subarray(30, 30 + 16)).toString(), "archive/data.pkl");
    assert.deepEqual(describe(torch.loadSync(bytes)), describe(value));
    assert.deepEqual(describe(torch.loadSync(fromPath)), describe(value));
  });
});
