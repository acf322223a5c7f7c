/** Small helpers shared by the examples: run `main` when a file is executed directly, and temporary folders. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** True when the module at `metaUrl` is the script node was started with (`tsx examples/02-...ts`). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/** Runs `main` if the module at `metaUrl` was started directly; a failure prints the error and exits with 1. */
export function runIfMain(metaUrl: string, main: () => unknown): void {
  if (!isMain(metaUrl)) return;
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}

/** Calls `fn` with a new temporary folder and removes the folder afterwards. */
export async function withTempDir<T>(name: string, fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `tsorch-${name}-`));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
