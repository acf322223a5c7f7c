/**
 * The command line's errors: one line naming the file and the problem, hints, exit code 2, never a stack
 * trace; and --help / --version.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as torch from "../../src/index.ts";
import { requireTorch } from "../helpers/pytorch.ts";
import { FIXTURES, ROOT, tempDir, tsorch, writeTorchFiles } from "./helpers.ts";

const tmp = tempDir();
const file = (name: string) => join(tmp.dir, name);
let torchFiles = false;

before(async () => {
  torchFiles = writeTorchFiles(tmp.dir) !== null;
  await torch.save({ w: torch.ones(1000), b: torch.zeros(3) }, file("ts.pt"));
  const zip = readFileSync(file("ts.pt"));
  writeFileSync(file("cut.pt"), zip.subarray(0, zip.length - 200));
  const sf = readFileSync(join(FIXTURES, "safetensors", "f.safetensors"));
  writeFileSync(file("cut.safetensors"), sf.subarray(0, sf.length - 5));
  writeFileSync(file("empty.pt"), new Uint8Array(0));
  writeFileSync(file("notes.txt"), "hello, I am not a checkpoint\n");
  mkdirSync(file("folder.pt"));
});
after(() => tmp.remove());

/** Runs tsorch and checks the common shape of an error: exit 2, no stdout, no stack trace, the message. */
async function expectError(args: string[], message: RegExp, hint?: RegExp): Promise<string> {
  const r = await tsorch(args, tmp.dir);
  assert.equal(r.code, 2, `exit code of tsorch ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, "");
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, "no stack trace");
  assert.match(r.stderr, message);
  if (hint) assert.match(r.stderr, hint);
  return r.stderr;
}

describe("errors", () => {
  it("missing files, folders, empty files, unknown formats", async () => {
    await Promise.all([
      expectError(["inspect", "nope.pt"], /^tsorch inspect: error: nope\.pt: no such file or directory$/m),
      expectError(["inspect", "folder.pt"], /^tsorch inspect: error: folder\.pt: is a directory, not a file$/m),
      expectError(["inspect", "empty.pt"], /^tsorch inspect: error: empty\.pt: the file is empty \(0 bytes\)$/m),
      expectError(["convert", "notes.txt", "x.safetensors"], /^tsorch convert: error: notes\.txt: unknown file format: not a PyTorch checkpoint nor a safetensors file \(it starts with 68 65 6c 6c 6f 2c 20 49 \('hello, I'\)\)$/m, /hint: tsorch reads torch\.save checkpoints/),
    ]);
  });

  it("truncated zip, legacy and safetensors files", async (t) => {
    await expectError(["inspect", "cut.pt"], /^tsorch inspect: error: cut\.pt: corrupt zip archive: /m, /hint: the file looks truncated or corrupt/);
    await expectError(["diff", "ts.pt", "cut.safetensors"], /^tsorch diff: error: cut\.safetensors: invalid safetensors file: tensor 'f': data_offsets \[0, 24\] point past the end/m, /hint: the file looks truncated/);
    if (!requireTorch(t)) return;
    const legacy = readFileSync(file("model_legacy.pt"));
    writeFileSync(file("cut_legacy.pt"), legacy.subarray(0, legacy.length - 1000));
    await expectError(["inspect", "cut_legacy.pt"], /^tsorch inspect: error: cut_legacy\.pt: legacy checkpoint is truncated inside storage '\d+'/m, /hint: the file looks truncated/);
  });

  it("refuses pickles that call anything but tensor rebuilders: GLOBAL os.system", async (t) => {
    if (!requireTorch(t) || !torchFiles) return;
    await Promise.all([["inspect", "evil.pt"], ["diff", "evil.pt", "ts.pt"], ["convert", "evil.pt", "evil.safetensors"]].map((command) =>
      expectError(command, /^tsorch \w+: error: evil\.pt: refused to load the pickle: Unsupported global: GLOBAL os\.system \(module 'os' is blocked: it can run commands on this machine\)$/m, /hint: this file tries to run code when loaded/)));
  });

  it("a whole model of a Python class tsorch does not know", async (t) => {
    if (!requireTorch(t) || !torchFiles) return;
    await expectError(["inspect", "whole_model.pt"], /^tsorch inspect: error: whole_model\.pt: refused to load the pickle: Unsupported global: GLOBAL __main__\.TheModelClass \(the file holds a whole pickled model/m, /hint: in Python, save its state dict and use that file/);
  });

  it("TorchScript archives are not torch.save files", async () => {
    await expectError(["inspect", join(FIXTURES, "tch-rs", "foo.pt")], /error: .*foo\.pt: this is a TorchScript archive \(torch\.jit\.save: it has constants\.pkl\), not a torch\.save checkpoint$/m, /hint: in Python: torch\.save\(torch\.jit\.load\(path\)\.state_dict\(\)/);
  });

  it("usage errors exit 2", async () => {
    await Promise.all([
      expectError(["inspect"], /^tsorch: error: missing required argument 'file'$/m, /add --help for usage/),
      expectError(["frobnicate"], /^tsorch: error: unknown command 'frobnicate'$/m),
      expectError(["inspect", "a.pt", "--bogus"], /^tsorch: error: unknown option '--bogus'$/m),
      expectError(["inspect", join(FIXTURES, "safetensors", "f.safetensors"), "--map-location", "gpu 0"], /invalid --map-location 'gpu 0'/),
    ]);
    const none = await tsorch([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: tsorch \[options\] \[command\]$/m);
  });
});

describe("help and version", () => {
  it("--help on every command, --version", async () => {
    const top = await tsorch(["--help"]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /^Usage: tsorch \[options\] \[command\]$/m);
    for (const command of ["inspect", "diff", "convert"]) assert.match(top.stdout, new RegExp(`^  ${command} \\[options\\]`, "m"));
    assert.match(top.stdout, /Exit codes: 0 success \(diff: no differences\), 1 differences found \(diff\), 2 errors\./);
    await Promise.all([["inspect", "<file>"], ["diff", "<a> <b>"], ["convert", "<in> <out>"]].map(async ([command, usage]) => {
      const r = await tsorch([command, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: tsorch ${command} \\[options\\] ${usage}$`, "m"));
    }));
    const help = await tsorch(["help", "diff"]);
    assert.match(help.stdout, /--atol <x>/);
    const version = await tsorch(["--version"]);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });
});
