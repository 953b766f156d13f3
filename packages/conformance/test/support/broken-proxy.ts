// A deliberately broken target: an HTTP/1.1 proxy in front of our server that rewrites Connect
// JSON exchanges with one fault (a wrong code, a dropped field, endless page tokens, a leaked
// secret, a cross-organization read). The kit runs against it with `--protocols connect-json`
// and must report the fault. Without a fault the proxy passes everything through unchanged, which
// the "sound proxy" test proves. Streams (application/connect+json) are piped through as they are.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Exchange {
  /** "gitpod.v1.EnvironmentService/GetEnvironment" */
  readonly procedure: string;
  readonly requestHeaders: http.OutgoingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: http.OutgoingHttpHeaders;
  responseBody: Buffer;
}

export interface Fault {
  readonly name: string;
  /** Before the request is forwarded (headers and body may be changed). */
  request?(exchange: Exchange): void;
  /** Before the answer is sent (status, headers and body may be changed). */
  response?(exchange: Exchange): void;
}

export interface BrokenProxy {
  readonly url: string;
  /** Exchanges the fault changed (so a test can tell a fault that never applied). */
  readonly applied: () => number;
  close(): Promise<void>;
}

/** The JSON body, or undefined when it is none. */
export function readJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function writeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

const hopHeaders = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "accept-encoding", "connect-accept-encoding", "te", "upgrade"]);

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !hopHeaders.has(name)) out[name] = value;
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export async function startBrokenProxy(upstream: string, fault?: Fault): Promise<BrokenProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let applied = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const procedure = (req.url ?? "").replace(/^\/(api\/)?/, "").replace(/\?.*$/, "");
      const streaming = (req.headers["content-type"] ?? "").startsWith("application/connect+");
      const exchange: Exchange = {
        procedure,
        requestHeaders: forwardHeaders(req.headers),
        requestBody: streaming ? Buffer.alloc(0) : await readAll(req),
        status: 0,
        responseHeaders: {},
        responseBody: Buffer.alloc(0),
      };
      const before = JSON.stringify([exchange.requestHeaders, exchange.requestBody.toString("base64")]);
      fault?.request?.(exchange);
      let changed = before !== JSON.stringify([exchange.requestHeaders, exchange.requestBody.toString("base64")]);
      const upstreamReq = http.request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...exchange.requestHeaders, ...(streaming ? {} : { "content-length": exchange.requestBody.length }), host: target.host },
        agent,
      });
      upstreamReq.on("error", (error) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`proxy: ${error.message}`);
      });
      if (streaming) req.pipe(upstreamReq);
      else upstreamReq.end(exchange.requestBody);
      const upstreamRes = await new Promise<http.IncomingMessage>((resolve) => upstreamReq.once("response", resolve));
      if (streaming) {
        if (changed) applied++;
        res.writeHead(upstreamRes.statusCode ?? 502, forwardHeaders(upstreamRes.headers));
        res.flushHeaders();
        upstreamRes.pipe(res);
        res.once("close", () => upstreamReq.destroy());
        return;
      }
      exchange.status = upstreamRes.statusCode ?? 502;
      exchange.responseHeaders = forwardHeaders(upstreamRes.headers);
      exchange.responseBody = await readAll(upstreamRes);
      const answer = JSON.stringify([exchange.status, exchange.responseBody.toString("base64")]);
      fault?.response?.(exchange);
      changed ||= answer !== JSON.stringify([exchange.status, exchange.responseBody.toString("base64")]);
      if (changed) applied++;
      res.writeHead(exchange.status, { ...exchange.responseHeaders, "content-length": exchange.responseBody.length });
      res.end(exchange.responseBody);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    applied: () => applied,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
