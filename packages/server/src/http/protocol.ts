// Which RPC protocol and format a request uses, from its content type. Connect has two request
// forms: unary (the bare message) and streaming (enveloped messages, as gRPC's).
export type Protocol = "connect" | "connect-stream" | "grpc" | "grpc-web";

export interface RequestProtocol {
  protocol: Protocol;
  /** Protobuf binary (true) or JSON (false). */
  binary: boolean;
}

export function protocolOf(contentType: string | null): RequestProtocol | undefined {
  if (contentType === null) return undefined;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  switch (type) {
    case "application/json":
      return { protocol: "connect", binary: false };
    case "application/proto":
      return { protocol: "connect", binary: true };
    case "application/connect+json":
      return { protocol: "connect-stream", binary: false };
    case "application/connect+proto":
      return { protocol: "connect-stream", binary: true };
    case "application/grpc":
    case "application/grpc+proto":
      return { protocol: "grpc", binary: true };
    case "application/grpc+json":
      return { protocol: "grpc", binary: false };
    case "application/grpc-web":
    case "application/grpc-web+proto":
      return { protocol: "grpc-web", binary: true };
    case "application/grpc-web+json":
      return { protocol: "grpc-web", binary: false };
    default:
      return undefined;
  }
}

/** The header that names the request body's compression, per protocol. */
export function encodingHeader(protocol: Protocol): string {
  switch (protocol) {
    case "connect":
      return "content-encoding";
    case "connect-stream":
      return "connect-content-encoding";
    default:
      return "grpc-encoding";
  }
}
