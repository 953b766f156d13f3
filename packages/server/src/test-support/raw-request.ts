// Raw HTTP for tests that send what no well-behaved client would: bytes over a TCP socket,
// HTTP/1.1 requests with arbitrary headers and bodies, HTTP/2 streams with arbitrary frames.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

/** Sends raw bytes and returns everything the server sends until it closes (or the timeout). */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString("latin1").slice(0, 300)}`));
    }, timeoutMs);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.write(bytes);
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  trailers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP/1.1 request with exactly the given headers and body. */
export function http1Request(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string; timeoutMs?: number },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "POST", headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** One HTTP/2 (h2c) request with exactly the given headers and body. */
export function http2Request(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error("http2 request timed out"));
    }, timeoutMs);
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    let status = 0;
    let responseHeaders: RawResponse["headers"] = {};
    let trailers: RawResponse["trailers"] = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      responseHeaders = h;
    });
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      clearTimeout(timer);
      session.close();
      resolve({ status, headers: responseHeaders, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(body);
  });
}

/** A gRPC / gRPC-web frame. */
export function frame(data: Uint8Array, flags = 0, announcedLength = data.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(announcedLength, 1);
  return Buffer.concat([head, Buffer.from(data)]);
}

/** The grpc-status of a gRPC response: trailers, or headers for a trailers-only response. */
export function grpcStatus(res: RawResponse): string | undefined {
  const s = res.trailers["grpc-status"] ?? res.headers["grpc-status"];
  return Array.isArray(s) ? s[0] : s;
}

/** The grpc-status of a gRPC-web response: headers, or the trailer frame in the body. */
export function grpcWebStatus(res: RawResponse): { status?: string; message?: string } {
  const header = res.headers["grpc-status"];
  if (typeof header === "string") return { status: header, message: String(res.headers["grpc-message"] ?? "") };
  let offset = 0;
  while (offset + 5 <= res.body.length) {
    const flags = res.body[offset]!;
    const length = res.body.readUInt32BE(offset + 1);
    const data = res.body.subarray(offset + 5, offset + 5 + length).toString("utf8");
    if (flags & 0x80) {
      const status = /grpc-status:\s*(\d+)/i.exec(data)?.[1];
      const message = /grpc-message:\s*([^\r\n]*)/i.exec(data)?.[1];
      return { ...(status ? { status } : {}), ...(message ? { message: decodeURIComponent(message) } : {}) };
    }
    offset += 5 + length;
  }
  return {};
}
