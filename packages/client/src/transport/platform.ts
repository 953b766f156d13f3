// What differs between Node and browsers: how transports are made, which protocols exist, how
// the user agent is sent, and how raw HTTP goes out. Everything else is shared.
import type { Interceptor, Transport } from "@connectrpc/connect";
import type { UserAgentHeader } from "../behaviour/user-agent.js";
import type { Protocol, ResolvedOptions } from "../options.js";

export interface TransportRequest {
  options: ResolvedOptions;
  /** The client's interceptors, outermost first. */
  interceptors: Interceptor[];
}

export interface Platform {
  protocols: readonly Protocol[];
  userAgentHeader: UserAgentHeader;
  createTransport(request: TransportRequest): { transport: Transport; close: () => void };
  /** fetch for raw requests. */
  fetch: typeof globalThis.fetch;
}
