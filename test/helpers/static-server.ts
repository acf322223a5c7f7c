/**
 * A loopback HTTP server for tests: serves fixed files from memory on 127.0.0.1 (random port), answers
 * single-range requests with 206 (RFC 9110), and logs every request so a test can count bytes served.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One file the server can send. */
export interface ServedFile {
  body: Uint8Array | string;
  /** Content-Type. */
  type: string;
  /** Extra response headers (COOP/COEP, for example). */
  headers?: Record<string, string>;
  /** Honour Range requests (default true); false answers them with the whole body and 200. */
  ranges?: boolean;
}

/** What the server did for one request. */
export interface RequestRecord {
  method: string;
  path: string;
  range: string | undefined;
  status: number;
  /** Body bytes sent. */
  bytes: number;
}

/** A running server. */
export interface StaticServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every request so far. */
  log: RequestRecord[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** `[start, end)` of `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`, null when unsatisfiable, undefined when not one byte range. */
function parseRange(header: string, size: number): [number, number] | null | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size : Math.min(size, Number(match[2]) + 1);
  }
  return start < end && start < size ? [start, end] : null;
}

/** Starts a server for `files` (path -> file; a function is asked per request). */
export async function startStaticServer(files: Record<string, ServedFile> | ((path: string) => ServedFile | undefined)): Promise<StaticServer> {
  const lookup = typeof files === "function" ? files : (path: string) => (Object.hasOwn(files, path) ? files[path] : undefined);
  const log: RequestRecord[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const range = req.headers.range;
    const record: RequestRecord = { method: req.method ?? "GET", path, range, status: 200, bytes: 0 };
    log.push(record);
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array) => {
      record.status = status;
      res.writeHead(status, { "Cache-Control": "no-store", ...headers });
      if (body && req.method !== "HEAD") {
        record.bytes = body.length;
        res.end(body);
      } else {
        res.end();
      }
    };
    const file = lookup(path);
    if (!file) return send(404, { "Content-Type": "text/plain" }, new TextEncoder().encode(`${path}: not found`));
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, { Allow: "GET, HEAD" });
    const body = typeof file.body === "string" ? new TextEncoder().encode(file.body) : file.body;
    const headers: Record<string, string | number> = { "Content-Type": file.type, ...file.headers };
    const ranges = file.ranges ?? true;
    if (ranges) headers["Accept-Ranges"] = "bytes";
    if (range && ranges) {
      const span = parseRange(range, body.length);
      if (span === null) return send(416, { ...headers, "Content-Range": `bytes */${body.length}` });
      if (span !== undefined) {
        const [start, end] = span;
        return send(206, { ...headers, "Content-Range": `bytes ${start}-${end - 1}/${body.length}`, "Content-Length": end - start }, body.subarray(start, end));
      }
    }
    send(200, { ...headers, "Content-Length": body.length }, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
