import * as torch from "./src/index.ts";
const sd: Record<string, torch.Tensor> = {};
for (let i = 0; i < 100; i++) sd[`layer${i}.weight`] = torch.full([250, 1000], i + 1, { dtype: torch.float32 });
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  torch.saveSync(sd, "/tmp/x.pt");
  console.log("save", (performance.now() - t0).toFixed(0), "ms");
}
