import * as torch from "./src/index.ts";
import { MemorySink } from "./src/io/memory.ts";
import { ZipWriter } from "./src/serialization/zip/index.ts";
const sink = new MemorySink(); const z = new ZipWriter(sink); z.finish();
try { torch.loadSync(sink.bytes()); } catch (e: any) { console.log(e.name, e.code, e.message); }
for (const s of ["hello, this is not a checkpoint", ""]) try { torch.loadSync(new TextEncoder().encode(s+"xxxxxxxxx")); } catch (e: any) { console.log(e.name, e.code, e.message); }
import { readFileSync } from "node:fs";
try { torch.loadSync(readFileSync("test/fixtures/safetensors/f.safetensors")); } catch (e: any) { console.log(e.name, e.code, e.message); }
const b = torch.serialization.saveToBytes({a: torch.ones(3)});
for (const n of [10, 100, b.length-30, b.length-1]) try { torch.loadSync(b.subarray(0,n)); } catch (e: any) { console.log(n, e.name, e.code, e.message); }
