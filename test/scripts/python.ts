/**
 * Runs the stdlib-only Python scripts of this folder (pickle and zipfile oracles) with CPython 3
 * (`python3` on PATH, or $TSORCH_STDLIB_PYTHON). Input goes as JSON on stdin; output is JSON.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The interpreter used for stdlib oracles (no torch needed). */
export const STDLIB_PYTHON = process.env.TSORCH_STDLIB_PYTHON ?? "python3";
/** This folder. */
export const SCRIPTS = dirname(fileURLToPath(import.meta.url));

/** Runs `script` (a file in test/scripts) with `args`, JSON `input` on stdin; parses JSON stdout. */
export function runScript<T = unknown>(script: string, args: string[] = [], input: unknown = null): T {
  const result = spawnSync(STDLIB_PYTHON, [join(SCRIPTS, script), ...args], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Hex of bytes (for passing pickles to Python). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Bytes of hex. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}
