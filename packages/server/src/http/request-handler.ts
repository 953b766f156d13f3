// The Node.js request handler: health check, CORS, both path prefixes, the request guard, then
// the unary fast path (unary-fast-path.ts) or connect-node's protocol handlers, and our response writer. It replaces connectNodeAdapter because
// that adapter throws outside any catch for a request without Host (an HTTP/1.0 request kills the
// process), cannot put a guard between the socket and the protocol handlers, and cannot send a
// server stream's head before its first message.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors, createConnectRouter, createContextValues, type ConnectRouter } from "@connectrpc/connect";
import { createAsyncIterable, type UniversalHandler } from "@connectrpc/connect/protocol";
import { callerKey } from "../auth/caller.js";
import type { TokenStore } from "../auth/token-store.js";
import { readMaxBytes as defaultReadMaxBytes } from "../limits.js";
import { earlyHeadersKey } from "../rpc/early-headers.js";
import { preflightErrorKey } from "../rpc/interceptors/preflight-error.js";
import { isReflectionService } from "../reflection/services.js";
import { guardRequestStream, hasRequestStream } from "../reflection/stream-guard.js";
import { corsPolicy } from "./cors.js";
import { guardRequest, type BodyRead } from "./request-guard.js";
import { responseWriter } from "./response-writer.js";
import { answerUnary, fastPathFormat, recordUnaryRoutes, type UnaryRoute } from "./unary-fast-path.js";

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;
export type NodeRequestHandler = (req: NodeRequest, res: NodeResponse) => void;

/** A plain HTTP endpoint beside the RPCs (the environment logs, the testing controls). */
export interface PathHandler {
  /** Whether this handler serves `path` (the URL path without the query). */
  matches(path: string): boolean;
  handle(req: NodeRequest, res: NodeResponse, path: string, query: URLSearchParams): Promise<void>;
  /** The methods browsers of the allowed origins may use here (CORS); none when absent. */
  corsMethods?: readonly string[];
}

export interface RequestHandlerOptions {
  /** The RPC routes, e.g. createRoutes({ deps }). */
  routes: (router: ConnectRouter) => void;
  /** Used to authenticate before the body is read. */
  tokens: TokenStore;
  /** Path prefixes under which every RPC is also served (default ["/api"]; "" is always served). */
  pathPrefixes?: string[];
  /** Largest accepted request message, compressed or not (default 4 MiB). */
  readMaxBytes?: number;
  /** Readiness for GET /healthz; false answers 503 (e.g. while shutting down). */
  ready?: () => boolean;
  /** Plain HTTP endpoints, tried before the RPC paths. */
  pathHandlers?: readonly PathHandler[];
  /**
   * Browser origins that may call the RPCs (and path handlers with corsMethods) across origins:
   * `scheme://host[:port]` each, or `*` for any. Default none: no CORS headers at all.
   */
  corsOrigins?: readonly string[];
  /**
   * Answer unary calls over Connect (POST), gRPC-web and gRPC (HTTP/2) without connect-node's
   * handlers, with the same bytes (unary-fast-path.ts). Default true; false sends every call
   * through connect-node (the differential test compares the two).
   */
  unaryFastPath?: boolean;
}

