/**
 * Synthetic shapes: a deterministic, procedurally drawn image classification data set in CIFAR-10's format
 * (3x32x32 float32 images, 10 classes), generated from a seed with no downloads. Each image is one class's
 * pattern (a shape or a texture) in a random foreground colour over a random background colour, at a random
 * position, size and angle, anti-aliased, with pixel noise. A small CNN learns it well; a linear model
 * does clearly worse (position, colour and phase vary, so no pixel says much on its own).
 */
import { float32, int64 } from "../tensor/dtype.ts";
import { Generator } from "../tensor/random.ts";
import { Tensor } from "../tensor/tensor.ts";
import { TensorDataset } from "./dataset.ts";

/** The class names, in label order. */
export const SHAPE_CLASSES: readonly string[] = [
  "circle", "square", "triangle", "cross", "horizontal stripes",
  "vertical stripes", "diagonal stripes", "checkerboard", "ring", "gradient",
];

/** Image side in pixels. */
export const SHAPE_IMAGE_SIZE = 32;
const S = SHAPE_IMAGE_SIZE;
const PIXELS = S * S;

/** Options of `makeShapesDataset`. */
export interface ShapesDatasetOptions {
  /** Number of training images. */
  train: number;
  /** Number of test images. */
  test: number;
  /** Seed: the same seed gives the same bytes. */
  seed: number;
  /** Standard deviation of the pixel noise on the [0, 1] scale (default 0.08). */
  noise?: number;
}

/** The train and test splits and the class names. */
export interface ShapesDataset {
  /** `[images [N, 3, 32, 32] float32, labels [N] int64]`, normalised as the CIFAR tutorial: (x - 0.5) / 0.5. */
  train: TensorDataset;
  /** The test split, drawn from an independent stream of the same seed. */
  test: TensorDataset;
  /** Class names in label order (`SHAPE_CLASSES`). */
  classes: string[];
}

/**
 * Makes the train and test splits. Labels are balanced (each class appears `floor(n / 10)` or one more
 * times) in a shuffled order.
 *
 * ```ts
 * const { train, test, classes } = makeShapesDataset({ train: 10000, test: 2000, seed: 0 });
 * ```
 */
export function makeShapesDataset(options: ShapesDatasetOptions): ShapesDataset {
  const master = new Generator(options.seed);
  const trainSeed = master.nextUint32();
  const testSeed = master.nextUint32();
  const split = (count: number, seed: number): TensorDataset => {
    const { images, labels } = drawShapes(count, seed, options.noise);
    for (let i = 0; i < images.length; i++) images[i] = (images[i] - 0.5) / 0.5;
    return new TensorDataset(
      Tensor.fromTypedArray(images, [count, 3, S, S], float32),
      Tensor.fromTypedArray(BigInt64Array.from(labels, (l) => BigInt(l)), [count], int64),
    );
  };
  return { train: split(options.train, trainSeed), test: split(options.test, testSeed), classes: [...SHAPE_CLASSES] };
}

