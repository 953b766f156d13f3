// Typed clients of whole services (connect-es's createClient), taking GitpodCallOptions.
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type CallOptions, type Client, type Transport } from "@connectrpc/connect";
import { toCallOptions, type GitpodCallOptions } from "../behaviour/call-options.js";

type WithGitpodOptions<F> = F extends (request: infer Req, options?: CallOptions) => infer Res
  ? (request: Req, options?: GitpodCallOptions) => Res
  : never;

/** A connect-es client of service S whose methods also take this client's call options. */
export type ServiceClient<S extends DescService> = { [K in keyof Client<S>]: WithGitpodOptions<Client<S>[K]> };

export function createServiceClient<S extends DescService>(service: S, transport: Transport): ServiceClient<S> {
  const client = createClient(service, transport) as Record<string, (request: unknown, options?: CallOptions) => unknown>;
  const wrapped: Record<string, (request: unknown, options?: GitpodCallOptions) => unknown> = {};
  for (const [name, call] of Object.entries(client)) {
    wrapped[name] = (request, options) => call(request, toCallOptions(options));
  }
  return wrapped as ServiceClient<S>;
}
