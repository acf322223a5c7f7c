/**
 * Byte sources and sinks over web platform objects: Blobs/Files (read by range with `blob.slice()`), HTTP
 * resources (read by range with `fetch` and `Range` headers), and a sink that collects a Blob. They use only
 * web APIs, so they also work in Node.js >= 20 (which has Blob and fetch), but the browser build is what
 * needs them. Range requests: https://httpwg.org/specs/rfc9110.html#range.requests
 */
import type { AsyncByteSink, AsyncByteSource } from "./types.ts";
import { checkReadRange } from "./types.ts";

/** Copies `bytes` into `into` (when given) and returns the filled view, else returns `bytes`. */
function deliver(bytes: Uint8Array, length: number, into?: Uint8Array): Uint8Array {
  if (!into) return bytes;
  const target = into.subarray(0, length);
  target.set(bytes);
  return target;
}

/**
 * An AsyncByteSource over a Blob or File: each read is `blob.slice(offset, offset + length).arrayBuffer()`,
 * so only the bytes asked for are read (a File picked in the browser is never read whole).
 *
 * ```ts
 * const source = blobSource(input.files[0]);
 * const head = await source.read(0, 4);
 * ```
 */
export function blobSource(blob: Blob): AsyncByteSource {
  return {
    size: blob.size,
    async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
      checkReadRange(blob.size, offset, length, into);
      const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (bytes.length !== length) throw new RangeError(`Blob read(${offset}, ${length}) returned ${bytes.length} bytes`);
      return deliver(bytes, length, into);
    },
  };
}

/** Options of `httpRangeSource`. */
export interface HttpRangeSourceOptions {
  /** Extra request headers (authorization, for example); `Range` is set per read. */
  headers?: Record<string, string>;
  /** Passed on to every `fetch` (credentials, mode, cache, signal, ...). */
  init?: Omit<RequestInit, "headers" | "method">;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * Reads shorter than this are served from an aligned block of this many bytes, fetched once and kept
   * (zip headers sit right before their data, so a small record comes with its header). Default 16 KiB;
   * 0 turns blocks and caching off.
   */
  blockSize?: number;
  /** Bytes of fetched blocks and small reads (up to 128 KiB each) kept for later reads. Default 4 MiB. */
  cacheBytes?: number;
}

/** Statistics of an HTTP range source: how much was asked of the server. */
export interface HttpRangeStats {
  /** Range requests sent (the size probe included). */
  requests: number;
  /** Body bytes received. */
  bytesReceived: number;
}

/** An AsyncByteSource reading an HTTP resource by range requests. */
export interface HttpRangeSource extends AsyncByteSource {
  /** The resource. */
  readonly url: string;
  /** Requests and bytes so far. */
  readonly stats: HttpRangeStats;
}

