import { crc32 } from "./src/serialization/zip/crc32.ts";
import zlib from "node:zlib";
const b = new Uint8Array(200e6); for (let i = 0; i < b.length; i += 4096) b[i] = i & 255;
for (let r = 0; r < 2; r++) {
let t = performance.now(); const a = crc32(b); const ta = performance.now() - t;
t = performance.now(); const c = zlib.crc32(b); const tc = performance.now() - t;
console.log(a === c, (200e6/1e9/(ta/1e3)).toFixed(2), "GB/s js", (200e6/1e9/(tc/1e3)).toFixed(2), "GB/s zlib");
}
