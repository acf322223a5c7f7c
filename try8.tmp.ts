import * as torch from "./src/index.ts";
import { nn } from "./src/index.ts";
const sd: Record<string, torch.Tensor> = {};
for (let i = 0; i < 100; i++) sd[`layer${i}.weight`] = torch.full([250, 1000], i + 1, { dtype: torch.float32 });
torch.saveSync(sd, "/tmp/x.pt");
class Big extends nn.Module { constructor() { super(); for (let i = 0; i < 100; i++) this.addModule(`layer${i}`, new nn.Linear(1000, 250, { bias: false })); } }
const m = new Big();
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  const lazy = torch.loadSync("/tmp/x.pt", { lazy: true });
  const t1 = performance.now();
  m.loadStateDict(lazy);
  const t2 = performance.now();
  const params = m.stateDict() as any;
  for (const [k, v] of Object.entries(lazy)) (v as any).copyInto(params[k]);
  const t3 = performance.now();
  console.log("open", (t1 - t0).toFixed(1), "loadStateDict", (t2 - t1).toFixed(1), "copyInto loop", (t3 - t2).toFixed(1));
}
