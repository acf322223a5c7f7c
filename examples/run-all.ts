/**
 * Runs every tutorial example (`examples/NN-*.ts`) in order, each in its own Node process, and reports which
 * passed. `npm run examples` runs them all; `npm run examples -- 04 06` only those whose name contains 04 or 06.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "./helpers.ts";

/** Folder of the examples. */
export const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url));

/** The example files (`01-state-dict.ts`, ...), in tutorial order. */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((name) => /^\d\d-.*\.ts$/.test(name)).sort();
}

/** Runs one example in a child process; returns its exit status and output. */
export function runExample(name: string, options: { quiet?: boolean } = {}): { status: number; stdout: string; stderr: string; seconds: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, ["--import", "tsx", join(EXAMPLES_DIR, name)], {
    encoding: "utf8",
    stdio: options.quiet ? "pipe" : ["ignore", "inherit", "inherit"],
    maxBuffer: 1 << 26,
  });
  return {
    status: result.status ?? 1,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? (result.error ? String(result.error) : ""),
    seconds: (performance.now() - start) / 1000,
  };
}

function main(): void {
  const filters = process.argv.slice(2);
  const files = exampleFiles().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  if (files.length === 0) {
    console.error(`no example matched ${filters.join(", ")}`);
    process.exit(1);
  }
  const failed: string[] = [];
  const summary: string[] = [];
  for (const name of files) {
    console.log(`\n=== ${name} ${"=".repeat(Math.max(0, 70 - name.length))}`);
    const { status, seconds } = runExample(name);
    if (status !== 0) failed.push(name);
    summary.push(`${status === 0 ? "ok  " : "FAIL"}  ${name}  (${seconds.toFixed(1)} s)`);
  }
  console.log(`\n${summary.join("\n")}`);
  console.log(failed.length === 0 ? `\nall ${files.length} examples passed` : `\n${failed.length} of ${files.length} examples failed: ${failed.join(", ")}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

if (isMain(import.meta.url)) main();
