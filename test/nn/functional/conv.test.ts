import { test } from "node:test";
import * as torch from "../../../src/index.ts";
import * as F from "../../../src/nn/functional.ts";
import { requireTorch } from "../../helpers/pytorch.ts";
import { checkCases, checkErrors, type OpCase } from "./oracle.ts";

type ConvOpts = NonNullable<Parameters<typeof F.conv2d>[3]>;

function convCase(name: string, x: number[], w: number[], bias: boolean, opts: ConvOpts = {}, dtype: "float32" | "float64" = "float32"): OpCase {
  const X = torch.randn(x, { dtype });
  const W = torch.randn(w, { dtype });
  const B = bias ? torch.randn([w[0]], { dtype }) : null;
  return {
    name, op: "conv2d", args: [X, W, B],
    kwargs: {
      ...(opts.stride !== undefined ? { stride: opts.stride } : {}),
      ...(opts.padding !== undefined ? { padding: opts.padding } : {}),
      ...(opts.dilation !== undefined ? { dilation: opts.dilation } : {}),
      ...(opts.groups !== undefined ? { groups: opts.groups } : {}),
    },
    grad: bias ? [0, 1, 2] : [0, 1],
    run: (t) => F.conv2d(t[0], t[1], bias ? t[2] : null, opts),
  };
}

test("conv2d matches PyTorch: outputs and input/weight/bias gradients", (t) => {
  if (!requireTorch(t)) return;
  torch.manualSeed(0);
  checkCases([
    convCase("basic", [2, 3, 8, 8], [4, 3, 3, 3], true),
    convCase("stride 2 padding 1", [2, 3, 9, 9], [4, 3, 3, 3], true, { stride: 2, padding: 1 }),
    convCase("padding 2 dilation 2", [2, 3, 10, 10], [5, 3, 3, 3], true, { padding: 2, dilation: 2 }),
    convCase("groups 2", [2, 4, 7, 7], [6, 2, 3, 3], true, { groups: 2, padding: 1 }),
    convCase("depthwise", [3, 4, 7, 7], [4, 1, 3, 3], true, { groups: 4, padding: 1 }),
    convCase("depthwise multiplier 2, stride 2", [2, 3, 8, 8], [6, 1, 3, 3], false, { groups: 3, stride: 2 }),
    convCase("no bias", [2, 3, 8, 8], [4, 3, 3, 3], false),
    convCase("odd sizes, per-dim stride/padding", [3, 3, 9, 11], [5, 3, 4, 2], true, { stride: [2, 3], padding: [1, 0] }),
    convCase("batch 1", [1, 2, 6, 6], [3, 2, 3, 3], true, { padding: 1 }),
    convCase("unbatched input", [3, 8, 8], [4, 3, 3, 3], true, { stride: 2 }),
    convCase("padding same, even kernel", [2, 3, 8, 8], [4, 3, 4, 4], true, { padding: "same" }),
    convCase("padding same, dilation 2", [2, 3, 7, 9], [4, 3, 3, 2], true, { padding: "same", dilation: 2 }),
    convCase("padding valid", [2, 3, 8, 8], [4, 3, 3, 3], true, { padding: "valid" }),
    convCase("pointwise 1x1", [2, 5, 6, 6], [7, 5, 1, 1], true),
    convCase("pointwise 1x1 stride 2", [2, 5, 6, 6], [7, 5, 1, 1], true, { stride: 2 }),
    convCase("tiny maps batched into one product", [5, 3, 4, 4], [4, 3, 3, 3], true),
    convCase("LeNet conv1", [4, 3, 32, 32], [6, 3, 5, 5], true),
    convCase("LeNet conv2", [4, 6, 14, 14], [16, 6, 5, 5], true),
    convCase("kernel as large as the padded input", [2, 2, 3, 3], [3, 2, 5, 5], true, { padding: 1 }),
    convCase("float64", [2, 3, 6, 6], [4, 3, 3, 3], true, { padding: 1, stride: 2 }, "float64"),
  ]);
});

test("conv2d errors carry PyTorch's messages", (t) => {
  if (!requireTorch(t)) return;
  const w = torch.randn(6, 3, 5, 5);
  const x8 = torch.randn(4, 3, 8, 8);
  const cases: [string, torch.Tensor, torch.Tensor, torch.Tensor | null, Record<string, unknown>, ConvOpts][] = [
    ["wrong channel count", torch.randn(4, 1, 32, 32), w, null, {}, {}],
    ["unbatched wrong channel count", torch.randn(1, 32, 32), w, null, {}, {}],
    ["2-D input", torch.randn(4, 3), w, null, {}, {}],
    ["5-D input", torch.randn(1, 4, 3, 8, 8), w, null, {}, {}],
    ["2-D weight", x8, torch.randn(6, 3), null, {}, {}],
    ["3-D weight", x8, torch.randn(6, 3, 5), null, {}, {}],
    ["bias size", x8, w, torch.randn(5), {}, {}],
    ["groups not dividing out channels", torch.randn(4, 6, 8, 8), torch.randn(5, 3, 3, 3), null, { groups: 2 }, { groups: 2 }],
    ["fewer out channels than groups", torch.randn(1, 8, 8, 8), torch.randn(2, 2, 3, 3), null, { groups: 4 }, { groups: 4 }],
    ["groups and input channels", torch.randn(4, 5, 8, 8), torch.randn(6, 3, 3, 3), null, { groups: 2 }, { groups: 2 }],
    ["kernel larger than input", torch.randn(4, 3, 4, 4), w, null, {}, {}],
    ["same with stride", x8, w, null, { padding: "same", stride: 2 }, { padding: "same", stride: 2 }],
    ["bad padding string", x8, w, null, { padding: "foo" }, { padding: "foo" as "same" }],
    ["negative padding", x8, w, null, { padding: -1 }, { padding: -1 }],
    ["zero stride", x8, w, null, { stride: 0 }, { stride: 0 }],
    ["zero dilation", x8, w, null, { dilation: 0 }, { dilation: 0 }],
    ["zero groups", x8, w, null, { groups: 0 }, { groups: 0 }],
    ["dtype mismatch", torch.ones([4, 3, 8, 8], { dtype: "int64" }), torch.randn(6, 3, 3, 3), null, {}, {}],
    ["float64 input, float32 weight", torch.ones([4, 3, 8, 8], { dtype: "float64" }), torch.randn(6, 3, 3, 3), null, {}, {}],
  ];
  checkErrors(cases.map(([name, x, weight, bias, kwargs, opts]) => ({
    name, op: "conv2d", args: [x, weight, bias], kwargs: kwargs as Record<string, string | number>,
    run: () => F.conv2d(x, weight, bias, opts),
  })));
});
