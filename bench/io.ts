/**
 * torch.save / torch.load speed and memory, tsorch vs PyTorch in the same run, on a state dict of 100 float32 tensors
 * of 2500x1000 (1 GB; keys layer0.weight ... layer99.weight):
 *   (a) save; (b) load into fresh tensors; (c) the tutorial's flow, loading a checkpoint into an existing model
 *   (PyTorch: `model.load_state_dict(torch.load(PATH))`; tsorch: `model.loadStateDict(torch.load(PATH, { lazy: true }))`);
 *   (d) opening the checkpoint and reading one tensor (tsorch: lazily; PyTorch 1.13 has no lazy/mmap load);
 * plus the machine's bound measured the same way: reading the file into a fresh buffer, and into one already touched.
 * Every measurement runs in its own process (so memory peaks do not mix) after a warm-up read of the file (both sides
 * read from the page cache); each is repeated and the best time kept. Peak = the process's RSS high-water mark
 * (VmHWM); "extra" = peak minus the RSS just before the timed operation.
 *
 *   npm run bench:io                       (1000 MB, 3 repeats)
 *   BENCH_IO_MB=100 BENCH_IO_REPEAT=1 npm run bench:io     (or: npm run bench:io -- --mb 100 --repeat 1)
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.ts";
import { nn } from "../src/index.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.TSORCH_PYTHON ?? "/usr/bin/python3";
const TENSORS = 100;
const COLS = 1000;

interface Result {
  seconds: number;
  rss_before: number;
  peak: number;
  note?: string;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function status(field: string): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} in /proc/self/status`);
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** Reads a whole file into `into` with positioned reads of at most 1 GiB. */
function readInto(path: string, into: Uint8Array): void {
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < into.length) {
      const n = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), done);
      if (n === 0) throw new Error("short read");
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The model of (c): TENSORS Linear(COLS, rows, bias=False) layers named layer<i>. */
class Big extends nn.Module {
  constructor(n: number, rows: number) {
    super();
    for (let i = 0; i < n; i++) this.addModule(`layer${i}`, new nn.Linear(COLS, rows, { bias: false }));
  }
}

/** Loads a lazy state dict into a model: loadStateDict when it accepts LazyTensors, else copyInto per key. */
function loadLazy(model: nn.Module, lazy: Record<string, torch.LazyTensor>): string | undefined {
  try {
    model.loadStateDict(lazy as never);
    return undefined;
  } catch (error) {
    const params = model.stateDict() as Record<string, torch.Tensor>;
    for (const [key, value] of Object.entries(lazy)) value.copyInto(params[key]);
    return `loadStateDict does not take LazyTensors yet (${(error as Error).message.slice(0, 60)}...): lazy.copyInto(param) per key`;
  }
}

