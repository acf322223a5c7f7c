/** loadStateDict and registration: results and error texts compared character for character with PyTorch 1.13. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.ts";
import * as nn from "../../src/nn/index.ts";
import { requireTorch, runPython } from "../helpers/pytorch.ts";
import { TheModelClass } from "./models.ts";

type Scenario = () => string;

/** `str(e)` as the Python script prints it: `RuntimeError: Error(s) in ...`. */
function describe(e: unknown): string {
  if (e instanceof nn.NNError) return `${e.pythonType}: ${e.message}`;
  throw e;
}

function load(model: nn.Module, sd: nn.StateDictLike, strict = true): string {
  try {
    return model.loadStateDict(sd, { strict }).toString();
  } catch (e) {
    return describe(e);
  }
}

function attempt(fn: () => unknown): string {
  try {
    fn();
    return "no error";
  } catch (e) {
    return describe(e);
  }
}

const tutorialSd = (): Record<string, unknown> => new TheModelClass().stateDict();

function missingUnexpected(strict: boolean): string {
  const sd = tutorialSd();
  delete sd["fc3.weight"];
  delete sd["fc3.bias"];
  sd["fc4.weight"] = torch.zeros(3);
  return load(new TheModelClass(), sd, strict);
}

function sizeMismatch(strict: boolean): string {
  const sd = tutorialSd();
  sd["fc1.weight"] = torch.zeros(100, 400);
  sd["conv1.bias"] = torch.zeros(7);
  return load(new TheModelClass(), sd, strict);
}

function everything(): string {
  const sd = tutorialSd();
  delete sd["conv2.bias"];
  sd["fc1.weight"] = torch.zeros(100, 400);
  sd["fc2.bias"] = 3;
  sd["extra"] = torch.zeros(1);
  sd["fc3.weight.extra"] = torch.zeros(1);
  return load(new TheModelClass(), sd);
}

function notTensor(value: unknown): string {
  const sd = tutorialSd();
  sd["fc1.bias"] = value;
  return load(new TheModelClass(), sd, false);
}

const bnModel = (): nn.Sequential => new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
const counter = (m: nn.Sequential): number => Number((m.at(1) as nn.BatchNorm1d).num_batches_tracked?.item());

function bnVersion(version: number | null, drop: boolean): string {
  const model = bnModel();
  let sd: Record<string, unknown> = model.stateDict();
  if (drop) delete sd["1.num_batches_tracked"];
  if (version === null) sd = { ...sd };
  else nn.getStateDictMetadata(sd)?.set("1", { version });
  (model.at(1) as nn.BatchNorm1d).num_batches_tracked?.fill_(7);
  const result = load(model, sd);
  return `${result} nbt=${counter(model)}`;
}

function scalarCompat(): string {
  const model = bnModel();
  const sd: Record<string, unknown> = model.stateDict();
  sd["1.num_batches_tracked"] = torch.tensor([5]);
  const result = load(model, sd);
  return `${result} nbt=${counter(model)}`;
}

function metaSource(): string {
  const sd = tutorialSd();
  sd["fc1.bias"] = torch.zeros(120).to("meta");
  return load(new TheModelClass(), sd);
}

const SCENARIOS: Record<string, Scenario> = {
  "missing/unexpected strict": () => missingUnexpected(true),
  "missing/unexpected non-strict": () => missingUnexpected(false),
  "size mismatch strict": () => sizeMismatch(true),
  "size mismatch non-strict": () => sizeMismatch(false),
  everything,
  "int value": () => notTensor(3),
  "float value": () => notTensor(1.5),
  "list value": () => notTensor([1.0]),
  "str value": () => notTensor("x"),
  "None value": () => notTensor(null),
  "dict value": () => notTensor({}),
  "bn version 1 without counter": () => bnVersion(1, true),
  "bn no metadata without counter": () => bnVersion(null, true),
  "bn version 2 without counter": () => bnVersion(2, true),
  "bn version 1 with counter": () => bnVersion(1, false),
  "1-d into 0-d": scalarCompat,
  "meta source": metaSource,
  "not a dict": () => load(new TheModelClass(), [1, 2] as unknown as nn.StateDictLike),
  "all matched": () => load(new TheModelClass(), tutorialSd()),
};

