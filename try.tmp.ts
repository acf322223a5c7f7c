import { runPython } from "./test/helpers/pytorch.ts";
import * as torch from "./src/index.ts";
import { describe } from "./test/helpers/describe.ts";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const dir = mkdtempSync(join(tmpdir(), "tsorch-"));
const cases = ["dtypes","views","values","parameters","checkpoint_sgd","checkpoint_adam","multi","state_dict","tensor","complex","meta"];
for (const legacy of [false, true]) {
  const expected = runPython<Record<string, any>>("checkpoint_io.py", { cmd: "save", dir, cases, legacy });
  for (const c of cases) {
    const path = join(dir, c + (legacy ? ".legacy.pt" : ".pt"));
    try {
      const v = await torch.load(path);
      assert.deepEqual(describe(v), expected[c]);
      console.log("OK", c, legacy);
    } catch (e) { console.log("FAIL", c, legacy, String(e).slice(0, 1500)); }
  }
}