/** One tsorch measurement (run in a child process). */
function child(op: string, path: string, n: number, rows: number): Result {
  let before: number;
  let start: number;
  let note: string | undefined;
  switch (op) {
    case "save": {
      const sd: Record<string, torch.Tensor> = {};
      for (let i = 0; i < n; i++) sd[`layer${i}.weight`] = torch.full([rows, COLS], i + 1, { dtype: torch.float32 });
      before = status("VmRSS");
      start = performance.now();
      torch.saveSync(sd, path);
      break;
    }
    case "load": {
      before = status("VmRSS");
      start = performance.now();
      const sd = torch.loadSync(path);
      if (sd[`layer${n - 1}.weight`].shape[0] !== rows) throw new Error("bad load");
      break;
    }
    case "into_model": {
      const model = new Big(n, rows);
      before = status("VmRSS");
      start = performance.now();
      note = loadLazy(model, torch.loadSync(path, { lazy: true }));
      break;
    }
    case "read_one": {
      before = status("VmRSS");
      start = performance.now();
      const t = torch.loadSync(path, { lazy: true })[`layer${n >> 1}.weight`].materialize();
      if (t.shape[0] !== rows) throw new Error("bad load");
      break;
    }
    case "bound_fresh": {
      before = status("VmRSS");
      start = performance.now();
      readInto(path, new Uint8Array(statSync(path).size));
      break;
    }
    case "bound_touched": {
      const buffer = new Uint8Array(statSync(path).size).fill(1);
      before = status("VmRSS");
      start = performance.now();
      readInto(path, buffer);
      break;
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
  return { seconds: (performance.now() - start) / 1000, rss_before: before, peak: status("VmHWM"), note };
}

function run(command: string, args: string[]): Result {
  const res = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").pop()!) as Result;
}

function warm(path: string): void {
  readInto(path, new Uint8Array(statSync(path).size)); // page cache, not timed
}

function best(repeat: number, path: string | undefined, once: () => Result): Result {
  let result: Result | undefined;
  for (let r = 0; r < repeat; r++) {
    if (path) warm(path);
    const next = once();
    if (!result || next.seconds < result.seconds) result = { ...next, peak: Math.max(next.peak, result?.peak ?? 0) };
  }
  return result!;
}

function main(): void {
  if (process.argv[2] === "--child") {
    const [, , , op, path, n, rows] = process.argv;
    console.log(JSON.stringify(child(op, path, Number(n), Number(rows))));
    return;
  }
  const mb = Number(flag("mb") ?? process.env.BENCH_IO_MB ?? 1000);
  const repeat = Number(flag("repeat") ?? process.env.BENCH_IO_REPEAT ?? 3);
  const rows = Math.max(1, Math.round((mb * 1e6) / (TENSORS * COLS * 4)));
  const dir = mkdtempSync(join(tmpdir(), "tsorch-bench-io-"));
  const tsPath = join(dir, "ts.pt");
  const pyPath = join(dir, "py.pt");
  const self = fileURLToPath(import.meta.url);
  const ts = (op: string, path: string) => () => run(process.execPath, ["--import", "tsx", self, "--child", op, path, String(TENSORS), String(rows)]);
  const py = (op: string, path: string) => () => run(PYTHON, [join(HERE, "io_pytorch.py"), op, path, String(TENSORS), String(rows), String(COLS)]);
  try {
    const results: [string, Result, Result | undefined][] = [];
    results.push(["(a) save", best(repeat, undefined, ts("save", tsPath)), best(repeat, undefined, py("save", pyPath))]);
    const bytes = statSync(tsPath).size;
    // both sides load the same file (tsorch's); PyTorch's own file is loaded by tsorch as a check
    torch.loadSync(pyPath, { lazy: true });
    results.push(["(b) load into fresh tensors", best(repeat, tsPath, ts("load", tsPath)), best(repeat, tsPath, py("load", tsPath))]);
    results.push(["(c) load into an existing model", best(repeat, tsPath, ts("into_model", tsPath)), best(repeat, tsPath, py("into_model", tsPath))]);
    results.push(["(d) open + read one tensor", best(repeat, tsPath, ts("read_one", tsPath)), best(repeat, tsPath, py("read_one", tsPath))]);
    results.push(["bound: read file, fresh buffer", best(repeat, tsPath, ts("bound_fresh", tsPath)), undefined]);
    results.push(["bound: read file, touched buffer", best(repeat, tsPath, ts("bound_touched", tsPath)), undefined]);

    const GB = 1e9;
    const MiB = 2 ** 20;
    console.log(`torch.save/torch.load: ${TENSORS} float32 tensors of ${rows}x${COLS} (${(bytes / GB).toFixed(3)} GB file), best of ${repeat}`);
    console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; PyTorch via ${PYTHON}`);
    console.log("peak = RSS high-water mark of the measuring process; extra = peak - RSS just before the operation\n");
    const head = ["operation", "tsorch s", "GB/s", "peak MiB", "extra MiB", "PyTorch s", "GB/s", "peak MiB", "extra MiB", "PyTorch/tsorch"];
    const rowsOut = results.map(([name, t, p]) => [
      name,
      t.seconds.toFixed(3), (bytes / GB / t.seconds).toFixed(2), (t.peak / MiB).toFixed(0), ((t.peak - t.rss_before) / MiB).toFixed(0),
      p ? p.seconds.toFixed(3) : "", p ? (bytes / GB / p.seconds).toFixed(2) : "", p ? (p.peak / MiB).toFixed(0) : "", p ? ((p.peak - p.rss_before) / MiB).toFixed(0) : "",
      p ? `${(p.seconds / t.seconds).toFixed(2)}x` : "",
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rowsOut.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    console.log(line(head));
    for (const r of rowsOut) console.log(line(r));
    const notes = results.map(([, t]) => t.note).filter(Boolean);
    if (notes.length) console.log(`\nnote: ${notes[0]}`);
    console.log("\n(d) reads one tensor of the file; its GB/s is file size / time, for comparison only.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
