// The differential proxy: one port (HTTP/1.1 and h2c) in front of two servers that must answer
// alike — the reference server on its unary fast path and the same server with every call through
// connect-node's handlers. Each unary request is sent to the first, then (the same bytes, the same
// Host) to the second; both answers are compared — status, the headers and trailers that carry
// meaning, the body — and the first's goes back to the client. Streams go to the first server only
// (the fast path does not serve them; a watch changes no state).
//
// Randomness: the servers issue bearer tokens and seal secrets with random bytes and ephemeral
// X25519 keys. So that two servers given the same requests give the same answers,
// `crypto.randomBytes` and `generateKeyPairSync("x25519")` are replaced (in this test process
// only) by generators that restart from the same seed before each server handles each request —
// `seedRandomness(n)` is called by the proxy and around clock advances. The one other difference
// is each server's own address in the URLs it hands out (environment logs and ports): bodies are
// compared uncompressed with that address masked (both are 127.0.0.1 and a five-digit port, so
// lengths and hence protobuf framing stay equal).
import type * as nodeCrypto from "node:crypto";
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import * as http from "node:http";
import * as http2 from "node:http2";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { createOnePortServer, type NodeRequestHandler } from "@gitpod-connect/server";

// The CommonJS exports object: assigning to it and syncing updates every ESM import of node:crypto.
const cryptoModule = createRequire(import.meta.url)("node:crypto") as typeof nodeCrypto;
let seed = 0;
let counter = 0;

function deterministicBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += 32) {
    createHash("sha256").update(`${seed}:${counter++}`).digest().copy(out, offset);
  }
  return out;
}

/** Replaces crypto.randomBytes (also for `import { randomBytes }`) by a seeded generator. */
export function installDeterministicRandomness(): void {
  const replacement = (size: number, callback?: (error: Error | null, bytes: Buffer) => void) => {
    const bytes = deterministicBytes(size);
    if (!callback) return bytes;
    queueMicrotask(() => callback(null, bytes));
    return undefined;
  };
  const generateKeyPairSync = cryptoModule.generateKeyPairSync;
  const x25519Pkcs8Prefix = Buffer.from("302e020100300506032b656e04220420", "hex");
  const deterministicKeyPair = (type: string, ...rest: unknown[]) => {
    if (type !== "x25519" || rest.length > 0) return (generateKeyPairSync as (...args: unknown[]) => unknown)(type, ...rest);
    const privateKey = createPrivateKey({ key: Buffer.concat([x25519Pkcs8Prefix, deterministicBytes(32)]), format: "der", type: "pkcs8" });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  };
  (cryptoModule as { randomBytes: unknown }).randomBytes = replacement;
  (cryptoModule as { generateKeyPairSync: unknown }).generateKeyPairSync = deterministicKeyPair;
  syncBuiltinESMExports();
}

/** Restarts the generator: the same seed gives the same bytes. */
export function seedRandomness(value: number): void {
  seed = value;
  counter = 0;
}

export interface ComparedAnswer {
  status: number;
  headers: Record<string, string>;
  trailers: Record<string, string>;
  /** base64 of the body, uncompressed (each gRPC frame on its own), the server's address masked. */
  body: string;
}

export interface Mismatch {
  request: string;
  fast: ComparedAnswer;
  stock: ComparedAnswer;
}

export interface DifferentialProxy {
  readonly url: string;
  /** Unary exchanges compared so far. */
  readonly compared: () => number;
  readonly mismatches: Mismatch[];
  /** Seeds the generator for the next exchange (call before anything else that makes servers draw random bytes). */
  nextSeed(): number;
  close(): Promise<void>;
}

interface Upstream {
  readonly url: URL;
  h2?: http2.ClientHttp2Session;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  trailers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const incidental = new Set(["date", "connection", "keep-alive", ":status", "transfer-encoding"]);
const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "http2-settings", "te", "host"]);

