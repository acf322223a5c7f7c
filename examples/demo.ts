/**
 * The demo: trains the tutorial's CNN (TheModelClass) on a generated image data set, writes a general
 * checkpoint every epoch, resumes from any of them exactly, and finally loads `best.pt` for inference.
 *
 *   npm run demo                                        # train (5 epochs by default), checkpoints in ./checkpoints
 *   npm run demo -- --resume checkpoints/epoch-2.tar    # continue from epoch 2: ends with the same weights
 *   npm run demo -- --help
 *
 * The data: `makeShapesDataset` draws 3x32x32 images of 10 classes of shapes and textures (circle, square,
 * stripes, checkerboard, ...) in random colours, positions and sizes, deterministically from a seed; nothing
 * is downloaded. The checkpoints are ordinary PyTorch files: `torch.load("checkpoints/epoch-5.tar")` reads them.
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import * as torch from "../src/index.ts";
import { F, optim } from "../src/index.ts";
import { startEpochProgress } from "./demo-progress.ts";
import { isMain } from "./helpers.ts";
import { TheModelClass } from "./the-model-class.ts";

const { DataLoader, makeShapesDataset, SHAPE_CLASSES } = torch.utils.data;
type DataLoaderState = torch.utils.data.DataLoaderState;
const { pyFloat } = torch;

/** What defines a run; stored in every checkpoint (snake_case: the file is shared with Python). */
export interface DemoConfig {
  epochs: number;
  train: number;
  test: number;
  seed: number;
  batch_size: number;
  lr: number;
  momentum: number;
  step_size: number;
  gamma: number;
}

/** The defaults: about a minute on two cores, ~95% test accuracy. */
export const DEFAULT_CONFIG: DemoConfig = {
  epochs: 5, train: 10000, test: 2000, seed: 0, batch_size: 32, lr: 0.01, momentum: 0.9, step_size: 4, gamma: 0.1,
};

/** One epoch's figures. */
interface EpochRecord {
  epoch: number;
  loss: number;
  train_accuracy: number;
  test_accuracy: number;
}

/** What a checkpoint holds: the tutorial's four entries plus what an exact resumption needs. */
export interface DemoCheckpoint {
  /** Epochs completed. */
  epoch: number;
  model_state_dict: Record<string, torch.Tensor>;
  optimizer_state_dict: optim.OptimizerStateDict;
  scheduler_state_dict: Record<string, unknown>;
  /** Mean training loss of the last epoch. */
  loss: number;
  /** Test accuracy after the last epoch. */
  test_accuracy: number;
  best_accuracy: number;
  /** The epoch best.pt comes from (0: none yet). */
  best_epoch: number;
  /** The global generator's state (`torch.getRngState()`, as a uint8 tensor like `torch.get_rng_state()`). */
  rng_state: torch.Tensor;
  /** Where the training DataLoader is in its shuffled order (its generator's state). */
  dataloader_state_dict: DataLoaderState;
  config: DemoConfig;
  history: EpochRecord[];
}

const HELP = `Usage: npm run demo -- [options]

Trains TheModelClass (the CNN of PyTorch's "Saving and Loading Models" tutorial) on synthetic 3x32x32 images of
10 shape classes, writing a general checkpoint every epoch and the best model's state dict.

Options:
  --epochs N        total number of epochs (default ${DEFAULT_CONFIG.epochs}; with --resume, the checkpoint's)
  --resume FILE     continue from a checkpoint written by this demo (e.g. checkpoints/epoch-2.tar); the run ends
                    with exactly the parameters an uninterrupted run has
  --out DIR         where to write epoch-N.tar and best.pt (default: checkpoints)
  --train N         training images (default ${DEFAULT_CONFIG.train})
  --test N          test images (default ${DEFAULT_CONFIG.test})
  --seed N          seed of the data, the initial weights and the data order (default ${DEFAULT_CONFIG.seed})
  --batch-size N    batch size (default ${DEFAULT_CONFIG.batch_size})
  --lr X            SGD learning rate (default ${DEFAULT_CONFIG.lr}; momentum ${DEFAULT_CONFIG.momentum}, x${DEFAULT_CONFIG.gamma} every ${DEFAULT_CONFIG.step_size} epochs)
  -h, --help        show this help

Files:
  DIR/epoch-N.tar   {epoch, model_state_dict, optimizer_state_dict, scheduler_state_dict, loss, test_accuracy,
                    best_accuracy, best_epoch, rng_state, dataloader_state_dict, config, history}
  DIR/best.pt       the state dict of the epoch with the best test accuracy, for inference
`;

interface CliOptions {
  overrides: Partial<DemoConfig>;
  resume?: string;
  out: string;
}

