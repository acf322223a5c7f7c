/**
 * torch.save / torch.load for the browser (and any platform without a file system): bytes, Blobs/Files,
 * HTTP range sources and sinks; no paths. Same names and signatures as node.ts, which package.json's
 * `browser` export condition swaps this file for.
 *
 * ```ts
 * const stateDict = await torch.load(fileInput.files[0]);
 * const blob = torch.saveToBlob(model.stateDict());
 * ```
 */
import { blobSource } from "../../io/browser.ts";
import type { AsyncByteSink, AsyncByteSource, ByteSink, ByteSource } from "../../io/types.ts";
import { type BytesLike, type CheckpointFormat, type LoadOptions, loadFromAsyncSource, loadFromSource, saveToAsyncSink, saveToBytes, saveToSink, toSource } from "./checkpoint.ts";
import type { SaveOptions } from "./save.ts";

export { blobSource };

/** Where torch.load reads from in the browser: bytes, a Blob or File, or a (sync or async) byte source. */
export type LoadSource = BytesLike | Blob | ByteSource | AsyncByteSource;

/** Where torch.save writes to in the browser: a sink (sync or async). */
export type SaveTarget = ByteSink | AsyncByteSink;

/** The error for a path given where there is no file system. */
export function pathsNeedNode(what: string, path: string): TypeError {
  return new TypeError(`${what}(${JSON.stringify(path)}): paths need Node.js; pass a Blob, File, ArrayBuffer or Uint8Array`);
}

function rejectPath(what: string, value: unknown): void {
  if (typeof value === "string") throw pathsNeedNode(what, value);
}

const isBytes = (value: unknown): value is BytesLike => value instanceof Uint8Array || value instanceof ArrayBuffer;
const isBlob = (value: unknown): value is Blob => typeof Blob !== "undefined" && value instanceof Blob;
const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";

/** Loads a checkpoint synchronously from bytes or a ByteSource, with what the file was (zip layout or legacy header). */
export function loadWithFormat(source: BytesLike | ByteSource, options: LoadOptions = {}): { value: any; format: CheckpointFormat } {
  rejectPath("torch.loadWithFormat", source);
  return loadFromSource(toSource(source), options);
}

/** `torch.load` synchronously: bytes or a ByteSource. */
export function loadSync<T = any>(source: BytesLike | ByteSource, options: LoadOptions = {}): T {
  rejectPath("torch.loadSync", source);
  return loadFromSource(toSource(source), options).value as T;
}

/**
 * `torch.load`: bytes, a Blob or File (read by ranges, never whole), or a byte source such as
 * `httpRangeSource(url)`. A ByteSource whose reads return bytes (not promises) is read synchronously.
 */
export async function load<T = any>(source: LoadSource, options: LoadOptions = {}): Promise<T> {
  rejectPath("torch.load", source);
  if (isBytes(source)) return loadSync<T>(source, options);
  if (isBlob(source)) return (await loadFromAsyncSource(blobSource(source), options)) as T;
  if (typeof source !== "object" || source === null || typeof (source as ByteSource).read !== "function") {
    throw new TypeError(`torch.load: expected a Blob, File, ArrayBuffer, Uint8Array or byte source, got ${source === null ? "null" : typeof source}`);
  }
  if (source.size > 0) {
    const probe = source.read(0, 1);
    if (!isPromiseLike(probe)) return loadSync<T>(source as ByteSource, options);
    await probe;
  }
  return (await loadFromAsyncSource(source as AsyncByteSource, options)) as T;
}

/** `torch.load` from an asynchronous source (HTTP range reads, file handles) or a Blob. */
export function loadAsync<T = any>(source: AsyncByteSource | Blob, options: LoadOptions = {}): Promise<T> {
  rejectPath("torch.loadAsync", source);
  return loadFromAsyncSource(isBlob(source) ? blobSource(source) : source, options) as Promise<T>;
}

/** `torch.save` synchronously to a ByteSink. */
export function saveSync(value: unknown, target: ByteSink, options: SaveOptions = {}): void {
  rejectPath("torch.saveSync", target);
  saveToSink(value, target, options);
}

/** `torch.save`: to a sink; without a target, resolves to the file's bytes. */
export async function save(value: unknown, target?: SaveTarget, options: SaveOptions = {}): Promise<Uint8Array | undefined> {
  if (target === undefined) return saveToBytes(value, options);
  rejectPath("torch.save", target);
  await saveToAsyncSink(value, target, options);
  return undefined;
}

/**
 * `torch.save` into a Blob (for a download link or an upload).
 *
 * ```ts
 * const a = document.createElement("a");
 * a.href = URL.createObjectURL(torch.saveToBlob(model.stateDict()));
 * a.download = "model.pt";
 * a.click();
 * ```
 */
export function saveToBlob(value: unknown, options: SaveOptions = {}): Blob {
  const bytes = saveToBytes(value, options) as Uint8Array<ArrayBuffer>;
  return new Blob([bytes], { type: "application/octet-stream" });
}
