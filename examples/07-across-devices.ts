/**
 * Tutorial section 7, "Saving & Loading Model Across Devices". tsorch computes on the CPU, so the part that
 * matters most is the first one: a checkpoint saved on a GPU (its storages say `cuda:0`) loads with
 * `mapLocation: "cpu"`. Then: `model.to(...)` converts in place and keeps each Parameter object, so an
 * optimizer built earlier still holds them, and `optimizer.loadStateDict` casts the saved state to follow its
 * parameters; and a model built on the `meta` device (shapes only, no memory) is materialised by
 * `loadStateDict(sd, { assign: true })`.
 *
 * examples/data/cuda-checkpoint.tar was written by real PyTorch (examples/data/make_cuda_checkpoint.py),
 * with every tensor's values in cuda-checkpoint.json.
 *
 * Run: npx tsx examples/07-across-devices.ts
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.ts";
import { F, nn, optim } from "../src/index.ts";
import { runIfMain } from "./helpers.ts";

const CHECKPOINT = fileURLToPath(new URL("./data/cuda-checkpoint.tar", import.meta.url));
const EXPECTED_JSON = fileURLToPath(new URL("./data/cuda-checkpoint.json", import.meta.url));

interface Expected {
  epoch: number;
  loss: number;
  model_state_dict: Record<string, { dtype: string; shape: number[]; data: number[] }>;
  momentum_buffers: number[][];
  inputs: number[];
  eval_logits: number[];
}

/** The model of make_cuda_checkpoint.py. */
class SmallModel extends nn.Module {
  fc1: nn.Linear;
  bn: nn.BatchNorm1d;
  fc2: nn.Linear;

  constructor(factory: nn.FactoryOptions = {}) {
    super();
    this.fc1 = new nn.Linear(4, 8, factory);
    this.bn = new nn.BatchNorm1d(8, factory);
    this.fc2 = new nn.Linear(8, 3, factory);
  }

  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(F.relu(this.bn.forward(this.fc1.forward(x))));
  }
}

function values(t: torch.Tensor): number[] {
  return Array.from(t.contiguous().toTypedArray() as ArrayLike<number | bigint>, Number);
}

