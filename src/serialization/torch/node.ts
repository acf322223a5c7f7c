/**
 * torch.save / torch.load for Node.js: paths are read by offset (never whole) and written as a stream.
 *
 * ```ts
 * await torch.save(model.stateDict(), "model.pt");
 * model.loadStateDict(await torch.load("model.pt", { mapLocation: "cpu" }));
 * ```
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import { NodeFileSink, NodeFileSource } from "../../io/node-file.ts";
import type { AsyncByteSink, AsyncByteSource, ByteSink, ByteSource } from "../../io/types.ts";
import { type BytesLike, type CheckpointFormat, type LoadOptions, loadFromAsyncSource, loadFromSource, saveToAsyncSink, saveToBytes, saveToSink, toSource } from "./checkpoint.ts";
import { archiveNameFor, type SaveOptions } from "./save.ts";
import { load as loadNeutral, type LoadSource as BrowserLoadSource } from "./browser.ts";

/** Where torch.load reads from: a path, bytes, a Blob, or a byte source. */
export type LoadSource = string | BrowserLoadSource;

/** Where torch.save writes to: a path or a sink. */
export type SaveTarget = string | ByteSink | AsyncByteSink;

/** An AsyncByteSource over a Blob or File (it lives in io/browser.ts; re-exported here for existing imports). */
export { blobSource } from "../../io/browser.ts";

const finalizer = new FinalizationRegistry<NodeFileSource>((source) => source.close());

/**
 * Loads a checkpoint synchronously and returns it with what the file was (zip layout or legacy header).
 * With `lazy`, the file stays open until the returned value is garbage-collected.
 */
export function loadWithFormat(source: string | BytesLike | ByteSource, options: LoadOptions = {}): { value: any; format: CheckpointFormat } {
  if (typeof source !== "string") return loadFromSource(toSource(source), options);
  const file = new NodeFileSource(source);
  let keepOpen = false;
  try {
    const result = loadFromSource(file, options);
    if (options.lazy) {
      keepOpen = true;
      if (typeof result.value === "object" && result.value !== null) finalizer.register(result.value, file);
      else file.close();
    }
    return result;
  } finally {
    if (!keepOpen) file.close();
  }
}

/** `torch.load` synchronously: a path, bytes, or a ByteSource. */
export function loadSync<T = any>(source: string | BytesLike | ByteSource, options: LoadOptions = {}): T {
  return loadWithFormat(source, options).value as T;
}

/** `torch.load`: a path, bytes, a Blob/File (read in ranges), or a ByteSource or AsyncByteSource (`httpRangeSource(url)`). */
export async function load<T = any>(source: LoadSource, options: LoadOptions = {}): Promise<T> {
  if (typeof source !== "string") return loadNeutral<T>(source, options);
  return loadSync<T>(source, options);
}

/** `torch.load` from an asynchronous source (HTTP range reads, browser file handles). */
export function loadAsync<T = any>(source: AsyncByteSource, options: LoadOptions = {}): Promise<T> {
  return loadFromAsyncSource(source, options) as Promise<T>;
}

/** `torch.save` synchronously to a path or a ByteSink. */
export function saveSync(value: unknown, target: string | ByteSink, options: SaveOptions = {}): void {
  if (typeof target !== "string") return saveToSink(value, target, options);
  const sink = new NodeFileSink(target);
  try {
    saveToSink(value, sink, { archiveName: archiveNameFor(target), crc32: zlibCrc32, ...options });
  } finally {
    sink.close();
  }
}

/** `torch.save`: to a path or a sink; without a target, resolves to the file's bytes. */
export async function save(value: unknown, target?: SaveTarget, options: SaveOptions = {}): Promise<Uint8Array | undefined> {
  if (target === undefined) return saveToBytes(value, options);
  if (typeof target === "string") {
    saveSync(value, target, options);
    return undefined;
  }
  await saveToAsyncSink(value, target, options);
  return undefined;
}
