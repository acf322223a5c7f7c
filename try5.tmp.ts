import * as torch from "./src/index.ts";
for (const p of ["/tmp/nr.pt", "/tmp/os.pt"]) try { torch.loadSync(p); } catch (e: any) { console.log(e.name, e.code, e.message); }
