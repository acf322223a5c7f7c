/**
 * The test page of test/browser/chromium.test.ts: runs in Chromium against the bundle
 * (/tsorch.browser.js, built from src/browser.ts) and puts its checks on `window.tsorchTest`, which the test
 * calls with `page.evaluate`. Results are plain JSON (numbers in arrays), compared in Node.
 *
 * Before the bundle loads, WebAssembly.Module/Instance are wrapped to count compiled modules and calls to
 * each exported kernel, so the test can tell the SIMD kernels ran (cross-origin isolated page) or that the
 * plain TypeScript fallback did (page without SharedArrayBuffer).
 */
import type * as Torch from "../../src/browser.ts";

type TorchModule = typeof Torch;
type Tensor = Torch.Tensor;

/** What the wasm wrappers saw. */
const wasm = { modules: 0, instances: 0, errors: [] as string[], calls: {} as Record<string, number> };

WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct(target, args) {
    try {
      const module = Reflect.construct(target, args) as WebAssembly.Module;
      wasm.modules++;
      return module;
    } catch (error) {
      wasm.errors.push(String(error));
      throw error;
    }
  },
});

WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args) {
    const instance = Reflect.construct(target, args) as WebAssembly.Instance;
    wasm.instances++;
    const exports: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(instance.exports)) {
      if (typeof value !== "function") {
        exports[name] = value;
        continue;
      }
      exports[name] = (...a: unknown[]) => {
        wasm.calls[name] = (wasm.calls[name] ?? 0) + 1;
        return (value as (...args: unknown[]) => unknown)(...a);
      };
    }
    return { exports };
  },
});

const torch = (await import(new URL("/tsorch.browser.js", location.href).href)) as TorchModule;
const { nn, optim, F } = torch;

/** The model of PyTorch's "Saving and loading models" tutorial. */
class TheModelClass extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  override forward(x: Tensor): Tensor {
    x = this.pool.call(F.relu(this.conv1.call(x)));
    x = this.pool.call(F.relu(this.conv2.call(x)));
    x = x.view(-1, 16 * 5 * 5);
    x = F.relu(this.fc1.call(x));
    x = F.relu(this.fc2.call(x));
    return this.fc3.call(x);
  }
}

const values = (t: Tensor): number[] => Array.from(t.toArray());
const labels = () => torch.tensor([1, 2, 3, 4], { dtype: "int64" });

