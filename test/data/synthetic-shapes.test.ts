import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as torch from "../../src/index.ts";
import { contiguousBytes } from "../../src/serialization/safetensors/index.ts";
import { drawShapes, makeShapesDataset, SHAPE_CLASSES } from "../../src/data/index.ts";

const digest = (t: torch.Tensor) => createHash("sha256").update(contiguousBytes(t)).digest("hex");

test("same seed, same bytes; another seed, other images; train and test differ", () => {
  const a = makeShapesDataset({ train: 200, test: 50, seed: 42 });
  const b = makeShapesDataset({ train: 200, test: 50, seed: 42 });
  const c = makeShapesDataset({ train: 200, test: 50, seed: 43 });
  for (const split of ["train", "test"] as const) {
    a[split].tensors.forEach((t, i) => assert.equal(digest(t), digest(b[split].tensors[i]), `${split} tensor ${i}`));
  }
  assert.notEqual(digest(a.train.tensors[0]), digest(c.train.tensors[0]));
  assert.notEqual(digest(a.train.tensors[0].narrow(0, 0, 50)), digest(a.test.tensors[0]));
  // The test split does not depend on the size of the train split.
  const d = makeShapesDataset({ train: 10, test: 50, seed: 42 });
  assert.equal(digest(d.test.tensors[0]), digest(a.test.tensors[0]));
});

test("CIFAR's format: [N, 3, 32, 32] float32 normalised to [-1, 1], int64 labels, class names", () => {
  const { train, test: testSplit, classes } = makeShapesDataset({ train: 30, test: 20, seed: 0 });
  const [x, y] = train.tensors;
  assert.deepEqual([...x.dims], [30, 3, 32, 32]);
  assert.equal(x.dtype, torch.float32);
  assert.equal(y.dtype, torch.int64);
  assert.equal(testSplit.length, 20);
  assert.deepEqual(classes, [...SHAPE_CLASSES]);
  assert.equal(classes.length, 10);
  const values = x.toArray();
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) { min = Math.min(min, v); max = Math.max(max, v); }
  assert.ok(min >= -1 && max <= 1 && min < -0.9 && max > 0.9, `range [${min}, ${max}]`);
});

test("classes are balanced and shuffled", () => {
  const { train, test: testSplit } = makeShapesDataset({ train: 1000, test: 95, seed: 3 });
  const count = (labels: number[]) => SHAPE_CLASSES.map((_, k) => labels.filter((l) => l === k).length);
  const trainLabels = train.tensors[1].tolist() as number[];
  assert.deepEqual(count(trainLabels), new Array(10).fill(100));
  const testCounts = count(testSplit.tensors[1].tolist() as number[]);
  assert.equal(testCounts.reduce((a, b) => a + b, 0), 95);
  assert.ok(testCounts.every((c) => c === 9 || c === 10), String(testCounts));
  assert.notDeepEqual(trainLabels.slice(0, 20), trainLabels.slice(0, 20).map((_, i) => i % 10), "not in label order");
});

test("images look like their class: stripe directions, sharp edges except for gradients", () => {
  const { images, labels } = drawShapes(600, 11, 0);
  const S = 32;
  /** Mean absolute differences along x and y, and the mean of each image's sharpest step, for one class. */
  const edges = (cls: string) => {
    const k = SHAPE_CLASSES.indexOf(cls);
    let dx = 0;
    let dy = 0;
    let sharpest = 0;
    let n = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== k) continue;
      n++;
      const px = (x: number, y: number) => [0, 1, 2].reduce((s, c) => s + images[i * 3 * S * S + c * S * S + y * S + x], 0);
      let max = 0;
      for (let y = 0; y < S - 1; y++) for (let x = 0; x < S - 1; x++) {
        const ex = Math.abs(px(x + 1, y) - px(x, y));
        const ey = Math.abs(px(x, y + 1) - px(x, y));
        dx += ex;
        dy += ey;
        max = Math.max(max, ex, ey);
      }
      sharpest += max;
    }
    assert.ok(n > 40, `${n} images of ${cls}`);
    return { dx: dx / n, dy: dy / n, sharpest: sharpest / n };
  };
  const h = edges("horizontal stripes");
  const v = edges("vertical stripes");
  const d = edges("diagonal stripes");
  assert.ok(h.dy > 3 * h.dx, `horizontal stripes change along y: ${JSON.stringify(h)}`);
  assert.ok(v.dx > 3 * v.dy, `vertical stripes change along x: ${JSON.stringify(v)}`);
  assert.ok(d.dx > 0.6 * d.dy && d.dy > 0.6 * d.dx, `diagonal stripes change along both: ${JSON.stringify(d)}`);
  const g = edges("gradient");
  for (const cls of SHAPE_CLASSES.filter((c) => c !== "gradient")) {
    const e = edges(cls);
    assert.ok(e.sharpest > 3 * g.sharpest, `${cls} has sharper edges than a gradient: ${e.sharpest} vs ${g.sharpest}`);
  }
  // Shapes sit inside the image (rarely touching its border); textures fill it.
  const touchingBorder = (cls: string) => {
    const k = SHAPE_CLASSES.indexOf(cls);
    let touching = 0;
    let n = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== k) continue;
      n++;
      const at = (x: number, y: number, c: number) => images[i * 3 * S * S + c * S * S + y * S + x];
      const step = (x0: number, y0: number, x1: number, y1: number) => Math.hypot(...[0, 1, 2].map((c) => at(x1, y1, c) - at(x0, y0, c)));
      let edge = false;
      for (let t = 0; t < S - 1 && !edge; t++) {
        edge = step(t, 0, t + 1, 0) > 0.3 || step(t, S - 1, t + 1, S - 1) > 0.3 || step(0, t, 0, t + 1) > 0.3 || step(S - 1, t, S - 1, t + 1) > 0.3;
      }
      touching += edge ? 1 : 0;
    }
    return touching / n;
  };
  for (const shape of ["circle", "square", "triangle", "cross", "ring"]) {
    const f = touchingBorder(shape);
    assert.ok(f < 0.2, `${shape}: ${(100 * f).toFixed(0)}% touch the border`);
  }
  for (const texture of ["horizontal stripes", "vertical stripes", "diagonal stripes", "checkerboard"]) assert.equal(touchingBorder(texture), 1, texture);
});

