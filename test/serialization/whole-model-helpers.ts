/** Shared pieces of the whole-model tests: the Python driver (test/pytorch/whole_model.py) and comparisons. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import * as torch from "../../src/index.ts";
import { nn } from "../../src/index.ts";
import { type JsonTensor, assertClose, fromJson, runPython } from "../helpers/pytorch.ts";

/** A temp folder for one test file, removed when it ends. */
export function tempDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tsorch-${tag}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tensor as whole_model.py describes it. */
export interface PyTensorInfo {
  type: string;
  dtype: string;
  shape: number[];
  requires_grad: boolean;
  /** The sha256 of the elements' bytes in row-major order (descriptions with values). */
  sha256?: string;
}

/** One module as whole_model.py describes it (`describe`). */
export interface PyModuleInfo {
  class: string;
  training: boolean;
  keys: string[];
  /** Attribute -> [Python type, repr], for every `__dict__` entry except the three maps. */
  attrs: Record<string, [string, string]>;
  parameters: Record<string, PyTensorInfo | null>;
  buffers: Record<string, PyTensorInfo | null>;
  children: string[];
}

/** Named module ("" is the root, "layer1.0" ...) -> description. */
export type PyDescription = Record<string, PyModuleInfo>;

/** A reply of whole_model.py. */
export interface PyReply {
  describe?: PyDescription;
  output?: JsonTensor;
  outputs?: Record<string, JsonTensor>;
  diffs?: unknown[];
  /** data.pkl as hex (`pickle`). */
  pickle?: string;
}

/** Runs several requests in one Python process. */
export function py(requests: Record<string, unknown>[]): PyReply[] {
  return runPython<PyReply[]>("whole_model.py", requests);
}

/** A description without tensor values and training flags: what a freshly built model must share with a loaded one. */
export function layout(description: PyDescription): PyDescription {
  const strip = (tensors: Record<string, PyTensorInfo | null>) =>
    Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t && { ...t, sha256: undefined }]));
  return Object.fromEntries(Object.entries(description).map(([name, m]) => {
    const { training: _training, ...attrs } = m.attrs;
    return [name, { ...m, training: false, attrs, parameters: strip(m.parameters), buffers: strip(m.buffers) }];
  }));
}

/** Asserts that a tsorch module's parameters and buffers equal (exactly) those Python described, and the training flags. */
export function assertSameTensors(model: nn.Module, description: PyDescription): void {
  const modules = new Map(model.namedModules());
  assert.deepEqual([...modules.keys()].sort(), Object.keys(description).sort(), "module names");
  for (const [name, info] of Object.entries(description)) {
    const module = modules.get(name)!;
    assert.equal(module.training, info.training, `${name}: training`);
    for (const [kind, map] of [["parameters", module._parameters], ["buffers", module._buffers]] as const) {
      const expected = info[kind];
      assert.deepEqual([...map.keys()], Object.keys(expected), `${name}: ${kind}`);
      for (const [key, t] of map) {
        const e = expected[key];
        if (t === null || e === null) {
          assert.equal(t, e, `${name}.${key}`);
          continue;
        }
        assert.equal(t.dtype.name, e.dtype.replace("torch.", ""), `${name}.${key}: dtype`);
        assert.deepEqual([...t.dims], e.shape, `${name}.${key}: shape`);
        assert.equal(t.requiresGrad, e.requires_grad, `${name}.${key}: requires_grad`);
        assert.equal(t instanceof nn.Parameter, e.type === "Parameter", `${name}.${key}: Parameter-ness`);
        assert.equal(sha256(t), e.sha256, `${name}.${key}: values`);
      }
    }
  }
}

/** The sha256 of a tensor's elements' bytes in row-major order (as whole_model.py computes it). */
export function sha256(t: torch.Tensor): string {
  const a = t.toTypedArray();
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

/** Asserts outputs within 1e-5 (absolute, and relative to each element). */
export function assertOutputClose(actual: torch.Tensor, expected: JsonTensor, what: string): void {
  assertClose(actual, fromJson(expected), 1e-5, 1e-5, what);
}

/** The Module-internal Python attributes PyTorch 1.13 writes besides training and the three maps (kept in `_pythonState`). */
export const HOOK_ATTRIBUTES = [
  "_backward_hooks", "_is_full_backward_hook", "_forward_hooks", "_forward_pre_hooks", "_state_dict_hooks",
  "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
];
