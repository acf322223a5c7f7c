/**
 * torch.load / torch.save over byte sources and sinks, independent of the platform: detects the container
 * (zip or legacy stream) from the first bytes and dispatches.
 */
import { MemorySink, MemorySource } from "../../io/memory.ts";
import type { AsyncByteSink, AsyncByteSource, ByteSink, ByteSource } from "../../io/types.ts";
import { loadLegacyCheckpoint, type LegacyLayout } from "./legacy.ts";
import { type SaveOptions, writeCheckpoint, writeCheckpointAsync } from "./save.ts";
import { loadZipCheckpoint, loadZipCheckpointAsync, type ZipLayout, type ZipLoadOptions } from "./zip-checkpoint.ts";
import { CheckpointError } from "./errors.ts";

/** Options of torch.load. */
export interface LoadOptions extends ZipLoadOptions {}

/** What kind of file a checkpoint was, for inspection. */
export type CheckpointFormat = { kind: "zip"; layout: ZipLayout } | { kind: "legacy"; layout: LegacyLayout };

/** Bytes in any of the forms users hold them. */
export type BytesLike = Uint8Array | ArrayBuffer;

/** A synchronous source from bytes or a ByteSource. */
export function toSource(input: BytesLike | ByteSource): ByteSource {
  if (input instanceof Uint8Array) return new MemorySource(input);
  if (input instanceof ArrayBuffer) return new MemorySource(new Uint8Array(input));
  return input;
}

/** A local file header (`PK\x03\x04`), or the (zip64) end record of an empty archive (`PK\x06\x06`, `PK\x05\x06`). */
function isZip(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b) return false;
  return (head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06) || (head[2] === 0x06 && head[3] === 0x06);
}

function checkNotEmpty(size: number): void {
  if (size === 0) throw new CheckpointError("NOT_A_CHECKPOINT", "the file is empty (0 bytes); expected a PyTorch checkpoint");
}

/** Loads a checkpoint from a synchronous source, returning the value and what the file was. */
export function loadFromSource(source: ByteSource, options: LoadOptions = {}): { value: unknown; format: CheckpointFormat } {
  checkNotEmpty(source.size);
  if (isZip(source.read(0, Math.min(4, source.size)))) {
    const { value, layout } = loadZipCheckpoint(source, options);
    return { value, format: { kind: "zip", layout } };
  }
  const { value, layout } = loadLegacyCheckpoint(source, options);
  return { value, format: { kind: "legacy", layout } };
}

/** Loads a checkpoint from an asynchronous source (a Blob); legacy files are read whole first. */
export async function loadFromAsyncSource(source: AsyncByteSource, options: LoadOptions = {}): Promise<unknown> {
  checkNotEmpty(source.size);
  const head = await source.read(0, Math.min(4, source.size));
  if (isZip(head)) return (await loadZipCheckpointAsync(source, options)).value;
  const all = await source.read(0, source.size);
  return loadLegacyCheckpoint(new MemorySource(all), options).value;
}

/** Saves to a synchronous sink. */
export function saveToSink(value: unknown, sink: ByteSink, options: SaveOptions = {}): void {
  writeCheckpoint(value, sink, options);
}

/** Saves to an asynchronous sink. */
export function saveToAsyncSink(value: unknown, sink: AsyncByteSink, options: SaveOptions = {}): Promise<void> {
  return writeCheckpointAsync(value, sink, options);
}

/** The bytes of a checkpoint of `value` (archive folder `archive`, as torch.save to a buffer). */
export function saveToBytes(value: unknown, options: SaveOptions = {}): Uint8Array {
  const sink = new MemorySink();
  writeCheckpoint(value, sink, options);
  return sink.bytes();
}
