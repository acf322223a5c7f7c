import { MemorySink } from "./src/io/memory.ts";
import { ZipWriter } from "./src/serialization/zip/index.ts";
const sink = new MemorySink(); const z = new ZipWriter(sink); z.finish();
console.log(Buffer.from(sink.bytes()).toString("hex"));