/** Draws `count` images in [0, 1] (CHW, unnormalised) and their labels from `seed`. */
export function drawShapes(count: number, seed: number, noise = 0.08): { images: Float32Array; labels: Int32Array } {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`image count must be a non-negative integer, got ${count}`);
  const gen = new Generator(seed);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % SHAPE_CLASSES.length;
  for (let i = count - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  const images = new Float32Array(count * 3 * PIXELS);
  const alpha = new Float32Array(PIXELS);
  for (let i = 0; i < count; i++) {
    drawCoverage(labels[i], gen, alpha);
    const [fg, bg] = colours(gen);
    const image = images.subarray(i * 3 * PIXELS, (i + 1) * 3 * PIXELS);
    // Triangular noise with the requested standard deviation: the sum of two 16-bit uniforms from one
    // mulberry32 draw (var(u1 + u2) = 1/6), seeded per image from the main generator.
    const scale = (noise * Math.sqrt(6)) / 65536;
    let state = gen.nextUint32() | 0;
    for (let c = 0; c < 3; c++) {
      const f = fg[c];
      const b = bg[c];
      const plane = c * PIXELS;
      for (let p = 0; p < PIXELS; p++) {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        t = (t ^ (t >>> 14)) >>> 0;
        const v = b + (f - b) * alpha[p] + ((t & 0xffff) + (t >>> 16) - 65535) * scale;
        image[plane + p] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return { images, labels };
}

/** A foreground and a background colour at least 0.45 apart (RGB distance), so the pattern stays visible. */
function colours(gen: Generator): [number[], number[]] {
  for (;;) {
    const fg = [gen.random(), gen.random(), gen.random()];
    const bg = [gen.random(), gen.random(), gen.random()];
    if (Math.hypot(fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]) >= 0.45) return [fg, bg];
  }
}

const uniform = (gen: Generator, low: number, high: number) => low + (high - low) * gen.random();

/** Fills `alpha` with the coverage (0..1) of class `label`'s pattern, from signed distances (negative inside). */
function drawCoverage(label: number, gen: Generator, alpha: Float32Array): void {
  const cx = uniform(gen, 11, 21);
  const cy = uniform(gen, 11, 21);
  const angle = uniform(gen, -Math.PI, Math.PI);
  let sd: (x: number, y: number) => number;
  switch (SHAPE_CLASSES[label]) {
    case "circle": {
      const r = uniform(gen, 5, 10);
      sd = (x, y) => Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r;
      break;
    }
    case "ring": {
      const r = uniform(gen, 6.5, 11);
      const half = uniform(gen, 1, 2);
      sd = (x, y) => Math.abs(Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r) - half;
      break;
    }
    case "square": {
      const h = uniform(gen, 4.5, 9);
      const a = uniform(gen, -0.35, 0.35);
      sd = rotated(cx, cy, a, (u, v) => Math.max(Math.abs(u), Math.abs(v)) - h);
      break;
    }
    case "triangle": {
      const r = uniform(gen, 7, 12);
      // Three half-planes whose outward normals sit between the vertices; the inradius is r / 2.
      const [a0, a1, a2] = [0, 1, 2].map((k) => angle + Math.PI / 3 + (2 * Math.PI * k) / 3);
      const [x0, y0, x1, y1, x2, y2] = [Math.cos(a0), Math.sin(a0), Math.cos(a1), Math.sin(a1), Math.cos(a2), Math.sin(a2)];
      sd = (x, y) => {
        const u = x - cx;
        const v = y - cy;
        return Math.max(x0 * u + y0 * v, x1 * u + y1 * v, x2 * u + y2 * v) - r / 2;
      };
      break;
    }
    case "cross": {
      const arm = uniform(gen, 6, 11);
      const half = uniform(gen, 1.5, 3);
      const a = uniform(gen, -0.5, 0.5);
      sd = rotated(cx, cy, a, (u, v) => Math.min(Math.max(Math.abs(u) - arm, Math.abs(v) - half), Math.max(Math.abs(u) - half, Math.abs(v) - arm)));
      break;
    }
    case "horizontal stripes":
      sd = stripes(gen, Math.PI / 2 + uniform(gen, -0.15, 0.15));
      break;
    case "vertical stripes":
      sd = stripes(gen, uniform(gen, -0.15, 0.15));
      break;
    case "diagonal stripes":
      sd = stripes(gen, (gen.random() < 0.5 ? 1 : -1) * Math.PI / 4 + uniform(gen, -0.15, 0.15));
      break;
    case "checkerboard": {
      const cell = uniform(gen, 3.5, 8);
      const ox = uniform(gen, 0, 2 * cell);
      const oy = uniform(gen, 0, 2 * cell);
      sd = (x, y) => {
        // Distance to the nearest grid line, signed by the cell's parity.
        const u = (x + ox) / cell;
        const v = (y + oy) / cell;
        const du = Math.abs(u - Math.round(u)) * cell;
        const dv = Math.abs(v - Math.round(v)) * cell;
        const parity = (Math.floor(u) + Math.floor(v)) & 1;
        return (parity ? -1 : 1) * Math.min(du, dv);
      };
      break;
    }
    case "gradient": {
      const length = uniform(gen, 14, 36);
      const nx = Math.cos(angle);
      const ny = Math.sin(angle);
      // A linear ramp: coverage goes 0 -> 1 over `length` pixels across the centre.
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const t = 0.5 + (nx * (x + 0.5 - cx) + ny * (y + 0.5 - cy)) / length;
          alpha[y * S + x] = t < 0 ? 0 : t > 1 ? 1 : t;
        }
      }
      return;
    }
    default:
      throw new RangeError(`no class ${label}`);
  }
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const a = 0.5 - sd(x + 0.5, y + 0.5);
      alpha[y * S + x] = a < 0 ? 0 : a > 1 ? 1 : a;
    }
  }
}

/** A signed distance in coordinates rotated by `angle` around (cx, cy). */
function rotated(cx: number, cy: number, angle: number, f: (u: number, v: number) => number): (x: number, y: number) => number {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return (x, y) => f(c * (x - cx) + s * (y - cy), -s * (x - cx) + c * (y - cy));
}

/** Parallel stripes whose normal points at `angle`: random period (4-9 px) and phase, half of each period filled. */
function stripes(gen: Generator, angle: number): (x: number, y: number) => number {
  const period = uniform(gen, 4, 9);
  const phase = gen.random();
  const nx = Math.cos(angle);
  const ny = Math.sin(angle);
  return (x, y) => {
    const s = (nx * x + ny * y) / period + phase;
    return (Math.abs(s - Math.floor(s) - 0.5) - 0.25) * period;
  };
}
