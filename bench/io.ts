/**
 * torch.save / torch.load speed and memory, tsorch vs PyTorch in the same run, on a state dict of 100 float32 tensors
 * of 2500x1000 (1 GB; keys layer0.weight ... layer99.weight):
 *   (a) save; (b) load into fresh tensors; (c) the tutorial's flow, loading a checkpoint into an existing model
 *   (PyTorch: `model.load_state_dict(torch.load(PATH))`; tsorch: `model.loadStateDict(torch.load(PATH, { lazy: true }))`);
 *   (d) opening the checkpoint and reading one tensor (tsorch: lazily; PyTorch 1.13 has no lazy/mmap load);
 * plus the machine's bound measured the same way: reading the file into a fresh buffer, and into one already touched.
 * Every measurement runs in its own process (so memory peaks do not mix) after a warm-up read of the file (both sides
 * read from the page cache; files live in /dev/shm by default, so saves measure the writers rather than the disk);
 * each is repeated and the best time kept. Peak = the process's RSS high-water mark
 * (VmHWM); "extra" = peak minus the RSS just before the timed operation.
 *
 *   npm run bench:io                       (1000 MB, 3 repeats)
 *   BENCH_IO_MB=100 BENCH_IO_REPEAT=1 npm run bench:io     (or: npm run bench:io -- --mb 100 --repeat 1)
 *   BENCH_IO_DIR=/tmp npm run bench:io                     (or --dir: where the checkpoint files go)
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
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

interface Summary {
  best: number;
  median: number;
  peak: number;
  extra: number;
  note?: string;
}

function summarize(results: Result[]): Summary {
  const times = results.map((r) => r.seconds).sort((a, b) => a - b);
  return {
    best: times[0],
    median: times[times.length >> 1],
    peak: Math.max(...results.map((r) => r.peak)),
    extra: Math.max(...results.map((r) => r.peak - r.rss_before)),
    note: results.find((r) => r.note)?.note,
  };
}

/** Runs each side `repeat` times, alternating tsorch and PyTorch so that a slow spell of the machine hits both. */
function measure(repeat: number, warmPath: string | undefined, ts: () => Result, py?: () => Result): [Summary, Summary | undefined] {
  const a: Result[] = [];
  const b: Result[] = [];
  for (let r = 0; r < repeat; r++) {
    if (warmPath) warm(warmPath);
    a.push(ts());
    if (!py) continue;
    if (warmPath) warm(warmPath);
    b.push(py());
  }
  return [summarize(a), py ? summarize(b) : undefined];
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
  // tmpfs by default: writes then measure the writers, not the disk's writeback (BENCH_IO_DIR to change)
  const base = flag("dir") ?? process.env.BENCH_IO_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
  const dir = mkdtempSync(join(base, "tsorch-bench-io-"));
  const tsPath = join(dir, "ts.pt");
  const pyPath = join(dir, "py.pt");
  const self = fileURLToPath(import.meta.url);
  const ts = (op: string, path: string) => () => run(process.execPath, ["--import", "tsx", self, "--child", op, path, String(TENSORS), String(rows)]);
  const py = (op: string, path: string) => () => run(PYTHON, [join(HERE, "io_pytorch.py"), op, path, String(TENSORS), String(rows), String(COLS)]);
  try {
    const results: [string, Summary, Summary | undefined][] = [];
    results.push(["(a) save", ...measure(repeat, undefined, ts("save", tsPath), py("save", pyPath))]);
    const bytes = statSync(tsPath).size;
    // both sides load the same file (tsorch's); PyTorch's own file is loaded by tsorch as a check
    torch.loadSync(pyPath, { lazy: true });
    results.push(["(b) load into fresh tensors", ...measure(repeat, tsPath, ts("load", tsPath), py("load", tsPath))]);
    results.push(["(c) load into an existing model", ...measure(repeat, tsPath, ts("into_model", tsPath), py("into_model", tsPath))]);
    results.push(["(d) open + read one tensor", ...measure(repeat, tsPath, ts("read_one", tsPath), py("read_one", tsPath))]);
    results.push(["bound: read file, fresh buffer", ...measure(repeat, tsPath, ts("bound_fresh", tsPath))]);
    results.push(["bound: read file, touched buffer", ...measure(repeat, tsPath, ts("bound_touched", tsPath))]);

    const GB = 1e9;
    const MiB = 2 ** 20;
    console.log(`torch.save/torch.load: ${TENSORS} float32 tensors of ${rows}x${COLS} (${(bytes / GB).toFixed(3)} GB file), ${repeat} runs each, alternating sides`);
    console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; PyTorch via ${PYTHON}; files in ${base}`);
    console.log("s = best run (median in brackets); GB/s from the best; peak = RSS high-water mark of the measuring process;");
    console.log("extra = peak - RSS just before the operation; ratio = PyTorch best / tsorch best (> 1: tsorch faster)\n");
    const head = ["operation", "tsorch s", "GB/s", "peak MiB", "extra MiB", "PyTorch s", "GB/s", "peak MiB", "extra MiB", "ratio"];
    const secs = (x: Summary) => `${x.best.toFixed(3)} (${x.median.toFixed(3)})`;
    const rowsOut = results.map(([name, t, p]) => [
      name,
      secs(t), (bytes / GB / t.best).toFixed(2), (t.peak / MiB).toFixed(0), (t.extra / MiB).toFixed(0),
      p ? secs(p) : "", p ? (bytes / GB / p.best).toFixed(2) : "", p ? (p.peak / MiB).toFixed(0) : "", p ? (p.extra / MiB).toFixed(0) : "",
      p ? `${(p.best / t.best).toFixed(2)}x` : "",
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