export function createRequestHandler(options: RequestHandlerOptions): NodeRequestHandler {
  const router = createConnectRouter();
  const unaryRoutes = new Map<string, UnaryRoute>();
  options.routes(options.unaryFastPath === false ? router : recordUnaryRoutes(router, unaryRoutes));
  const limit = options.readMaxBytes ?? defaultReadMaxBytes;
  const corsFor = corsPolicy(options.corsOrigins);
  const handlers = new Map<string, UniversalHandler>();
  for (const h of router.handlers) {
    handlers.set(h.requestPath, h);
    for (const prefix of options.pathPrefixes ?? ["/api"]) handlers.set(prefix + h.requestPath, h);
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Only write failures reach here (the client went away); nothing to answer. A client that
      // closed the connection or reset its stream (e.g. cancelling an event stream before the
      // first event) is no server fault.
      const clientGone = res.destroyed || req.destroyed || ("stream" in req && req.stream.destroyed);
      if (!clientGone && !res.headersSent && !res.writableEnded) {
        console.error("request failed", e);
        plain(res, 500, "internal error");
      } else {
        res.destroy();
      }
    });
  };

  async function handle(req: NodeRequest, res: NodeResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1));

    if (path === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") return plain(res, 405, "method not allowed", { allow: "GET, HEAD" });
      const ready = options.ready?.() ?? true;
      return plain(res, ready ? 200 : 503, ready ? '{"status":"SERVING"}\n' : '{"status":"NOT_SERVING"}\n', {
        "content-type": "application/json",
      });
    }

    const pathHandler = options.pathHandlers?.find((h) => h.matches(path));
    const uHandler = pathHandler ? undefined : handlers.get(path);
    // Before anything else, authentication included: preflights carry no credentials. An actual
    // request gets its CORS headers here, so that every answer has them, errors too.
    const corsMethods = uHandler ? cors.allowedMethods : pathHandler?.corsMethods;
    if (corsFor && corsMethods && corsFor.apply(req, res, corsMethods)) return;

    if (pathHandler) return pathHandler.handle(req, res, path, query);
    if (!uHandler) return plain(res, 404, "not found");

    let header: Headers;
    try {
      header = webHeaders(req);
    } catch {
      return plain(res, 400, "bad request headers");
    }
    // Made only for what uses it (request streams, connect-node's handlers), not for the fast path.
    let abort: AbortController | undefined;
    const signal = () => (abort ??= new AbortController()).signal;
    // The connection or stream closed before we ended the response: the client went away (an
    // HTTP/2 reset counts as "finished" for writableFinished, so ask whether we ended it).
    const onClose = () => {
      if (!res.writableEnded) abort?.abort();
    };

    const contentLength = Number(req.headers["content-length"]);
    // A request stream (bidi: reflection) is guarded message by message as connect-node reads it:
    // its client waits for each answer before it sends more. Reflection alone needs no token.
    const requestStream = hasRequestStream(uHandler.method);
    if (requestStream) res.once("close", onClose);
    const guard = requestStream
      ? await guardRequestStream({
          method: uHandler.method,
          httpMethod: req.method ?? "",
          header,
          source: req,
          signal: signal(),
          isPublic: isReflectionService(uHandler.service.typeName),
          tokens: options.tokens,
          readMaxBytes: limit,
        })
      : await guardRequest({
          method: uHandler.method,
          httpMethod: req.method ?? "",
          header,
          query,
          contentLength: Number.isSafeInteger(contentLength) ? contentLength : undefined,
          readBody: (max) => readBody(req, res, max),
          tokens: options.tokens,
          readMaxBytes: limit,
        });
    // On HTTP/1.1 a stream's body may be left unread (an error, or bidi: 505): never read on for keep-alive.
    if (requestStream && !("stream" in req)) (res as ServerResponse).setHeader("connection", "close");

    const writer = responseWriter(res);
    const contextValues = createContextValues();
    if (guard.caller) contextValues.set(callerKey, guard.caller);
    if (guard.error) contextValues.set(preflightErrorKey, guard.error);
    const authority = ("authority" in req ? req.authority : undefined) || req.headers.host || "localhost";

    const route = unaryRoutes.get(uHandler.requestPath);
    // (A route that requires the Connect protocol header is left to connect-node, which checks it.)
    if (route && !route.options.requireConnectProtocolHeader && !("stream" in guard) && guard.protocol) {
      const call = { protocol: guard.protocol, http2: "stream" in req, header: guard.header, body: guard.body, message: guard.message, contextValues, url: `http://${authority}${rawUrl}` };
      const format = fastPathFormat(call, uHandler.method);
      if (format) return writer.writeComplete(await answerUnary(route, call, format));
    }

    if (!requestStream) res.once("close", onClose);
    // Only a stream's head is the same whatever comes next (status 200; errors go after it).
    if (uHandler.method.methodKind !== "unary") contextValues.set(earlyHeadersKey, writer.sendHeadersNow);
    const target = guard.query ? `${path}?${guard.query.toString()}` : rawUrl;
    let url: string;
    try {
      url = new URL(target, `http://${authority}`).toString();
    } catch {
      url = new URL(guard.query ? target : path, "http://localhost").toString();
    }
    const body = "stream" in guard ? guard.stream : createAsyncIterable(guard.body.length > 0 ? [guard.body] : []);
    // Not awaited here: connect-node resolves only with the first body chunk, and a server stream
    // may send its head before that (writer.sendHeadersNow).
    await writer.write(
      uHandler({
        httpVersion: req.httpVersion,
        method: req.method ?? "",
        url,
        header: guard.header,
        body,
        signal: signal(),
        contextValues,
      }),
    );
  }
}

/** Node headers as web Headers (HTTP/2 pseudo-headers left out). */
function webHeaders(req: NodeRequest): Headers {
  const header = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) header.append(key, v);
    else header.append(key, value);
  }
  return header;
}

/**
 * Reads the request body up to `max` bytes. Beyond that it stops reading and resolves
 * "too_large"; on HTTP/1.1 the connection is then closed after the response, so the rest is never
 * read. A body cut short by the client resolves "aborted" (never a truncated body).
 */
function readBody(req: NodeRequest, res: NodeResponse, max: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyRead) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.pause();
        if (!("stream" in req)) (res as ServerResponse).setHeader("connection", "close");
        done("too_large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(new Uint8Array(Buffer.concat(chunks)));
    const onAbort = () => done("aborted");
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onAbort);
    req.once("close", onAbort);
  });
}

function plain(res: NodeResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}