function parseCommandLine(argv: string[]): CliOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: "string" }, resume: { type: "string" }, out: { type: "string" }, train: { type: "string" },
      test: { type: "string" }, seed: { type: "string" }, "batch-size": { type: "string" }, lr: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const int = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${text}'`);
    return n;
  };
  const overrides: Partial<DemoConfig> = {
    epochs: int("epochs", values.epochs, 1), train: int("train", values.train, 1), test: int("test", values.test, 1),
    seed: int("seed", values.seed, 0), batch_size: int("batch-size", values["batch-size"], 1),
  };
  if (values.lr !== undefined) {
    const lr = Number(values.lr);
    if (!(lr > 0)) throw new UsageError(`--lr must be a positive number, got '${values.lr}'`);
    overrides.lr = lr;
  }
  for (const key of Object.keys(overrides) as (keyof DemoConfig)[]) if (overrides[key] === undefined) delete overrides[key];
  return { overrides, resume: values.resume, out: values.out ?? "checkpoints" };
}

/** A mistake on the command line: printed without a stack trace. */
class UsageError extends Error {}

/** A Python float in the checkpoint even when the value happens to be integral (an accuracy of 1, say). */
const float = (x: number): number => pyFloat(x) as unknown as number;

/** Test accuracy and per-class accuracy of `model` in eval mode. */
function evaluate(model: TheModelClass, loader: torch.utils.data.DataLoader<torch.Tensor[], torch.Tensor[]>): { accuracy: number; perClass: number[] } {
  model.eval();
  const correct = new Array<number>(SHAPE_CLASSES.length).fill(0);
  const seen = new Array<number>(SHAPE_CLASSES.length).fill(0);
  torch.noGrad(() => {
    for (const [images, labels] of loader) {
      const predictions = model.forward(images).argmax(1).toTypedArray();
      const truth = labels.toTypedArray();
      for (let i = 0; i < predictions.length; i++) {
        const label = Number(truth[i]);
        seen[label]++;
        if (Number(predictions[i]) === label) correct[label]++;
      }
    }
  });
  const total = seen.reduce((a, b) => a + b, 0);
  return { accuracy: correct.reduce((a, b) => a + b, 0) / total, perClass: correct.map((c, i) => c / Math.max(1, seen[i])) };
}

