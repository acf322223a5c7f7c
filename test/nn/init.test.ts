/** nn.init and the layers' default initialisation: formulas checked against PyTorch, samples by their statistics. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { requireTorch, runPython } from "../helpers/pytorch.ts";

const { init } = nn;

function stats(t: torch.Tensor): { mean: number; std: number; maxAbs: number; min: number; max: number } {
  const v = t.toArray();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  let squares = 0;
  for (const x of v) squares += (x - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (v.length - 1)), maxAbs: Math.max(-min, max), min, max };
}

/**
 * A uniform sample over [-bound, bound]: inside it, spread to its edges, with the variance bound^2 / 3
 * (mean and std within about 4 standard errors for the sample size).
 */
function assertUniform(t: torch.Tensor, bound: number, what: string): void {
  const s = stats(t);
  assert.ok(s.maxAbs <= bound, `${what}: max |x| ${s.maxAbs} exceeds ${bound}`);
  assert.ok(s.max > 0.98 * bound && s.min < -0.98 * bound, `${what}: [${s.min}, ${s.max}] does not reach +-${bound}`);
  const n = t.numel();
  assert.ok(Math.abs(s.mean) < (4 * bound) / Math.sqrt(3 * n), `${what}: mean ${s.mean}`);
  assert.ok(Math.abs(s.std / (bound / Math.sqrt(3)) - 1) < 2 / Math.sqrt(n), `${what}: std ${s.std}, expected ${bound / Math.sqrt(3)}`);
}

function assertNormal(t: torch.Tensor, mean: number, std: number, what: string): void {
  const s = stats(t);
  const n = t.numel();
  assert.ok(Math.abs(s.mean - mean) < (4 * std) / Math.sqrt(n), `${what}: mean ${s.mean}, expected ${mean}`);
  assert.ok(Math.abs(s.std / std - 1) < 3 / Math.sqrt(n), `${what}: std ${s.std}, expected ${std}`);
}

test("calculateGain and calculateFanInAndFanOut give PyTorch's numbers; default init bounds match PyTorch's", (t) => {
  if (!requireTorch(t)) return;
  const gains: [nn.init.Nonlinearity, number | null][] = [
    ["linear", null], ["conv2d", null], ["sigmoid", null], ["tanh", null], ["relu", null],
    ["leaky_relu", null], ["leaky_relu", 0.2], ["leaky_relu", Math.sqrt(5)], ["selu", null],
  ];
  const fans = [[3, 4], [6, 3, 5, 5], [2, 3, 4], [5, 1, 1, 1]];
  const out = runPython<{ gains: number[]; fans: number[][]; bounds: Record<string, number> }>("nn_init.py", { gains, fans });
  assert.deepEqual(gains.map(([name, p]) => init.calculateGain(name, p)), out.gains);
  assert.deepEqual(fans.map((s) => init.calculateFanInAndFanOut(torch.zeros(s))), out.fans);
  const lin = new nn.Linear(500, 300);
  const conv = new nn.Conv2d(16, 32, 5);
  const { bounds } = out;
  // Same limits; both samples come close to them without crossing.
  for (const [name, p, limit] of [
    ["linear.weight", lin.weight, bounds["linear.limit"]], ["linear.bias", lin.bias, bounds["linear.limit"]],
    ["conv.weight", conv.weight, bounds["conv.limit"]], ["conv.bias", conv.bias, bounds["conv.limit"]],
  ] as const) {
    const ours = stats(p as torch.Tensor).maxAbs;
    assert.ok(ours <= limit && bounds[name] <= limit, `${name}: ${ours} / ${bounds[name]} vs limit ${limit}`);
    assert.ok(ours > 0.9 * limit && bounds[name] > 0.9 * limit, `${name} spreads to its limit`);
  }
});