function meaningful(headers: Answer["headers"] | Answer["trailers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || incidental.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

function decompress(encoding: string | undefined, data: Buffer): Buffer {
  if (encoding === "gzip") return gunzipSync(data);
  if (encoding === "br") return brotliDecompressSync(data);
  return data;
}

/** The body without compression: a Connect body as a whole, gRPC and gRPC-web frame by frame (the flag byte kept). */
function uncompressedBody(a: Answer): Buffer {
  const contentType = String(a.headers["content-type"] ?? "");
  if (!contentType.startsWith("application/grpc")) return decompress(a.headers["content-encoding"], a.body);
  const encoding = a.headers["grpc-encoding"] as string | undefined;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= a.body.length) {
    const flags = a.body[offset]!;
    const length = a.body.readUInt32BE(offset + 1);
    const data = a.body.subarray(offset + 5, offset + 5 + length);
    const plain = (flags & 1) === 1 ? decompress(encoding, data) : data;
    parts.push(Buffer.from([flags]), plain);
    offset += 5 + length;
  }
  parts.push(a.body.subarray(offset));
  return Buffer.concat(parts);
}

function compared(a: Answer, ownAddress: string): ComparedAnswer {
  const body = uncompressedBody(a).toString("latin1").replaceAll(ownAddress, "127.0.0.1:<own>");
  const headers = meaningful(a.headers);
  // The length of a compressed body depends on what was compressed; the body compares itself.
  if (headers["content-encoding"]) delete headers["content-length"];
  return { status: a.status, headers, trailers: meaningful(a.trailers), body: Buffer.from(body, "latin1").toString("base64") };
}

function readAll(stream: NodeJS.EventEmitter): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** The request's headers as they go upstream (pseudo-headers and hop-by-hop headers left out). */
function forwardedHeaders(req: http.IncomingMessage | http2.Http2ServerRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || key.startsWith(":") || hopByHop.has(key)) continue;
    out[key] = value;
  }
  return out;
}

function sendHttp1(upstream: Upstream, req: http.IncomingMessage, body: Buffer): Promise<{ answer: Answer; response: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const headers = { ...forwardedHeaders(req), host: req.headers.host ?? "localhost" };
    const out = http.request(
      { host: upstream.url.hostname, port: upstream.url.port, method: req.method, path: req.url, headers, agent: false },
      (response) => {
        readAll(response).then(
          (data) => resolve({ answer: { status: response.statusCode ?? 0, headers: response.headers, trailers: response.trailers, body: data }, response }),
          reject,
        );
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}

function h2Session(upstream: Upstream): http2.ClientHttp2Session {
  if (!upstream.h2 || upstream.h2.destroyed || upstream.h2.closed) {
    upstream.h2 = http2.connect(upstream.url);
    upstream.h2.on("error", () => undefined);
  }
  return upstream.h2;
}

function sendHttp2(upstream: Upstream, req: http2.Http2ServerRequest, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = h2Session(upstream).request({
      ...forwardedHeaders(req),
      ":method": req.method,
      ":path": req.url,
      ":authority": req.authority,
      te: "trailers",
    });
    let status = 0;
    let headers: http.IncomingHttpHeaders = {};
    let trailers: Answer["trailers"] = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      headers = h;
    });
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", reject);
    stream.on("end", () => resolve({ status, headers, trailers, body: Buffer.concat(chunks) }));
    stream.end(body);
  });
}

/** Writes an upstream answer to the client. */
function answerWith(res: http.ServerResponse | http2.Http2ServerResponse, answer: Answer): void {
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !key.startsWith(":") && !hopByHop.has(key)) headers[key] = value;
  }
  res.writeHead(answer.status, headers);
  const trailers: Record<string, string> = {};
  for (const [key, value] of Object.entries(answer.trailers)) if (value !== undefined && !key.startsWith(":")) trailers[key] = String(value);
  if (Object.keys(trailers).length > 0) res.addTrailers(trailers);
  res.end(answer.body);
}

