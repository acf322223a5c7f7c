import * as torch from "./src/index.ts";
import { nn } from "./src/index.ts";
import { readFileSync } from "node:fs";
const st = (f: string) => Number(readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(f + ":"))!.split(/\s+/)[1]) / 1024;
class Big extends nn.Module { constructor() { super(); for (let i = 0; i < 100; i++) this.addModule(`layer${i}`, new nn.Linear(1000, 250, { bias: false })); } }
let t0 = performance.now();
const m = new Big();
console.log("model", (performance.now() - t0).toFixed(1), "rss", st("VmRSS"));
t0 = performance.now();
const lazy = torch.loadSync("/tmp/x.pt", { lazy: true });
const t1 = performance.now();
m.loadStateDict(lazy);
const t2 = performance.now();
console.log("open", (t1 - t0).toFixed(1), "loadStateDict", (t2 - t1).toFixed(1), "rss", st("VmRSS"), "hwm", st("VmHWM"));