test("kaiming, xavier, normal, uniform and truncated normal fill with the right distributions", () => {
  torch.manualSeed(0);
  const w = torch.zeros(256, 128);
  assertUniform(init.kaimingUniform_(w, { a: Math.sqrt(5) }), 1 / Math.sqrt(128), "kaimingUniform_(a=sqrt(5))");
  assertUniform(init.kaimingUniform_(w, 0, "fan_out", "relu"), Math.sqrt(2) * Math.sqrt(3 / 256), "kaimingUniform_(relu, fan_out)");
  assertNormal(init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" }), 0, Math.sqrt(2 / 256), "kaimingNormal_");
  assertUniform(init.xavierUniform_(w), Math.sqrt(6 / (256 + 128)), "xavierUniform_");
  assertUniform(init.xavierUniform_(w, { gain: init.calculateGain("tanh") }), (5 / 3) * Math.sqrt(6 / 384), "xavierUniform_(gain)");
  assertNormal(init.xavierNormal_(w), 0, Math.sqrt(2 / 384), "xavierNormal_");
  assertNormal(init.normal_(w, 1, 0.5), 1, 0.5, "normal_(1, 0.5)");
  assertNormal(init.normal_(w, { std: 2 }), 0, 2, "normal_({ std: 2 })");
  assertUniform(init.uniform_(w, -3, 3), 3, "uniform_(-3, 3)");
  const tn = stats(init.truncNormal_(w));
  assert.ok(tn.min >= -2 && tn.max <= 2 && tn.max > 1.9, `truncNormal_ in [-2, 2]: [${tn.min}, ${tn.max}]`);
  assert.ok(Math.abs(tn.std - 0.8796) < 0.02, `truncNormal_ std ${tn.std} (truncated N(0,1) on [-2,2]: 0.8796)`);
  assert.deepEqual(init.constant_(torch.zeros(2), 0.5).tolist(), [0.5, 0.5]);
  assert.deepEqual(init.ones_(torch.zeros(2)).tolist(), [1, 1]);
  assert.deepEqual(init.zeros_(torch.ones(2)).tolist(), [0, 0]);
  assert.deepEqual(init.eye_(torch.ones(2, 3)).tolist(), [[1, 0, 0], [0, 1, 0]]);
});

test("init works on parameters that require grad, without recording a graph", () => {
  const p = new nn.Parameter(torch.zeros(4, 4));
  init.kaimingNormal_(p);
  assert.equal(p.gradFn, null);
  assert.ok(p.requiresGrad && p.isLeaf);
  assert.throws(() => init.calculateFanInAndFanOut(torch.zeros(3)), { message: "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions" });
  assert.throws(() => init.kaimingUniform_(p, { mode: "fan_avg" as nn.init.FanMode }), { message: "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']" });
});

test("layers initialise as PyTorch's reset_parameters does", () => {
  torch.manualSeed(1);
  const emb = new nn.Embedding(4000, 16, { paddingIdx: 3 });
  assert.deepEqual(emb.weight.select(0, 3).tolist(), new Array(16).fill(0));
  assertNormal(emb.weight.narrow(0, 4, 3996), 0, 1, "Embedding N(0, 1)");
  const bn = new nn.BatchNorm2d(3);
  assert.deepEqual([bn.weight?.tolist(), bn.bias?.tolist(), bn.running_mean?.tolist(), bn.running_var?.tolist()],
    [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  assert.equal(bn.num_batches_tracked?.dim(), 0);
  assert.equal(bn.num_batches_tracked?.item(), 0);
  const ln = new nn.LayerNorm([2, 3]);
  assert.deepEqual([ln.weight?.tolist(), ln.bias?.tolist()], [[[1, 1, 1], [1, 1, 1]], [[0, 0, 0], [0, 0, 0]]]);
  const lin = new nn.Linear(64, 2000);
  assertUniform(lin.weight, 1 / 8, "Linear weight");
  assertUniform(lin.bias as torch.Tensor, 1 / 8, "Linear bias");
  const conv = new nn.Conv2d(4, 500, 3, { groups: 2 });
  assertUniform(conv.weight, 1 / Math.sqrt(2 * 9), "Conv2d weight (fan_in = in/groups * k * k)");
});
