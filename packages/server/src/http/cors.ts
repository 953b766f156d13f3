// CORS for the browser origins the server is configured with (`corsOrigins`), so that a web page
// served elsewhere may call the RPCs with Connect or gRPC-web. Nothing changes for a request without
// an allowed Origin: it gets no CORS headers (a browser then withholds the answer from the page).
// Preflights carry no credentials, so they are answered here, before any authentication; the actual
// request is guarded as every other.
import { cors } from "@connectrpc/connect";
import type { NodeRequest, NodeResponse } from "./request-handler.js";

/** What browsers may send: the headers Connect and gRPC-web clients use, and the bearer token. */
const allowedHeaders = [...cors.allowedHeaders, "Authorization"].join(", ");
/** What pages may read: the protocols' status headers, and Retry-After of a throttled call. */
const exposedHeaders = [...cors.exposedHeaders, "Retry-After"].join(", ");
/** How long a browser may reuse a preflight's answer, in seconds. */
const maxAgeSeconds = 7200;

export interface CorsPolicy {
  /**
   * Applies the policy to a request of a path whose cross-origin methods are `methods`: answers a
   * preflight (true: nothing else to do), or sets the CORS headers of the response to come.
   */
  apply(req: NodeRequest, res: NodeResponse, methods: readonly string[]): boolean;
}

/** The policy for these origins (each `scheme://host[:port]`, or `*` for any); none for an empty list. */
export function corsPolicy(origins: readonly string[] | undefined): CorsPolicy | undefined {
  if (!origins || origins.length === 0) return undefined;
  const problem = corsOriginsProblem(origins);
  if (problem) throw new Error(`corsOrigins: ${problem}`);
  const any = origins.includes("*");
  const allowed = new Set(origins);
  return {
    apply(req, res, methods) {
      const origin = req.headers.origin;
      const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
      if (origin === undefined) return false;
      if (!any && !allowed.has(origin)) {
        if (!preflight) return false;
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
        res.end("origin not allowed\n");
        return true;
      }
      // The answer depends on the Origin: caches must keep one per origin.
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
      if (!preflight) {
        res.setHeader("access-control-expose-headers", exposedHeaders);
        return false;
      }
      res.writeHead(204, {
        "access-control-allow-methods": methods.join(", "),
        "access-control-allow-headers": allowedHeaders,
        "access-control-max-age": String(maxAgeSeconds),
      });
      res.end();
      return true;
    },
  };
}

/** Why `origins` is no valid list of allowed origins (see corsOriginProblem; `*` stands alone), or undefined. */
export function corsOriginsProblem(origins: readonly string[]): string | undefined {
  for (const origin of origins) {
    const problem = corsOriginProblem(origin);
    if (problem) return problem;
  }
  if (origins.includes("*") && origins.length > 1) return "* already allows every origin; give it alone";
  return undefined;
}

/**
 * Why `value` is no allowed CORS origin, or undefined when it is one: `*`, or an origin as browsers
 * send it — `scheme://host[:port]` in lower case, no default port, no path (not even `/`).
 */
export function corsOriginProblem(value: string): string | undefined {
  if (value === "*") return undefined;
  const got = `got ${JSON.stringify(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an origin (scheme://host[:port], no path) or *; ${got}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must be an http or https origin (scheme://host[:port], no path) or *; ${got}`;
  if (url.origin !== value) {
    return `must be an origin as browsers send it (scheme://host[:port] in lower case, no default port, no path); ${got}, did you mean ${JSON.stringify(url.origin)}?`;
  }
  return undefined;
}
