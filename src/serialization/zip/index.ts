/** Zip container: stored entries, 64-byte alignment, zip64, CRC-32, as PyTorch writes and reads them. */
export { Crc32, crc32 } from "./crc32.ts";
export { type ZipDirectory, type ZipEntry, decodeEntryName } from "./directory.ts";
export { type WrittenEntry, ZipEncoder, type ZipWriterOptions } from "./encoder.ts";
export { ZipError, type ZipErrorCode } from "./errors.ts";
export { type AsyncInflateFunction, AsyncZipReader, type InflateFunction, ZipReader, type ZipReaderOptions } from "./reader.ts";
export { AsyncZipWriter, type AsyncZipEntryWriter, ZipWriter, type ZipEntryWriter } from "./writer.ts";
export * as zipConstants from "./constants.ts";