/** The total size from a `Content-Range: bytes a-b/total` header, or undefined. */
function totalFromContentRange(value: string | null): number | undefined {
  const match = value ? /^bytes\s+(?:\d+-\d+|\*)\/(\d+)\s*$/i.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

/** Fails on a response that is not the 206 Partial Content asked for, cancelling any body. */
async function expectPartial(response: Response, url: string, range: string): Promise<void> {
  if (response.status === 206) return;
  await response.body?.cancel().catch(() => {});
  if (response.status === 200) {
    throw new Error(
      `${url}: the server ignored "Range: ${range}" and sent the whole resource (200); it does not support range requests. ` +
        `Download it instead: torch.load(await (await fetch(url)).blob())`,
    );
  }
  throw new Error(`${url}: range request "${range}" failed with HTTP ${response.status} ${response.statusText}`.trimEnd());
}

/**
 * Opens an HTTP(S) resource as an AsyncByteSource read with `Range` requests, so `torch.load` of a remote
 * checkpoint fetches only the zip directory, the pickle and the storages (and safetensors with `filter`
 * only the tensors chosen), never a whole-file copy. The server must answer ranges with 206; cross-origin,
 * it must also expose `Content-Range` (`Access-Control-Expose-Headers: Content-Range`) or answer `HEAD`
 * with `Content-Length`.
 *
 * ```ts
 * const source = await httpRangeSource("https://example.com/model.pt");
 * const stateDict = await torch.load(source);
 * ```
 */
export async function httpRangeSource(url: string | URL, options: HttpRangeSourceOptions = {}): Promise<HttpRangeSource> {
  const href = String(url);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const blockSize = options.blockSize ?? 1 << 14;
  const cacheBytes = blockSize > 0 ? options.cacheBytes ?? 1 << 22 : 0;
  const stats: HttpRangeStats = { requests: 0, bytesReceived: 0 };

  async function fetchRange(start: number, end: number): Promise<{ bytes: Uint8Array; response: Response }> {
    const range = `bytes=${start}-${end - 1}`;
    stats.requests++;
    const response = await doFetch(href, { ...options.init, method: "GET", headers: { ...options.headers, Range: range } });
    await expectPartial(response, href, range);
    const bytes = new Uint8Array(await response.arrayBuffer());
    stats.bytesReceived += bytes.length;
    return { bytes, response };
  }

  // Probe: the first block (kept for the reads that follow), whose Content-Range carries the size; HEAD's
  // Content-Length when that header is hidden. An empty resource answers 416 with `bytes */0`.
  let probe: { bytes: Uint8Array; response: Response };
  try {
    probe = await fetchRange(0, Math.max(1, blockSize));
  } catch (error) {
    const head = await doFetch(href, { ...options.init, method: "HEAD", headers: options.headers });
    if (head.ok && head.headers.get("Content-Length") === "0") probe = { bytes: new Uint8Array(0), response: head };
    else throw error;
  }
  let size = probe.bytes.length === 0 ? 0 : totalFromContentRange(probe.response.headers.get("Content-Range"));
  if (size === undefined) {
    const head = await doFetch(href, { ...options.init, method: "HEAD", headers: options.headers });
    const length = head.headers.get("Content-Length");
    if (!head.ok || length === null) {
      throw new Error(`${href}: cannot tell the size (no readable Content-Range on a range response, no Content-Length on HEAD)`);
    }
    size = Number(length);
  }
  const total = size;

  // Fetched spans kept for later reads, least recently used first (the end-of-archive search, zip headers).
  type Span = { start: number; end: number; bytes: Promise<Uint8Array> };
  let spans: Span[] = [];
  let cached = 0;
  function keep(span: Span): void {
    spans.push(span);
    cached += span.end - span.start;
    span.bytes.catch(() => {
      if (!spans.includes(span)) return;
      spans = spans.filter((s) => s !== span);
      cached -= span.end - span.start;
    });
    while (cached > cacheBytes && spans.length > 1) {
      const old = spans.shift()!;
      cached -= old.end - old.start;
    }
  }
  function cachedSpan(offset: number, length: number): Span | undefined {
    const at = spans.findIndex((s) => s.start <= offset && offset + length <= s.end);
    if (at < 0) return undefined;
    const [span] = spans.splice(at, 1);
    spans.push(span);
    return span;
  }
  function fetchSpan(start: number, end: number): Span {
    return { start, end, bytes: fetchRange(start, end).then((r) => r.bytes) };
  }
  async function serve(span: Span, offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const bytes = await span.bytes;
    const at = offset - span.start;
    if (at + length > bytes.length) throw new RangeError(`${href}: range read(${offset}, ${length}) got ${bytes.length - at} bytes`);
    return deliver(bytes.subarray(at, at + length), length, into);
  }

  if (cacheBytes > 0 && probe.bytes.length > 0) keep({ start: 0, end: probe.bytes.length, bytes: Promise.resolve(probe.bytes) });

  return {
    url: href,
    size: total,
    stats,
    async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
      checkReadRange(total, offset, length, into);
      if (length === 0) return into ? into.subarray(0, 0) : new Uint8Array(0);
      const hit = cacheBytes > 0 ? cachedSpan(offset, length) : undefined;
      if (hit) return serve(hit, offset, length, into);
      if (length < blockSize) {
        const start = Math.floor(offset / blockSize) * blockSize;
        const span = fetchSpan(start, Math.min(total, Math.ceil((offset + length) / blockSize) * blockSize));
        keep(span);
        return serve(span, offset, length, into);
      }
      if (cacheBytes > 0 && length <= 1 << 17) {
        const span = fetchSpan(offset, offset + length);
        keep(span);
        return serve(span, offset, length, into);
      }
      const { bytes } = await fetchRange(offset, offset + length);
      if (bytes.length !== length) throw new RangeError(`${href}: range read(${offset}, ${length}) returned ${bytes.length} bytes`);
      return deliver(bytes, length, into);
    },
  };
}

/**
 * An AsyncByteSink that collects what is written and hands it back as a Blob (for a download link).
 *
 * ```ts
 * const sink = new BlobSink();
 * await torch.save(model.stateDict(), sink);
 * const url = URL.createObjectURL(sink.blob());
 * ```
 */
export class BlobSink implements AsyncByteSink {
  private readonly parts: Uint8Array<ArrayBuffer>[] = [];
  private length = 0;

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  /** Keeps a copy of `bytes`. */
  write(bytes: Uint8Array): void {
    this.parts.push(bytes.slice());
    this.length += bytes.length;
  }

  /** A Blob of everything written so far. */
  blob(type = "application/octet-stream"): Blob {
    return new Blob(this.parts, { type });
  }
}