/** Writes `value` with torch.save through a temporary file, so an interrupted save never leaves half a checkpoint. */
async function saveAtomically(value: unknown, path: string): Promise<void> {
  const partial = `${path}.partial`;
  // The archive folder inside the zip is named after the final file, as torch.save(value, path) names it.
  await torch.save(value, partial, { archiveName: torch.serialization.archiveNameFor(path) });
  renameSync(partial, path);
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Runs the demo with command-line arguments `argv`; returns the final test accuracy of best.pt. */
export async function runDemo(argv: string[]): Promise<number | null> {
  const cli = parseCommandLine(argv);
  if (!cli) {
    console.log(HELP);
    return null;
  }
  let checkpoint: DemoCheckpoint | null = null;
  let config: DemoConfig = { ...DEFAULT_CONFIG, ...cli.overrides };
  if (cli.resume) {
    if (!existsSync(cli.resume)) throw new UsageError(`--resume: no such file: ${cli.resume}`);
    checkpoint = await torch.load(cli.resume, { mapLocation: "cpu" }) as DemoCheckpoint;
    if (typeof checkpoint !== "object" || checkpoint === null || !("epoch" in checkpoint) || !("dataloader_state_dict" in checkpoint)) {
      throw new UsageError(`--resume: ${cli.resume} is not a checkpoint written by this demo (expected epoch, model_state_dict, ...)`);
    }
    const saved: DemoConfig = { ...DEFAULT_CONFIG, ...checkpoint.config };
    for (const [key, value] of Object.entries(cli.overrides) as [keyof DemoConfig, number][]) {
      if (key !== "epochs" && Number(saved[key]) !== value) {
        throw new UsageError(`--resume: the checkpoint was trained with ${key} = ${saved[key]}, not ${value}; leave the option out to resume`);
      }
    }
    config = { ...saved, epochs: cli.overrides.epochs ?? Number(saved.epochs) };
  }

  // ---- Data, model, optimizer ------------------------------------------------------------------------
  const started = performance.now();
  const data = makeShapesDataset({ train: config.train, test: config.test, seed: config.seed });
  console.log(`data: ${config.train} training and ${config.test} test images (3x32x32, ${data.classes.length} classes, seed ${config.seed}), ` +
    `made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  torch.manualSeed(config.seed);
  const model = new TheModelClass();
  const optimizer = new optim.SGD(model.parameters(), { lr: float(config.lr), momentum: float(config.momentum) });
  const scheduler = new optim.lr_scheduler.StepLR(optimizer, config.step_size, { gamma: float(config.gamma) });
  const trainLoader = new DataLoader(data.train, { batchSize: config.batch_size, shuffle: true, generator: new torch.Generator(config.seed) });
  const testLoader = new DataLoader(data.test, { batchSize: 500 });
  let firstEpoch = 1;
  let best = { accuracy: -1, epoch: 0 };
  let history: EpochRecord[] = [];
  mkdirSync(cli.out, { recursive: true });
  const bestPath = join(cli.out, "best.pt");

  if (checkpoint) {
    model.loadStateDict(checkpoint.model_state_dict);
    optimizer.loadStateDict(checkpoint.optimizer_state_dict);
    scheduler.loadStateDict(checkpoint.scheduler_state_dict);
    torch.setRngState(checkpoint.rng_state.toTypedArray() as Uint8Array);
    trainLoader.loadStateDict(checkpoint.dataloader_state_dict);
    firstEpoch = Number(checkpoint.epoch) + 1;
    best = { accuracy: Number(checkpoint.best_accuracy), epoch: Number(checkpoint.best_epoch) };
    history = [...checkpoint.history];
    // best.pt must be the best epoch's weights *as of this checkpoint*: rewrite it from that epoch's checkpoint.
    const bestSource = join(dirname(cli.resume!), `epoch-${best.epoch}.tar`);
    if (existsSync(bestSource)) {
      const bestCheckpoint = await torch.load(bestSource, { mapLocation: "cpu" }) as DemoCheckpoint;
      await saveAtomically(bestCheckpoint.model_state_dict, bestPath);
    } else {
      console.warn(`warning: ${bestSource} is missing; ${bestPath} may not hold the best epoch's weights until a better epoch comes`);
    }
    console.log(`resumed from ${cli.resume}: epoch ${checkpoint.epoch} done, loss ${Number(checkpoint.loss).toFixed(4)}, ` +
      `best test accuracy ${percent(best.accuracy)} (epoch ${best.epoch})`);
  }
  if (firstEpoch > config.epochs) console.log(`nothing to train: the checkpoint already has ${firstEpoch - 1} of ${config.epochs} epochs`);

  // ---- Training ----------------------------------------------------------------------------------------
  for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
    const epochStart = performance.now();
    model.train();
    const progress = startEpochProgress(`epoch ${epoch}/${config.epochs}`, trainLoader.length);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batches = 0;
    for (const [images, labels] of trainLoader) {
      optimizer.zeroGrad();
      const logits = model.forward(images);
      const loss = F.crossEntropy(logits, labels);
      loss.backward();
      optimizer.step();
      const n = images.size(0);
      lossSum += (loss.item() as number) * n;
      correct += logits.argmax(1).eq(labels).sum().item() as number;
      seen += n;
      progress.update(++batches, { loss: lossSum / seen, accuracy: correct / seen });
    }
    progress.stop();
    scheduler.step();
    const { accuracy } = evaluate(model, testLoader);
    const record: EpochRecord = { epoch, loss: float(lossSum / seen), train_accuracy: float(correct / seen), test_accuracy: float(accuracy) };
    history.push(record);
    const isBest = accuracy > best.accuracy;
    if (isBest) {
      best = { accuracy, epoch };
      await saveAtomically(model.stateDict(), bestPath);
    }
    const path = join(cli.out, `epoch-${epoch}.tar`);
    const state: DemoCheckpoint = {
      epoch,
      model_state_dict: model.stateDict(),
      optimizer_state_dict: optimizer.stateDict(),
      scheduler_state_dict: scheduler.stateDict(),
      loss: record.loss,
      test_accuracy: record.test_accuracy,
      best_accuracy: float(best.accuracy),
      best_epoch: best.epoch,
      rng_state: torch.tensor(Array.from(torch.getRngState()), { dtype: torch.uint8 }),
      dataloader_state_dict: trainLoader.stateDict(),
      config,
      history,
    };
    await saveAtomically(state, path);
    console.log(`epoch ${epoch}: loss ${record.loss.toFixed(4)}, train accuracy ${percent(record.train_accuracy)}, ` +
      `test accuracy ${percent(accuracy)} (${((performance.now() - epochStart) / 1000).toFixed(1)} s) -> ${path}${isBest ? `, ${bestPath}` : ""}`);
  }

  // ---- Inference: best.pt into a fresh model -------------------------------------------------------------
  if (!existsSync(bestPath)) throw new Error(`${bestPath} is missing`);
  const fresh = new TheModelClass();
  fresh.loadStateDict(await torch.load(bestPath));
  fresh.eval();
  const { accuracy, perClass } = evaluate(fresh, testLoader);
  console.log(`\n${bestPath} (epoch ${best.epoch}) in a fresh model, eval mode: test accuracy ${percent(accuracy)} ` +
    `on ${config.test} images (chance: 10%)`);
  console.log(`per class: ${data.classes.map((name, i) => `${name} ${percent(perClass[i])}`).join(", ")}`);
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s. To train further: ` +
    `npm run demo -- --resume ${join(cli.out, `epoch-${config.epochs}.tar`)} --epochs ${config.epochs + 2}${cli.out === "checkpoints" ? "" : ` --out ${cli.out}`}`);
  return accuracy;
}

if (isMain(import.meta.url)) {
  runDemo(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`demo: ${(error as Error).message}\n(npm run demo -- --help for the options)`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  });
}