function registration(): Record<string, string> {
  const m = new TheModelClass();
  m.registerBuffer("buf", torch.zeros(2));
  const set = (target: object, name: string, value: unknown) => () => Reflect.set(target, name, value);
  return {
    "assign tensor to param": attempt(set(m.fc1, "weight", torch.zeros(2))),
    "assign tensor to module": attempt(set(m, "fc1", torch.zeros(2))),
    "assign int to buffer": attempt(set(m, "buf", 3)),
    "buffer exists": attempt(() => m.registerBuffer("fc1", torch.zeros(2))),
    "buffer dot": attempt(() => m.registerBuffer("a.b", torch.zeros(2))),
    "buffer empty": attempt(() => m.registerBuffer("", torch.zeros(2))),
    "buffer not tensor": attempt(() => m.registerBuffer("x", 3 as unknown as torch.Tensor)),
    "param not parameter": attempt(() => m.registerParameter("x", torch.zeros(2) as nn.Parameter)),
    "param exists": attempt(() => m.registerParameter("conv1", null)),
    "param non-leaf": attempt(() => m.registerParameter("y", new nn.Parameter(torch.ones(1)).mul(2) as nn.Parameter)),
    "module dot": attempt(() => m.addModule("fc1.x", null)),
    "module not module": attempt(() => m.addModule("z", 3 as unknown as nn.Module)),
    "module empty": attempt(() => m.addModule("", null)),
    "submodule missing": attempt(() => m.getSubmodule("fc1.x")),
    "submodule not module": attempt(() => m.getSubmodule("fc1.weight")),
    "parameter missing": attempt(() => m.getParameter("fc1.x")),
    "parameter is buffer": attempt(() => m.getParameter("buf")),
    "parameter is module": attempt(() => m.getParameter("fc1")),
    "buffer is parameter": attempt(() => m.getBuffer("fc1.weight")),
    "train not bool": attempt(() => m.train(1 as unknown as boolean)),
    "to int dtype": attempt(() => m.to(torch.int64)),
    "forward missing": attempt(() => new nn.Module().call(1)),
    "bn2d 3d input": attempt(() => new nn.BatchNorm2d(3).call(torch.zeros(2, 3, 4))),
    "bn1d 4d input": attempt(() => new nn.BatchNorm1d(3).call(torch.zeros(2, 3, 4, 4))),
    "conv groups": attempt(() => new nn.Conv2d(3, 6, 3, { groups: 2 })),
    "conv same strided": attempt(() => new nn.Conv2d(3, 6, 3, { stride: 2, padding: "same" })),
    "dropout p": attempt(() => new nn.Dropout(1.5)),
    "sequential index": attempt(() => new nn.Sequential(new nn.ReLU()).at(3)),
    "modulelist index": attempt(() => new nn.ModuleList([new nn.ReLU()]).at(-2)),
  };
}

test("loadStateDict results and error messages are PyTorch's, character for character", async (t) => {
  if (!requireTorch(t)) return;
  const expected = runPython<Record<string, string>>("nn_load_errors.py", Object.keys(SCENARIOS));
  for (const [name, run] of Object.entries(SCENARIOS)) {
    await t.test(name, () => assert.equal(run(), expected[name]));
  }
  await t.test("registration, lookup and input errors", () => {
    assert.deepEqual(registration(), expected.registration as unknown as Record<string, string>);
  });
});

test("loadStateDict errors are typed and carry the key lists", () => {
  const sd: Record<string, unknown> = new TheModelClass().stateDict();
  delete sd["fc3.bias"];
  sd["fc4.weight"] = torch.zeros(1);
  const model = new TheModelClass();
  assert.throws(() => model.loadStateDict(sd), (e: unknown) => {
    assert.ok(e instanceof nn.LoadStateDictError);
    assert.equal(e.code, "ERR_NN_LOAD_STATE_DICT");
    assert.deepEqual(e.missingKeys, ["fc3.bias"]);
    assert.deepEqual(e.unexpectedKeys, ["fc4.weight"]);
    return true;
  });
  const result = model.loadStateDict(sd, { strict: false });
  assert.deepEqual(result.missingKeys, ["fc3.bias"]);
  assert.deepEqual(result.unexpectedKeys, ["fc4.weight"]);
  assert.equal(String(result), "_IncompatibleKeys(missing_keys=['fc3.bias'], unexpected_keys=['fc4.weight'])");
});

test("loading into a meta model without assign is refused (PyTorch 2.x warns, 1.13 silently does nothing)", () => {
  const model = new TheModelClass().to("meta");
  assert.throws(() => model.loadStateDict(new TheModelClass().stateDict()), {
    message: /^Error\(s\) in loading state_dict for TheModelClass:\n\tfor conv1\.weight: copying from a non-meta parameter in the checkpoint to a meta parameter in the current model, which is a no-op\. \(Did you mean to pass `assign=True`/,
  });
});

test("a Map state dict loads like a plain object", () => {
  const source = new TheModelClass();
  const target = new TheModelClass();
  const map = new Map(Object.entries(source.stateDict()));
  assert.equal(String(target.loadStateDict(map)), "<All keys matched successfully>");
  assert.ok(target.fc2.weight.equal(source.fc2.weight));
});
