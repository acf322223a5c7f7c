/**
 * Locates the shared checkpoint fixtures (real files written by PyTorch; see their README.md):
 * $TSORCH_FIXTURES, else the copies in the repository's test/fixtures (see its README.md for where each came from).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SCRIPTS } from "./python.ts";

const ROOT = resolve(SCRIPTS, "..", "..");
const CANDIDATES = [process.env.TSORCH_FIXTURES, join(ROOT, "test", "fixtures")];

/** The fixtures folder. */
export const FIXTURES: string = CANDIDATES.find((dir): dir is string => !!dir && existsSync(join(dir, "README.md"))) ??
  (() => {
    throw new Error(`checkpoint fixtures not found (looked in ${CANDIDATES.filter(Boolean).join(", ")})`);
  })();

/** Every fixture file (absolute paths, sorted), optionally only those starting with `magic`. */
export function fixtureFiles(magic?: Uint8Array, read?: (path: string) => Uint8Array): string[] {
  const files: string[] = [];
  for (const group of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, group);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) files.push(join(dir, name));
  }
  if (!magic || !read) return files;
  return files.filter((path) => {
    const head = read(path).subarray(0, magic.length);
    return head.length === magic.length && head.every((b, i) => b === magic[i]);
  });
}
