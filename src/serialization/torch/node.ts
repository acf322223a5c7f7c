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

/** Where torch.load reads from: a path, bytes, or a byte source. */
export type LoadSource = string | BytesLike | ByteSource | Blob;

/** Where torch.save writes to: a path or a sink. */
export type SaveTarget = string | ByteSink | AsyncByteSink;

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
    if (options.lazy && result.format.kind === "zip") {
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

/** `torch.load`: a path, bytes, a ByteSource, or a Blob/File (read in ranges). */
export async function load<T = any>(source: LoadSource, options: LoadOptions = {}): Promise<T> {
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    return (await loadFromAsyncSource(blobSource(source), options)) as T;
  }
  return loadSync<T>(source as string | BytesLike | ByteSource, options);
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

/** An AsyncByteSource over a Blob or File (browser or Node >= 20). */
export function blobSource(blob: Blob): AsyncByteSource {
  return {
    size: blob.size,
    async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
      const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (bytes.length !== length) throw new RangeError(`Blob read(${offset}, ${length}) returned ${bytes.length} bytes`);
      if (!into) return bytes;
      into.set(bytes);
      return into.subarray(0, length);
    },
  };
}
