/** nn.utils: consumePrefixInStateDictIfPresent, clipGradNorm_, parameters <-> vector. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { type JsonTensor, assertClose, fromJson, requireTorch, runPython, toJson } from "../helpers/pytorch.ts";

interface UtilsOut {
  before: [string[], [string, { version: number }][]];
  after_keys: string[];
  after_metadata: [string, { version: number }][];
  clip: Record<string, { total: number; grads: JsonTensor[] }>;
}

test("consumePrefixInStateDictIfPresent strips DataParallel's prefix from keys (PyTorch's order) and _metadata (as 2.x)", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(3);
  const grads = [torch.randn(3, 4), torch.randn(5), torch.randn(2, 2, 2)];
  const out = runPython<UtilsOut>("nn_utils.py", { grads: grads.map(toJson), max_norm: 1.5 });

  const wrapper = new nn.Module();
  wrapper.addModule("module", new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2)));
  const sd: Record<string, torch.Tensor> = wrapper.stateDict();
  sd["other"] = torch.zeros(1);
  assert.deepEqual([Object.keys(sd), [...(nn.getStateDictMetadata(sd) ?? [])]], out.before);
  nn.utils.consumePrefixInStateDictIfPresent(sd, "module.");
  assert.deepEqual(Object.keys(sd), out.after_keys);
  assert.deepEqual([...(nn.getStateDictMetadata(sd) ?? [])], out.after_metadata);
  const plain = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
  delete sd["other"];
  assert.equal(String(plain.loadStateDict(sd)), "<All keys matched successfully>");

  for (const [normType, want] of Object.entries(out.clip)) {
    const params = grads.map((g) => {
      const p = new nn.Parameter(torch.zeros(g.dims));
      p.grad = g.clone();
      return p;
    });
    const total = nn.utils.clipGradNorm_(params, 1.5, { normType: normType === "inf" ? Infinity : Number(normType) });
    assert.ok(Math.abs(Number(total.item()) - want.total) <= 1e-5 * want.total, `norm ${normType}: ${total.item()} vs ${want.total}`);
    params.forEach((p, i) => assertClose(p.grad as torch.Tensor, fromJson(want.grads[i]), 1e-5, 1e-6, `grad ${i} (norm ${normType})`));
  }
});

test("parametersToVector and vectorToParameters round-trip", () => {
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(2, 1));
  const vec = nn.utils.parametersToVector(model.parameters());
  assert.deepEqual([...vec.dims], [11]);
  const replacement = torch.arange(11, 0, -1, { dtype: "float32" });
  nn.utils.vectorToParameters(replacement, model.parameters());
  assert.deepEqual((model.at(1) as nn.Linear).bias?.tolist(), [1]);
  assert.deepEqual((model.at(0) as nn.Linear).weight.tolist(), [[11, 10, 9], [8, 7, 6]]);
  assert.ok(nn.utils.parametersToVector(model.parameters()).equal(replacement));
});
