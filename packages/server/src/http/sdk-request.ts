// Requests as the official JSON client (@gitpod/sdk) sends them. It posts JSON without a
// Connect-Protocol-Version header; a call without arguments has an empty body and no content
// type; List calls put `token` and `pageSize` in the URL query and re-send the same body for
// later pages with only the query token changed, so the query wins over the body.
// Only POSTs without the Connect header that look like that are rewritten; every other request
// reaches connect-node unchanged, with all its protocol checks.

export interface SdkRewrite {
  body: Uint8Array;
  /** The content type to set, when the request had none. */
  contentType?: string;
}

/** Whether a request is one the SDK rewrite applies to. */
export function looksLikeSdkRequest(method: string, header: Headers): boolean {
  if (method !== "POST" || header.has("connect-protocol-version")) return false;
  const type = header.get("content-type");
  return type === null || /^application\/json\s*(;.*)?$/i.test(type);
}

/** The body connect-node should see, or undefined to leave the request as it is. */
export function rewriteSdkRequest(header: Headers, query: URLSearchParams, body: Uint8Array): SdkRewrite | undefined {
  const hasContentType = header.has("content-type");
  if (!hasContentType && body.length > 0) return undefined; // not the SDK: let connect answer 415
  const token = query.get("token");
  const pageSize = query.get("pageSize") ?? query.get("page_size");
  if (token === null && pageSize === null) {
    return body.length === 0 ? { body: new TextEncoder().encode("{}"), contentType: "application/json" } : undefined;
  }
  let json: unknown = {};
  if (body.length > 0) {
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    } catch {
      return undefined; // connect reports the malformed body
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const obj = json as Record<string, unknown>;
  const pagination =
    typeof obj.pagination === "object" && obj.pagination !== null && !Array.isArray(obj.pagination)
      ? { ...(obj.pagination as Record<string, unknown>) }
      : {};
  if (token !== null) pagination.token = token;
  if (pageSize !== null) {
    delete pagination.page_size;
    pagination.pageSize = /^\d+$/.test(pageSize) ? Number(pageSize) : pageSize;
  }
  return {
    body: new TextEncoder().encode(JSON.stringify({ ...obj, pagination })),
    ...(hasContentType ? {} : { contentType: "application/json" }),
  };
}
