// One transport per protocol a target may declare, as connect-es builds them for Node (the same
// settings as the interop protocol matrix): Connect JSON over HTTP/1.1, Connect binary and gRPC
// over cleartext HTTP/2, gRPC-web over HTTP/1.1. Every transport of one run shares one HTTP/1.1
// agent and one HTTP/2 session per origin, which `close()` ends, so the CLI exits promptly.
import * as http from "node:http";
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import type { Protocol } from "./scenario.js";

export interface TransportPool {
  /**
   * A transport of `protocol` to `baseUrl`, sending `token` as the bearer token (none: `undefined`);
   * each call it starts is also aborted by the signal `signal()` returns when the call starts.
   */
  transport(protocol: Protocol, token: string | undefined, signal?: () => AbortSignal | undefined): Transport;
  /** Ends every connection the pool opened. */
  close(): void;
}

/** Adds `Authorization: Bearer <token>` and ties the call to `signal()` (the scenario's lifetime). */
function callInterceptor(token: string | undefined, signal: (() => AbortSignal | undefined) | undefined): Interceptor {
  return (next) => (req) => {
    if (token !== undefined) req.header.set("authorization", `Bearer ${token}`);
    const scenarioSignal = signal?.();
    if (scenarioSignal === undefined) return next(req);
    return next({ ...req, signal: AbortSignal.any([req.signal, scenarioSignal]) });
  };
}

export function createTransportPool(baseUrl: string): TransportPool {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const sessionManager = new Http2SessionManager(baseUrl, { idleConnectionTimeoutMs: 5_000 });
  return {
    transport(protocol, token, signal) {
      const interceptors = [callInterceptor(token, signal)];
      switch (protocol) {
        case "connect-json":
          // connect-node's Connect transport defaults to the binary format: JSON must be asked for.
          return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, nodeOptions: { agent }, interceptors });
        case "connect-binary":
          return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager, interceptors });
        case "grpc-web":
          return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { agent }, interceptors });
        case "grpc":
          return createGrpcTransport({ baseUrl, sessionManager, interceptors });
      }
    },
    close() {
      sessionManager.abort();
      agent.destroy();
    },
  };
}

/** Clients of one protocol and token, one per service (created on first use). */
export function clientFactory(transport: Transport): <S extends DescService>(service: S) => Client<S> {
  const clients = new Map<string, unknown>();
  return <S extends DescService>(service: S): Client<S> => {
    let client = clients.get(service.typeName) as Client<S> | undefined;
    if (client === undefined) {
      client = createClient(service, transport);
      clients.set(service.typeName, client);
    }
    return client;
  };
}