function trainStep(model: TheModelClass, optimizer: Torch.optim.Optimizer, x: Tensor, y: Tensor): number {
  const loss = F.crossEntropy(model.call(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return Number(loss.item());
}

function evalOutput(model: TheModelClass, x: Tensor): number[] {
  model.eval();
  return values(torch.noGrad(() => model.call(x)));
}

/** True when two state dicts have the same keys (in the same order, unless `anyOrder`) and values. */
function sameStateDicts(a: Record<string, Tensor>, b: Record<string, Tensor>, anyOrder = false): boolean {
  const keys = Object.keys(a);
  const order = (k: string[]) => (anyOrder ? [...k].sort() : k).join();
  if (order(keys) !== order(Object.keys(b))) return false;
  return keys.every((k) => {
    const x = a[k].toArray();
    const y = b[k].toArray();
    return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function errorOf(f: () => unknown): Promise<string> {
  try {
    await f();
    return "no error";
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

/** What a loaded general checkpoint holds, summarised for comparison with PyTorch. */
function summarise(checkpoint: Record<string, any>, input: number[]) {
  const model = new TheModelClass();
  const result = model.loadStateDict(checkpoint.model_state_dict);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.5 });
  optimizer.loadStateDict(checkpoint.optimizer_state_dict);
  const momentum: Record<string, number> = {};
  for (const [k, v] of optimizer.stateDict().state) momentum[String(k)] = sum(v.momentum_buffer as Tensor);
  const sums: Record<string, number> = {};
  for (const [k, v] of Object.entries(model.stateDict() as Record<string, Tensor>)) sums[k] = sum(v);
  return {
    missing: result.missingKeys,
    unexpected: result.unexpectedKeys,
    epoch: Number(checkpoint.epoch),
    loss: Number(checkpoint.loss),
    lr: Number(optimizer.paramGroups[0].lr),
    sums,
    momentum,
    output: evalOutput(model, torch.tensor(input).reshape(2, 3, 32, 32)),
  };
}

function sum(t: Tensor): number {
  let s = 0;
  for (const v of t.toArray()) s += v;
  return s;
}

const api = {
  /** Where the page runs. */
  environment() {
    return {
      userAgent: navigator.userAgent,
      crossOriginIsolated: self.crossOriginIsolated,
      sharedArrayBuffer: typeof SharedArrayBuffer !== "undefined",
      exports: Object.keys(torch).length,
    };
  },

  /** Train a step, torch.save to bytes / a Blob / a sink, torch.load from a File, resume, and compare. */
  async trainSaveLoad() {
    torch.manualSeed(0);
    const model = new TheModelClass();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = torch.randn(4, 3, 32, 32);
    const loss = trainStep(model, optimizer, x, labels());
    const checkpoint = { epoch: 1, model_state_dict: model.stateDict(), optimizer_state_dict: optimizer.stateDict(), loss };
    const bytes = (await torch.save(checkpoint)) as Uint8Array<ArrayBuffer>;
    const file = new File([bytes], "checkpoint.tar", { type: "application/octet-stream" });
    const sink = new torch.BlobSink();
    await torch.save(checkpoint, sink);
    const syncChunks: Uint8Array[] = [];
    torch.saveSync(checkpoint, { write: (b) => void syncChunks.push(b.slice()) });
    const syncBytes = new Uint8Array(await new Blob(syncChunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
    const blobBytes = new Uint8Array(await torch.saveToBlob(checkpoint).arrayBuffer());

    const loaded = await torch.load(file);
    const resumed = new TheModelClass();
    resumed.loadStateDict(loaded.model_state_dict);
    const resumedOptimizer = new optim.SGD(resumed.parameters(), { lr: 0.5 });
    resumedOptimizer.loadStateDict(loaded.optimizer_state_dict);

    const xEval = torch.randn(2, 3, 32, 32);
    const output = evalOutput(model, xEval);
    const resumedOutput = evalOutput(resumed, xEval);
    const outputEqual = output.every((v, i) => Object.is(v, resumedOutput[i]));
    // One more step on each: resuming from the file gives the same parameters as not stopping.
    model.train();
    resumed.train();
    const x2 = torch.randn(4, 3, 32, 32);
    trainStep(model, optimizer, x2, labels());
    trainStep(resumed, resumedOptimizer, x2, labels());
    return {
      size: bytes.length,
      checkpoint: base64(bytes),
      input: values(xEval),
      output,
      loss,
      loadedEpoch: loaded.epoch,
      loadedLoss: Number(loaded.loss),
      outputEqual,
      resumedEqual: sameStateDicts(model.stateDict() as Record<string, Tensor>, resumed.stateDict() as Record<string, Tensor>),
      resumedLr: Number(resumedOptimizer.paramGroups[0].lr),
      blobEqual: sameBytes(blobBytes, bytes),
      sinkEqual: sameBytes(new Uint8Array(await sink.blob().arrayBuffer()), bytes),
      syncEqual: sameBytes(syncBytes, bytes),
      loadSyncEpoch: torch.loadSync(bytes).epoch,
      pathError: await errorOf(() => torch.load("model.pt" as never)),
      savePathError: await errorOf(() => torch.save(checkpoint, "model.pt" as never)),
    };
  },

  /** Load PyTorch's checkpoints: a picked File, fetch -> Blob, HTTP range requests, and the legacy format via bytes. */
  async loadPytorch(args: { zipUrl: string; legacyUrl: string; input: number[] }) {
    const picked = (document.getElementById("file") as HTMLInputElement).files?.[0];
    const blob = await (await fetch(args.zipUrl)).blob();
    const source = await torch.httpRangeSource(args.zipUrl);
    const fromRange = await torch.load(source);
    const legacyBytes = await (await fetch(args.legacyUrl)).arrayBuffer();
    return {
      file: picked ? { name: picked.name, ...summarise(await torch.load(picked), args.input) } : null,
      blob: summarise(await torch.load(blob), args.input),
      range: { ...summarise(fromRange, args.input), size: source.size, stats: { ...source.stats } },
      legacy: summarise(await torch.load(legacyBytes), args.input),
      legacyBlob: summarise(await torch.load(new Blob([legacyBytes])), args.input),
    };
  },

  /** safetensors: one tensor of a served file by range requests, and a round trip through a Blob. */
  async safetensors(args: { url: string; name: string }) {
    const source = await torch.httpRangeSource(args.url, { blockSize: 0 });
    const { tensors } = await torch.safetensors.loadSafetensorsAsync(source, { filter: (n) => n === args.name });
    torch.manualSeed(3);
    const model = new TheModelClass();
    const bytes = torch.safetensors.saveSafetensors(model.stateDict() as Record<string, Tensor>, { metadata: { format: "pt" } }) as Uint8Array<ArrayBuffer>;
    const back = await torch.safetensors.loadSafetensorsAsync(new Blob([bytes]));
    const sync = torch.safetensors.loadSafetensors(bytes);
    return {
      names: Object.keys(tensors),
      sum: sum(tensors[args.name]),
      shape: [...tensors[args.name].dims],
      size: source.size,
      bytesReceived: source.stats.bytesReceived,
      // safetensors orders tensors by dtype and name, not as the state dict does
      roundTrip: sameStateDicts(back.tensors, model.stateDict() as Record<string, Tensor>, true) && sameStateDicts(sync.tensors, back.tensors),
      metadata: back.metadata,
      pathError: await errorOf(() => torch.safetensors.loadSafetensors("model.safetensors" as never)),
    };
  },

  /** A forward and backward pass big enough for the wasm kernels, and what the wasm wrappers saw. */
  kernels() {
    torch.manualSeed(1);
    const model = new TheModelClass();
    const x = torch.randn(8, 3, 32, 32);
    const out = model.call(x);
    F.crossEntropy(out, torch.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "int64" })).backward();
    const product = torch.matmul(torch.randn(64, 96), torch.randn(96, 80));
    return {
      output: values(out),
      grad: values(model.conv1.weight.grad!),
      product: values(product),
      wasm: { ...wasm, calls: { ...wasm.calls } },
    };
  },
};

/** The checks the test calls. */
export type PageApi = typeof api;

declare global {
  interface Window {
    tsorchTest?: PageApi;
  }
}

window.tsorchTest = api;
