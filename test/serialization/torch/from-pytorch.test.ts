/**
 * PyTorch -> tsorch: objects saved by PyTorch 1.13 (zip format, and the legacy format via
 * `_use_new_zipfile_serialization=False`) load in tsorch as equal values: exact element bytes, shapes, dtypes, strides,
 * offsets, storage sharing, requires_grad, Parameter-ness and Python types (test/helpers/describe.ts); and a model
 * loaded from a PyTorch state dict computes PyTorch's outputs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { describe } from "../../helpers/describe.ts";
import { assertClose, fromJson, hasTorch, type JsonTensor, requireTorch, runPython, toJson } from "../../helpers/pytorch.ts";
import { TheModelClass, pySave, tempDir } from "./interop.ts";

const dir = tempDir("from-pytorch");

const CASES = [
  "dtypes", "views", "values", "parameters", "checkpoint_sgd", "checkpoint_adam", "multi", "state_dict", "tensor", "complex", "meta",
];

for (const legacy of [false, true]) {
  const format = legacy ? "legacy format" : "zip format";
  suite(`PyTorch 1.13 (${format}) -> tsorch`, { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
    let expected: Record<string, ReturnType<typeof describe>> | undefined;
    const saved = () => (expected ??= pySave(dir, CASES, legacy));
    for (const name of CASES) {
      it(`${name}: same values, types, layout and sharing`, async (t) => {
        if (!requireTorch(t)) return;
        const want = saved()[name];
        const path = join(dir, `${name}${legacy ? ".legacy" : ""}.pt`);
        assert.deepEqual(describe(await torch.load(path)), want);
        const { format: kind } = torch.serialization.loadWithFormat(path);
        assert.equal(kind.kind, legacy ? "legacy" : "zip");
      });
    }
  });
}

suite("a model loaded from a PyTorch state dict", () => {
  it("computes PyTorch's outputs (TheModelClass, 1e-5)", async (t) => {
    if (!requireTorch(t)) return;
    pySave(dir, ["state_dict"], false);
    const path = join(dir, "state_dict.pt");
    torch.manualSeed(7);
    const x = torch.randn(5, 3, 32, 32);
    const py = runPython<{ y: JsonTensor; load_result: string }>("checkpoint_io.py", { cmd: "outputs", path, x: toJson(x) });
    assert.equal(py.load_result, "<All keys matched successfully>");
    const model = new TheModelClass();
    const result = model.loadStateDict(await torch.load(path));
    assert.equal(String(result), "<All keys matched successfully>");
    model.eval();
    const y = torch.noGrad(() => model.call(x));
    assertClose(y, fromJson(py.y), 1e-5, 1e-6, "TheModelClass outputs");
  });
});
