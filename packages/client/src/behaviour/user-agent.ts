// The user agent: who calls (the caller's own prefix, this client, connect-es). Browsers do not
// let scripts set User-Agent, so there it goes in X-User-Agent, as gRPC-web does.
import type { Interceptor } from "@connectrpc/connect";
import { clientName, clientVersion } from "../version.js";

export type UserAgentHeader = "user-agent" | "x-user-agent";

/** "my-tool/1.2 gitpod-connect-client/0.1.0" */
export function userAgent(prefix: string | undefined): string {
  const own = `${clientName}/${clientVersion}`;
  return prefix ? `${prefix} ${own}` : own;
}

/** Puts `agent` in front of what the header already says (connect-es names itself there). */
export function setUserAgent(header: Headers, name: UserAgentHeader, agent: string): void {
  const existing = header.get(name);
  if (existing?.startsWith(agent)) return;
  header.set(name, existing ? `${agent} ${existing}` : agent);
}

export function userAgentInterceptor(name: UserAgentHeader, agent: string): Interceptor {
  return (next) => (req) => {
    setUserAgent(req.header, name, agent);
    return next(req);
  };
}
