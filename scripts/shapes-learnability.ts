/**
 * Checks that the synthetic shapes data set is learnable but not trivial: exports it as safetensors and has
 * PyTorch (/usr/bin/python3) train the CIFAR-tutorial LeNet and a linear model on it.
 * Usage: npx tsx scripts/shapes-learnability.ts [train] [test] [epochs] [batchSize] [seed]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeShapesDataset } from "../src/data/synthetic-shapes.ts";
import { saveSafetensorsFile } from "../src/serialization/safetensors/index.ts";

const [train = "10000", test = "2000", epochs = "3", batchSize = "32", seed = "0"] = process.argv.slice(2);
const started = performance.now();
const data = makeShapesDataset({ train: Number(train), test: Number(test), seed: Number(seed) });
console.log(`generated ${train} + ${test} images in ${(performance.now() - started).toFixed(0)} ms`);
const dir = mkdtempSync(join(tmpdir(), "shapes-"));
const path = join(dir, "shapes.safetensors");
try {
  const [trainImages, trainLabels] = data.train.tensors;
  const [testImages, testLabels] = data.test.tensors;
  saveSafetensorsFile(path, { train_images: trainImages, train_labels: trainLabels, test_images: testImages, test_labels: testLabels });
  const python = process.env.TSORCH_PYTHON ?? "/usr/bin/python3";
  const res = spawnSync(python, [join(import.meta.dirname, "shapes_learnability.py"), path, epochs, batchSize], { stdio: "inherit" });
  process.exitCode = res.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
