/** Runs the `tsorch` command line as a child process (bin/tsorch.mjs), and makes the files the CLI tests use. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasTorch, runPython } from "../helpers/pytorch.ts";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The committed fixtures (copies of shared/fixtures, see test/fixtures/README.md). */
export const FIXTURES = join(ROOT, "test", "fixtures");
const BIN = join(ROOT, "bin", "tsorch.mjs");

/** What a run printed and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tsorch ...args` in `cwd` (default: the repository root). */
export function tsorch(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, maxBuffer: 1 << 26, env: { ...process.env, TSORCH_DEBUG: "" } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `tsorch ...args --json` and parses stdout. */
export async function tsorchJson<T = any>(args: readonly string[], cwd = ROOT): Promise<{ code: number; json: T; stderr: string }> {
  const r = await tsorch([...args, "--json"], cwd);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tsorch-cli-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the PyTorch 1.13 files of test/pytorch/cli_files.py into `dir` (null without torch). */
export function writeTorchFiles(dir: string): { model: Record<string, { dtype: string; shape: number[]; data: number[] }> } | null {
  if (!hasTorch()) return null;
  return runPython("cli_files.py", { dir }, ["write"]);
}

/** The lines of a text, trailing spaces removed. */
export function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trimEnd());
}

/** True when some line matches all the given fragments in order, separated by whitespace runs. */
export function hasLine(text: string, pattern: RegExp): boolean {
  return lines(text).some((l) => pattern.test(l));
}
