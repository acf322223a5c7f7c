/** Platform-neutral byte sources and sinks (Node backends live in node-file.ts and node-inflate.ts). */
export { type AsyncByteSink, type AsyncByteSource, type ByteSink, type ByteSource, checkReadRange } from "./types.ts";
export { MemorySink, MemorySource } from "./memory.ts";
