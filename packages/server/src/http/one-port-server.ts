// One TCP port for HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge): each new connection
// is sniffed for the HTTP/2 connection preface and handed to an http2 server if it starts with
// it, else to an http1 server. Both run the same request handler.
//
// close() shuts down gracefully: stop accepting, answer GET /healthz with 503, let in-flight
// requests finish (HTTP/1 keep-alive connections are closed once idle, HTTP/2 sessions get GOAWAY),
// and after `graceMs` destroy whatever is left.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { NodeRequestHandler } from "./request-handler.js";

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface OnePortServer {
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  /** Graceful shutdown (see above). Resolves when every connection is closed. */
  close(graceMs?: number): Promise<void>;
  /** True once close() was called. */
  readonly closing: boolean;
}

export interface OnePortServerOptions {
  /** Longest time a client may take to send a whole request (HTTP/1; default 60 s). */
  requestTimeoutMs?: number;
  /** Longest time a client may take to send the request headers (default 20 s). */
  headersTimeoutMs?: number;
}

export function createOnePortServer(handler: NodeRequestHandler, options: OnePortServerOptions = {}): OnePortServer {
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  let inFlight = 0;
  let closing = false;
  let idleWaiters: (() => void)[] = [];

  const counted: NodeRequestHandler = (req, res) => {
    inFlight += 1;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      inFlight -= 1;
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    };
    res.once("finish", finish);
    res.once("close", finish);
    if (closing && "setHeader" in res && !("stream" in req)) (res as http.ServerResponse).setHeader("connection", "close");
    handler(req, res);
  };

  const h1 = http.createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      headersTimeout: options.headersTimeoutMs ?? 20_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
    },
    counted,
  );
  // The http1 server never listens itself (connections are handed to it), but Node starts its
  // connection tracking — which enforces headersTimeout/requestTimeout (slowloris) and makes
  // closeIdleConnections() work — on "listening". Start it now.
  h1.emit("listening");
  // Node's default allows 2^32-1 concurrent streams per session; cap it like common servers do.
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 250 } }, counted);
  // An HTTP/2 session idle this long is closed — unless it has a stream open: a quiet event stream
  // (WatchEvents) is not idle, it waits for the next event.
  const sessionIdleMs = options.requestTimeoutMs ?? 60_000;
  h2.setTimeout(sessionIdleMs);
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => session.destroy());
    let open = 0;
    session.on("stream", (stream) => {
      if (open++ === 0) session.setTimeout(0);
      stream.once("close", () => {
        if (--open === 0 && !session.closed) session.setTimeout(sessionIdleMs);
      });
    });
    if (closing) session.close();
  });
  h2.on("sessionError", () => undefined);
  h2.on("error", () => undefined);
  h1.on("error", () => undefined);

  // noDelay: no Nagle. An answer written in pieces (a gRPC-web body, then the chunked end) must
  // not wait for the client's delayed ACK of the first piece (~40 ms); http.createServer sets
  // this for the sockets it accepts itself, and ours are accepted here.
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(options.headersTimeoutMs ?? 20_000, () => socket.destroy());
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, preface.length);
      const isPrefix = seen.subarray(0, n).equals(preface.subarray(0, n));
      if (isPrefix && seen.length < preface.length) return; // undecided: wait for more
      socket.off("data", onData);
      socket.pause();
      socket.setTimeout(0);
      socket.unshift(seen);
      if (isPrefix) {
        // The http2 session reads the unshifted bytes itself (Node ≥ 14.17, nodejs/node#35475).
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  return {
    get closing() {
      return closing;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as net.AddressInfo;
          resolve({ port: address.port, host });
        });
      });
    },
    async close(graceMs = 10_000) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      h1.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      h1.closeIdleConnections();
      // Give HTTP/2 sessions a moment to flush their last frames, then end everything.
      await new Promise((resolve) => setImmediate(resolve));
      for (const session of sessions) session.close();
      for (const socket of sockets) socket.end();
      const deadline = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 1_000);
      deadline.unref();
      await stopped;
      clearTimeout(deadline);
      h1.close(() => undefined); // stops the connection-tracking interval
    },
  };
}
