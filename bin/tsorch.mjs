#!/usr/bin/env node
// The `tsorch` command: runs src/cli/main.ts through tsx's loader (registered for this process only).
import { register } from "tsx/esm/api";

register();
const { run } = await import("../src/cli/main.ts");
process.exitCode = await run(process.argv.slice(2));
