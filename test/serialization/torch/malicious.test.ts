/**
 * Malicious checkpoints: data.pkl files that would run code under Python's pickle (os.system, posix.system,
 * builtins.eval/exec, subprocess.Popen, REDUCE over the results of other REDUCEs, functools.partial, torch.load, a
 * persistent id that is not a storage tuple), written by Python's own pickler into proper zip archives. tsorch
 * refuses each with an error naming the global (PyTorch's `Unsupported global: GLOBAL os.system` form), lazily too;
 * a canary file proves nothing ran; PyTorch 1.13's weights_only loader refuses the same files.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe as suite, it } from "node:test";
import * as torch from "../../../src/index.ts";
import { UnpicklingError } from "../../../src/serialization/pickle/index.ts";
import { isDict } from "../../../src/python/dict.ts";
import { hasTorch, requireTorch, runPython } from "../../helpers/pytorch.ts";
import { pyDescribeAll, tempDir } from "./interop.ts";

const dir = tempDir("malicious");
const canary = join(dir, "canary");

/** Each kind and the global the error must name. */
const CORPUS: Record<string, string> = {
  "os.system": "os.system",
  "posix.system": "posix.system",
  real_os_system: "posix.system",
  real_os_system_proto4: "posix.system",
  "builtins.eval": "builtins.eval",
  "builtins.exec": "builtins.exec",
  "subprocess.Popen": "subprocess.Popen",
  nested_reduce: "builtins.getattr",
  inside_state_dict: "os.system",
  apply_via_functools: "functools.partial",
  torch_load_recursion: "torch.load",
  rebuild_from_type_trick: "subprocess.Popen",
  numpy_reconstruct: "numpy.core.multiarray._reconstruct",
};

suite("malicious checkpoints", { skip: !hasTorch() && !process.env.CI && "PyTorch not installed" }, () => {
  let written = false;
  const write = () => {
    if (written) return;
    const kinds = [...Object.keys(CORPUS), "bad_persistent_id", "proto_pollution"];
    runPython("checkpoint_io.py", kinds.map((kind) => ({ cmd: "pickle", kind, canary, path: join(dir, `${kind}.pt`) })));
    runPython("checkpoint_io.py", [{ cmd: "pickle", kind: "bad_persistent_id", canary, path: join(dir, "bad_pid_tuple.pt"), pid_value: ["module", "os", "system"] }]);
    written = true;
  };

  for (const [kind, global] of Object.entries(CORPUS)) {
    it(`${kind}: refused, naming ${global}; nothing ran`, (t) => {
      if (!requireTorch(t)) return;
      write();
      const path = join(dir, `${kind}.pt`);
      for (const lazy of [false, true]) {
        assert.throws(
          () => torch.loadSync(path, { lazy }),
          (error: Error) => {
            assert.ok(error instanceof UnpicklingError || error instanceof torch.CheckpointError, String(error));
            assert.ok(error.message.includes(global), `message does not name ${global}: ${error.message}`);
            return true;
          },
        );
      }
      // PyTorch's wording: "Unsupported global: GLOBAL x.y" or, for os/posix/sys/nt, "... GLOBAL posix.system whose module posix is blocked."
      assert.throws(() => torch.loadSync(path), { message: new RegExp(`GLOBAL ${global.replaceAll(".", "\\.")}\\b`) });
      assert.equal(existsSync(canary), false, "the canary file exists: code ran");
    });
  }

  it("allowing a global with { globals } does not open the blocked modules (os, posix, sys, nt)", (t) => {
    if (!requireTorch(t)) return;
    write();
    const globals = { "os.system": { call: () => "called" }, "posix.system": { call: () => "called" } };
    for (const kind of ["os.system", "real_os_system"]) {
      assert.throws(() => torch.loadSync(join(dir, `${kind}.pt`), { globals }), (e: Error) => /system/.test(e.message));
    }
    assert.equal(existsSync(canary), false);
  });

  it("a persistent id that is not a storage tuple: BAD_PERSISTENT_ID", (t) => {
    if (!requireTorch(t)) return;
    write();
    for (const name of ["bad_persistent_id", "bad_pid_tuple"]) {
      assert.throws(() => torch.loadSync(join(dir, `${name}.pt`)), (e: Error) => e instanceof torch.CheckpointError && e.code === "BAD_PERSISTENT_ID");
    }
  });

  it("'__proto__' keys and attributes load as data, polluting no prototype", (t) => {
    if (!requireTorch(t)) return;
    write();
    const value = torch.loadSync(join(dir, "proto_pollution.pt"));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    assert.ok(value.d instanceof Map && isDict(value.d.get("__proto__")));
    assert.ok(value.od instanceof Map && value.od.has("__proto__"));
    assert.equal(Object.getPrototypeOf(value.od), Map.prototype);
    assert.deepEqual(Object.keys(value.constructor), ["prototype"]);
  });

  it("PyTorch 1.13's weights_only loader refuses the same files", (t) => {
    if (!requireTorch(t)) return;
    write();
    const kinds = Object.keys(CORPUS);
    const results = pyDescribeAll(kinds.map((kind) => ({ path: join(dir, `${kind}.pt`), weights_only: true })));
    results.forEach((r, i) => assert.match(r.error ?? "", /Unsupported|unrecognized|Trying to/, `${kinds[i]}: ${JSON.stringify(r)}`));
    assert.equal(existsSync(canary), false);
  });
});
