// Browsers: connect-web transports over fetch. gRPC proper needs HTTP/2 trailers, which fetch
// cannot read, so the browser speaks Connect or gRPC-web.
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import type { Platform, TransportRequest } from "./platform.js";

export function webPlatform(fetchFn?: typeof globalThis.fetch): Platform {
  // Called unbound, window.fetch throws "Illegal invocation": always call it as globalThis.fetch.
  const fetch: typeof globalThis.fetch = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  return {
    protocols: ["connect", "grpc-web"],
    userAgentHeader: "x-user-agent",
    fetch,
    createTransport({ options, interceptors }: TransportRequest) {
      const common = { baseUrl: options.baseUrl, useBinaryFormat: options.binary, interceptors, fetch };
      const transport =
        options.protocol === "grpc-web" ? createGrpcWebTransport(common) : createConnectTransport({ ...common, useHttpGet: options.useHttpGet });
      return { transport, close: () => {} };
    },
  };
}
