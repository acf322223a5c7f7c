/** Platform-neutral byte sources and sinks, and web ones (Blob, fetch); Node backends live in node-file.ts and node-inflate.ts. */
export { type AsyncByteSink, type AsyncByteSource, type ByteSink, type ByteSource, checkReadRange } from "./types.ts";
export { MemorySink, MemorySource } from "./memory.ts";
export { BlobSink, blobSource, type HttpRangeSource, type HttpRangeSourceOptions, type HttpRangeStats, httpRangeSource } from "./browser.ts";
