// Typed clients of whole services (connect-es's createClient), taking GitpodCallOptions; their
// server streams close when the reader stops (closable-stream.ts).
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type CallOptions, type Client, type Transport } from "@connectrpc/connect";
import { toCallOptions, type GitpodCallOptions } from "../behaviour/call-options.js";
import { closableStream } from "./closable-stream.js";

type WithGitpodOptions<F> = F extends (request: infer Req, options?: CallOptions) => infer Res
  ? (request: Req, options?: GitpodCallOptions) => Res
  : never;

/** A connect-es client of service S whose methods also take this client's call options. */
export type ServiceClient<S extends DescService> = { [K in keyof Client<S>]: WithGitpodOptions<Client<S>[K]> };

export function createServiceClient<S extends DescService>(service: S, transport: Transport): ServiceClient<S> {
  const client = createClient(service, transport) as Record<string, (request: unknown, options?: CallOptions) => unknown>;
  const wrapped: Record<string, (request: unknown, options?: GitpodCallOptions) => unknown> = {};
  for (const method of service.methods) {
    const call = client[method.localName]!;
    wrapped[method.localName] =
      method.methodKind === "server_streaming"
        ? (request, options) => closableStream((o) => call(request, o) as AsyncIterable<unknown>, toCallOptions(options))
        : (request, options) => call(request, toCallOptions(options));
  }
  return wrapped as ServiceClient<S>;
}
