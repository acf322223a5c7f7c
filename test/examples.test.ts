/** Runs every tutorial example (examples/NN-*.ts) in its own process; section 1's output is compared with PyTorch's. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { exampleFiles, runExample } from "../examples/run-all.ts";
import { EXPECTED_OUTPUT } from "../examples/01-state-dict.ts";
import { PYTHON, PYTORCH_SCRIPTS, requireTorch } from "./helpers/pytorch.ts";

test("the examples folder holds the tutorial's sections", () => {
  const files = exampleFiles();
  for (const prefix of ["01-", "02-", "03-", "04-", "05-", "06-", "07-"]) {
    assert.ok(files.some((f) => f.startsWith(prefix)), `missing examples/${prefix}*.ts`);
  }
});

for (const name of exampleFiles()) {
  test(`example ${name} runs and its assertions hold`, () => {
    const result = runExample(name, { quiet: true });
    assert.equal(result.status, 0, `${name} failed:\n${result.stderr}\n${result.stdout}`);
    assert.ok(result.stdout.length > 0, `${name} printed nothing`);
    if (name.startsWith("01-")) assert.equal(result.stdout, `${EXPECTED_OUTPUT.join("\n")}\n`);
  });
}

test("section 1 prints what PyTorch prints for the tutorial's code", (t) => {
  if (!requireTorch(t)) return;
  const python = spawnSync(PYTHON, [join(PYTORCH_SCRIPTS, "tutorial_state_dict.py")], { encoding: "utf8" });
  assert.equal(python.status, 0, python.stderr);
  assert.equal(python.stdout, `${EXPECTED_OUTPUT.join("\n")}\n`);
});