/** Pipes a stream's answer from the upstream to the client as it comes (HTTP/1.1 or h2c). */
function pipeStream(upstream: Upstream, req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse, body: Buffer): void {
  const relayHead = (status: number, headers: http.IncomingHttpHeaders) => {
    const out: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(headers)) if (value !== undefined && !key.startsWith(":") && !hopByHop.has(key)) out[key] = value;
    res.writeHead(status, out);
    (res as { flushHeaders?: () => void }).flushHeaders?.();
  };
  const relayTrailers = (trailers: Answer["trailers"]) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(trailers)) if (value !== undefined && !key.startsWith(":")) out[key] = String(value);
    if (Object.keys(out).length > 0) res.addTrailers(out);
  };
  if ("stream" in req) {
    const stream = h2Session(upstream).request({ ...forwardedHeaders(req), ":method": req.method, ":path": req.url, ":authority": req.authority, te: "trailers" });
    stream.on("response", (h) => relayHead(Number(h[":status"]), h));
    stream.on("data", (c: Buffer) => (res as http2.Http2ServerResponse).write(c));
    stream.on("trailers", relayTrailers);
    stream.on("end", () => res.end());
    stream.on("error", () => res.destroy());
    res.on("close", () => stream.close());
    stream.end(body);
    return;
  }
  const out = http.request(
    { host: upstream.url.hostname, port: upstream.url.port, method: req.method, path: req.url, headers: { ...forwardedHeaders(req), host: req.headers.host ?? "localhost" }, agent: false },
    (response) => {
      relayHead(response.statusCode ?? 0, response.headers);
      response.on("data", (c: Buffer) => (res as http.ServerResponse).write(c));
      response.on("end", () => {
        relayTrailers(response.trailers);
        res.end();
      });
    },
  );
  out.on("error", () => res.destroy());
  res.on("close", () => out.destroy());
  out.end(body);
}

/**
 * Starts the proxy in front of `fastUrl` and `stockUrl`. `isStream(path)` says which request
 * paths are streams (sent to the fast server only).
 */
export async function startDifferentialProxy(fastUrl: string, stockUrl: string, isStream: (path: string) => boolean): Promise<DifferentialProxy> {
  const fast: Upstream = { url: new URL(fastUrl) };
  const stock: Upstream = { url: new URL(stockUrl) };
  const mismatches: Mismatch[] = [];
  let count = 0;
  let nextSeed = 1_000_000;
  // One unary exchange at a time, so that both servers see the requests in the same order.
  let queue: Promise<void> = Promise.resolve();

  const handler: NodeRequestHandler = (req, res) => {
    void readAll(req).then((body) => {
      const path = (req.url ?? "/").split("?")[0]!;
      if (isStream(path)) return pipeStream(fast, req, res, body);
      const exchange = async () => {
        const seedValue = nextSeed++;
        const send = (upstream: Upstream) =>
          "stream" in req ? sendHttp2(upstream, req, body) : sendHttp1(upstream, req, body).then((r) => r.answer);
        seedRandomness(seedValue);
        const a = await send(fast);
        seedRandomness(seedValue);
        const b = await send(stock);
        count += 1;
        const fa = compared(a, fast.url.host);
        const sa = compared(b, stock.url.host);
        if (JSON.stringify(fa) !== JSON.stringify(sa)) mismatches.push({ request: `${req.method} ${req.url} ${String(req.headers["content-type"])}`, fast: fa, stock: sa });
        answerWith(res, a);
      };
      const run = queue.then(exchange);
      queue = run.catch(() => undefined);
      return run;
    }).catch(() => res.destroy());
  };
  const server = createOnePortServer(handler);
  const { port } = await server.listen(0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    compared: () => count,
    mismatches,
    nextSeed: () => {
      const value = nextSeed++;
      seedRandomness(value);
      return value;
    },
    async close() {
      fast.h2?.close();
      stock.h2?.close();
      await server.close(1_000);
    },
  };
}
