// Node: connect-node transports. Connect and gRPC-web speak HTTP/1.1 by default (any proxy
// passes it) or HTTP/2 when asked; gRPC always speaks HTTP/2. An HTTP/2 connection belongs to
// the client and is released by close().
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { Transport } from "@connectrpc/connect";
import type { Platform, TransportRequest } from "./platform.js";

export type HttpVersion = "1.1" | "2";

export function nodePlatform(httpVersion: HttpVersion = "1.1"): Platform {
  return {
    protocols: ["connect", "grpc-web", "grpc"],
    userAgentHeader: "user-agent",
    fetch: (input, init) => globalThis.fetch(input, init),
    createTransport({ options, interceptors }: TransportRequest) {
      const common = { baseUrl: options.baseUrl, useBinaryFormat: options.binary, interceptors };
      const version = options.protocol === "grpc" ? "2" : httpVersion;
      if (version === "1.1") {
        const transport: Transport =
          options.protocol === "grpc-web"
            ? createGrpcWebTransport({ ...common, httpVersion: "1.1" })
            : createConnectTransport({ ...common, httpVersion: "1.1", useHttpGet: options.useHttpGet });
        return { transport, close: () => {} };
      }
      const sessionManager = new Http2SessionManager(options.baseUrl);
      const transport: Transport =
        options.protocol === "grpc"
          ? createGrpcTransport({ ...common, sessionManager })
          : options.protocol === "grpc-web"
            ? createGrpcWebTransport({ ...common, httpVersion: "2", sessionManager })
            : createConnectTransport({ ...common, httpVersion: "2", sessionManager, useHttpGet: options.useHttpGet });
      return { transport, close: () => sessionManager.abort() };
    },
  };
}
