/**
 * DTypes inside saved values are written as the GLOBAL `torch.<name>` (PyTorch's dtype pickling) at any depth: in
 * lists, tuples, dict values and keys, sets, OrderedDict attributes, values a reduce hook returns; shared containers
 * stay shared, cycles stay cycles, and the value being saved is not modified. (PyTorch reading such files is checked
 * in to-pytorch.test.ts.)
 */
import assert from "node:assert/strict";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { isOrderedDict, orderedDict, pyAttributes, setPyAttribute } from "../../../src/python/dict.ts";
import { PyObject } from "../../../src/python/object.ts";
import { Tuple, tuple } from "../../../src/python/tuple.ts";
import { opaqueGlobal } from "../../../src/serialization/pickle/index.ts";

const roundTrip = (value: unknown, options: torch.SaveOptions = {}) => torch.loadSync(torch.serialization.saveToBytes(value, options));

suite("DType values in torch.save", () => {
  it("a top-level dtype, and dtypes at any depth, come back as the same DType objects", () => {
    assert.equal(roundTrip(torch.bfloat16), torch.bfloat16);
    const value = {
      list: [torch.float32, [torch.int64, tuple(torch.bool)]],
      keys: new Map<unknown, unknown>([[torch.float16, "half"], ["x", torch.uint8]]),
      set: new Set([torch.int8, torch.int16]),
      nested: { deeper: { deepest: [torch.complex64] } },
    };
    const loaded = roundTrip(value);
    assert.equal(loaded.list[0], torch.float32);
    assert.equal(loaded.list[1][1][0], torch.bool);
    assert.ok(loaded.list[1][1] instanceof Tuple);
    assert.equal(loaded.keys.get(torch.float16), "half");
    assert.equal(loaded.keys.get("x"), torch.uint8);
    assert.deepEqual([...loaded.set], [torch.int8, torch.int16]);
    assert.equal(loaded.nested.deeper.deepest[0], torch.complex64);
  });

  it("leaves the saved value untouched, keeps sharing, cycles, OrderedDict markers and attributes", () => {
    const shared = [torch.float64];
    const cyclic: unknown[] = [torch.int32];
    cyclic.push(cyclic);
    const od = orderedDict([["d", torch.float16]]);
    setPyAttribute(od, "_metadata", orderedDict([["", { dtype: torch.float32 }]]));
    const clean = { untouched: [1, 2] };
    const value = { a: shared, b: shared, cyclic, od, clean };
    const loaded = roundTrip(value);
    assert.equal(value.a[0], torch.float64, "the original is not modified");
    assert.equal(loaded.a, loaded.b, "a shared list stays one list");
    assert.equal(loaded.cyclic[1], loaded.cyclic);
    assert.equal(loaded.cyclic[0], torch.int32);
    assert.ok(isOrderedDict(loaded.od));
    assert.equal(loaded.od.d, torch.float16);
    const [[name, meta]] = pyAttributes(loaded.od);
    assert.equal(name, "_metadata");
    assert.equal((meta as Record<string, { dtype: unknown }>)[""].dtype, torch.float32);
    assert.deepEqual(loaded.clean, clean);
  });

  it("dtypes in what a reduce hook returns, and in PyObjects, are written as globals too", () => {
    class Config {
      constructor(readonly dtype: torch.DType) {}
    }
    const options: torch.SaveOptions = {
      reduce: (v) => (v instanceof Config ? { module: "mymodule", name: "Config", args: [v.dtype], state: { dtype: v.dtype } } : undefined),
    };
    const obj = new PyObject("mymodule", "Other", tuple(torch.int8), "reduce", undefined, { kind: torch.bool });
    const bytes = torch.serialization.saveToBytes({ c: new Config(torch.float16), o: obj }, options);
    const globals = { "mymodule.Config": opaqueGlobal, "mymodule.Other": opaqueGlobal };
    const loaded = torch.loadSync(bytes, { globals });
    assert.ok(loaded.c instanceof PyObject && loaded.o instanceof PyObject);
    assert.equal(loaded.c.args[0], torch.float16);
    assert.equal((loaded.c.state as { dtype: unknown }).dtype, torch.float16);
    assert.equal(loaded.o.args[0], torch.int8);
    assert.equal((loaded.o.state as { kind: unknown }).kind, torch.bool);
    assert.equal(obj.args[0], torch.int8, "the PyObject saved is not modified");
  });
});
