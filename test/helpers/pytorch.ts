/**
 * Runs real PyTorch (Debian's python3-torch, /usr/bin/python3) as the oracle for parity tests.
 * Without torch a parity test skips locally and fails under CI=true.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import * as torch from "../../src/index.ts";

/** The interpreter that has torch. */
export const PYTHON = process.env.TSORCH_PYTHON ?? "/usr/bin/python3";
/** Folder of the Python scripts that drive PyTorch. */
export const PYTORCH_SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "..", "pytorch");

let cached: boolean | undefined;
/** True when `import torch` works with PYTHON. */
export function hasTorch(): boolean {
  cached ??= spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  return cached;
}

/** Returns false (and skips the test) when torch is missing locally; throws under CI. */
export function requireTorch(t: TestContext): boolean {
  if (hasTorch()) return true;
  if (process.env.CI) throw new Error(`PyTorch is required for parity tests under CI (${PYTHON} cannot import torch)`);
  t.skip("PyTorch not installed (apt-get install -y python3-torch)");
  return false;
}

/**
 * Runs a Python script file from test/pytorch/ (or inline code) with `input` as JSON on stdin, and parses the
 * JSON it prints on stdout.
 */
export function runPython<T = unknown>(script: string, input: unknown = null, args: string[] = []): T {
  const isFile = script.endsWith(".py") && !script.includes("\n");
  const argv = isFile ? [join(PYTORCH_SCRIPTS, script), ...args] : ["-c", script, ...args];
  const res = spawnSync(PYTHON, argv, {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, PYTHONPATH: PYTORCH_SCRIPTS, OMP_NUM_THREADS: "1" },
  });
  if (res.status !== 0) throw new Error(`python failed (${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

/** A tensor in the JSON form the Python side reads (`common.py`: from_json / to_json). */
export interface JsonTensor {
  dtype: string;
  shape: number[];
  data: (number | boolean | string)[];
}

/** Encodes a tensor for Python (NaN/Infinity as strings). */
export function toJson(t: torch.Tensor): JsonTensor {
  const values = Array.from(t.toArray(), (v) => (Number.isFinite(v) ? v : String(v)));
  return { dtype: t.dtype.name, shape: [...t.dims], data: t.dtype.name === "bool" ? values.map((v) => v !== 0) : values };
}

/** Decodes a tensor from Python's JSON form. */
export function fromJson(j: JsonTensor): torch.Tensor {
  const values = j.data.map((v) => (typeof v === "string" ? Number(v) : Number(v)));
  return torch.tensor(values, { dtype: j.dtype }).reshape(j.shape);
}

/** Asserts two tensors have equal shape and values within rtol/atol (relative to max(|expected|)). */
export function assertClose(actual: torch.Tensor, expected: torch.Tensor, rtol = 1e-5, atol = 1e-6, what = "tensor"): void {
  if (!actual.shape.equals(expected.dims)) {
    throw new Error(`${what}: shape ${actual.shape} != expected ${expected.shape}`);
  }
  const a = actual.toArray();
  const e = expected.toArray();
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (err > worst || Number.isNaN(a[i]) !== Number.isNaN(e[i])) {
      worst = err;
      at = i;
    }
  }
  if (at >= 0) throw new Error(`${what}: element ${at} is ${a[at]}, expected ${e[at]} (rtol ${rtol}, atol ${atol})`);
}
