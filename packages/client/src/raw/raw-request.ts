// The lowest level: an HTTP request to any path under the base URL, answered with status,
// headers and body as they are (a 404 is a response, not an error). It still gets the client's
// authentication, user agent, timeout and retries: 429 (rate limited), 502, 503 and 504 and
// network failures are retried with the client's backoff, honouring Retry-After, when the
// request is safe to repeat — an idempotent HTTP method, or a POST to an RPC the schema marks
// safe — or the request or the client opts in.
import { Code, ConnectError } from "@connectrpc/connect";
import { authorize, type TokenSource } from "../behaviour/bearer-auth.js";
import { isSafeToRepeat, type RetryOptions } from "../behaviour/retry-policy.js";
import { withRetries, type Failure } from "../behaviour/retrying.js";
import { setUserAgent, type UserAgentHeader } from "../behaviour/user-agent.js";
import { findMethod } from "../by-name/schema-registry.js";

export interface RawRequest {
  /** Default "GET". */
  method?: string;
  /** Appended to the base URL; must start with "/", e.g. "/gitpod.v1.EnvironmentService/ListEnvironments". */
  path: string;
  query?: Record<string, string> | URLSearchParams;
  headers?: HeadersInit;
  /** A string or bytes as they are; anything else is sent as JSON (with content-type application/json unless set). */
  body?: string | Uint8Array | object;
  /** Default: the client's timeoutMs. 0 = none. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** true: retry even if not safe to repeat; false: never retry. */
  retry?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON. */
  json(): unknown;
}

export interface RawContext {
  baseUrl: string;
  token: TokenSource | undefined;
  userAgent: { header: UserAgentHeader; value: string };
  timeoutMs: number | undefined;
  retry: RetryOptions | false;
  fetch: typeof globalThis.fetch;
}

const idempotentHttpMethods = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const retryableStatus = new Map([
  [429, Code.ResourceExhausted],
  [502, Code.Unavailable],
  [503, Code.Unavailable],
  [504, Code.Unavailable],
]);

/** Thrown inside the retry loop for a retryable status; unwrapped to its response at the end. */
class RetryableResponse extends Error {
  constructor(
    readonly response: RawResponse,
    readonly failure: Failure,
  ) {
    super(failure.error.message);
  }
}

export async function rawRequest(context: RawContext, request: RawRequest): Promise<RawResponse> {
  if (!request.path.startsWith("/") || request.path.startsWith("//")) {
    throw new TypeError(`request(): path must start with a single "/", got ${JSON.stringify(request.path)} (the base URL supplies the host)`);
  }
  const method = (request.method ?? "GET").toUpperCase();
  const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : "";
  const url = `${context.baseUrl}${request.path}${query}`;
  const procedure = `${method} ${request.path}`;
  const { body, contentType } = encodeBody(request.body);

  const timeoutMs = request.timeoutMs ?? context.timeoutMs;
  const controller = new AbortController();
  const timer = timeoutMs ? setTimeout(() => controller.abort(new ConnectError(`${procedure} timed out after ${timeoutMs} ms`, Code.DeadlineExceeded)), timeoutMs) : undefined;
  const onAbort = () => controller.abort(new ConnectError(`${procedure} was aborted`, Code.Canceled));
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = controller.signal;

  const attempt = async (): Promise<RawResponse> => {
    const headers = new Headers(request.headers);
    if (contentType && !headers.has("content-type")) headers.set("content-type", contentType);
    setUserAgent(headers, context.userAgent.header, context.userAgent.value);
    await authorize(headers, context.token);
    let res: Response;
    let bytes: Uint8Array;
    try {
      res = await context.fetch(url, { method, headers, body, signal, redirect: "manual" });
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (signal.aborted) throw ConnectError.from(signal.reason);
      throw new ConnectError(`${procedure}: ${e instanceof Error ? e.message : String(e)}`, Code.Unavailable, undefined, undefined, e);
    }
    const response = rawResponse(res, bytes);
    const code = retryableStatus.get(res.status);
    if (code !== undefined) {
      throw new RetryableResponse(response, { error: new ConnectError(`${procedure}: HTTP ${res.status}`, code), retryAfter: res.headers.get("retry-after") });
    }
    return response;
  };

  try {
    const retry = context.retry;
    const allowed = retry !== false && retry.maxRetries > 0 && (request.retry ?? (retry.unsafe || safeToRepeat(method, request.path)));
    if (!allowed) return await attempt();
    return await withRetries(procedure, retry, signal, attempt, (thrown) => {
      if (thrown instanceof RetryableResponse) return thrown.failure;
      if (thrown instanceof ConnectError && thrown.code === Code.Unavailable && !signal.aborted) return { error: thrown, retryAfter: null };
      return undefined;
    });
  } catch (e) {
    if (e instanceof RetryableResponse) return e.response;
    throw e;
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
  }
}

/** Idempotent HTTP methods, and POSTs to RPCs whose schema says they are safe to repeat. */
function safeToRepeat(method: string, path: string): boolean {
  if (idempotentHttpMethods.has(method)) return true;
  if (method !== "POST") return false;
  try {
    return isSafeToRepeat(findMethod(path.replace(/^\/api\//, "/")));
  } catch {
    return false;
  }
}

function encodeBody(body: RawRequest["body"]): { body: BodyInit | undefined; contentType: string | undefined } {
  if (body === undefined) return { body: undefined, contentType: undefined };
  if (typeof body === "string") return { body, contentType: undefined };
  if (body instanceof Uint8Array) return { body: body as Uint8Array<ArrayBuffer>, contentType: undefined };
  return { body: JSON.stringify(body), contentType: "application/json" };
}

function rawResponse(res: Response, body: Uint8Array): RawResponse {
  return {
    status: res.status,
    headers: res.headers,
    body,
    text: () => new TextDecoder().decode(body),
    json: () => JSON.parse(new TextDecoder().decode(body)) as unknown,
  };
}