/** Runs the section. */
export async function main(): Promise<void> {
  const expected = JSON.parse(readFileSync(EXPECTED_JSON, "utf8")) as Expected;
  const inputs = torch.tensor(expected.inputs).view(16, 4);

  // ---- Save on GPU, load on CPU --------------------------------------------------------------------
  await assert.rejects(torch.load(CHECKPOINT), (error: Error) => {
    console.log("torch.load(PATH) ->", error.message);
    return error instanceof torch.CheckpointError &&
      error.message.startsWith("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False.");
  });
  const locations = new Set<string>();
  const checkpoint = await torch.load(CHECKPOINT, {
    mapLocation: (_storage, location) => {
      locations.add(location);
      return "cpu";
    },
  });
  console.log("storage locations in the file:", [...locations].join(", "));
  assert.deepEqual([...locations], ["cuda:0"]);
  // The usual spellings: a device for everything, or a table from saved location to device.
  const viaString = await torch.load(CHECKPOINT, { mapLocation: "cpu" });
  const viaTable = await torch.load(CHECKPOINT, { mapLocation: { "cuda:0": "cpu" } });
  const viaDevice = await torch.load(CHECKPOINT, { mapLocation: new torch.Device("cpu") });
  for (const other of [viaString, viaTable, viaDevice]) {
    assert.ok(other.model_state_dict["fc1.weight"].equal(checkpoint.model_state_dict["fc1.weight"]));
  }
  // There is no CUDA here, so mapping onto it fails the same way.
  await assert.rejects(torch.load(CHECKPOINT, { mapLocation: "cuda:0" }), /torch.cuda.is_available\(\) is False/);

  const model = new SmallModel();
  model.loadStateDict(checkpoint.model_state_dict);
  for (const [key, tensor] of Object.entries(model.stateDict())) {
    const want = expected.model_state_dict[key];
    assert.equal(`torch.${tensor.dtype.name}`, want.dtype, key);
    assert.deepEqual(values(tensor), want.data, key); // bit for bit
    assert.equal(String(tensor.device), "cpu");
  }
  assert.equal(checkpoint.epoch, expected.epoch);
  assert.equal(checkpoint.loss, expected.loss);
  model.eval();
  const logits = torch.noGrad(() => model.forward(inputs));
  assert.ok(logits.allclose(torch.tensor(expected.eval_logits).view(16, 3), { atol: 1e-6 }));
  console.log(`loaded with mapLocation "cpu": epoch ${checkpoint.epoch}, loss ${checkpoint.loss.toFixed(4)}; eval logits match PyTorch's`);

  // ---- model.to(...) converts in place; tensor.to(...) returns a copy --------------------------------
  // On a CUDA machine this is `model.to(device)`; tsorch holds data on cpu (and meta), so a dtype shows it.
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  optimizer.loadStateDict(checkpoint.optimizer_state_dict);
  const paramsBefore = model.parameters();
  const weight = model.fc1.weight;
  const converted = weight.to("float64");
  assert.ok(converted !== weight && weight.dtype === torch.float32, "tensor.to returns a new tensor");
  assert.equal(model.to("float64"), model, "module.to works in place and returns the module");
  assert.ok(model.parameters().every((p, i) => p === paramsBefore[i]), "the same Parameter objects");
  assert.equal(model.fc1.weight.dtype, torch.float64);
  assert.equal(model.bn.num_batches_tracked!.dtype, torch.int64, "integer buffers keep their dtype");
  console.log("model.to(\"float64\"): parameters now", String(model.fc1.weight.dtype), "- the same objects the optimizer holds");

  // The optimizer built before the conversion still updates the model (its momentum buffers, float32 from the
  // file, accumulate the float64 gradients in place, as in PyTorch).
  model.train();
  const labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], { dtype: "int64" });
  const weightBefore = model.fc1.weight.clone();
  const step = (opt: optim.Optimizer): number => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(inputs.double()), labels);
    loss.backward();
    opt.step();
    return loss.item() as number;
  };
  const loss1 = step(optimizer);
  assert.ok(Number.isFinite(loss1) && !model.fc1.weight.equal(weightBefore));
  console.log(`a step with the earlier optimizer: loss ${loss1.toFixed(4)}, weights updated`);

  // A new optimizer loading the saved state casts it to follow the parameters (float64 here; on a GPU, the device).
  const optimizer2 = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  optimizer2.loadStateDict(checkpoint.optimizer_state_dict);
  const buffer = (optimizer2.state.get(model.fc1.weight) as { momentum_buffer: torch.Tensor }).momentum_buffer;
  assert.equal(buffer.dtype, torch.float64);
  assert.deepEqual(values(buffer), expected.momentum_buffers[0]);
  console.log("optimizer.loadStateDict: momentum buffers cast to", String(buffer.dtype), "to follow their parameters");
  assert.ok(Number.isFinite(step(optimizer2)));

  // ---- Build on the meta device, materialise with assign ---------------------------------------------------
  const metaModel = new SmallModel({ device: "meta" });
  assert.ok(metaModel.parameters().every((p) => p.isMeta));
  console.log("\nbuilt on meta:", String(metaModel.fc1.weight.device), "(shapes only, no memory)");
  const sd = checkpoint.model_state_dict;
  assert.throws(() => metaModel.loadStateDict(sd), (error: Error) => {
    console.log("metaModel.loadStateDict(sd) ->", error.message.split("\n")[1].trim());
    return /Did you mean to pass `assign=True`/.test(error.message);
  });
  const metaWeight = metaModel.fc1.weight;
  console.log("metaModel.loadStateDict(sd, { assign: true }) ->", String(metaModel.loadStateDict(sd, { assign: true })));
  assert.ok(metaModel.fc1.weight !== metaWeight, "assign replaces the Parameter objects: build optimizers afterwards");
  assert.ok(metaModel.fc1.weight instanceof nn.Parameter && metaModel.fc1.weight.requiresGrad);
  assert.ok(metaModel.parameters().every((p) => !p.isMeta) && metaModel.buffers().every((b) => !b.isMeta));
  metaModel.eval();
  const metaLogits = torch.noGrad(() => metaModel.forward(inputs));
  assert.ok(metaLogits.allclose(logits, { atol: 0 }));
  console.log("materialised on", String(metaModel.fc1.weight.device), "- same eval logits as PyTorch's");
  const metaOptimizer = new optim.SGD(metaModel.parameters(), { lr: 0.1 });
  metaModel.train();
  metaOptimizer.zeroGrad();
  F.crossEntropy(metaModel.forward(inputs), labels).backward();
  metaOptimizer.step();
}

runIfMain(import.meta.url, main);
