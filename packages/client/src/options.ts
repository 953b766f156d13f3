// What a GitpodClient is built from, and the checks that turn a wrong option into a clear error
// at construction instead of a confusing failure at the first call.
import type { Interceptor } from "@connectrpc/connect";
import { defaultRetryOptions, type RetryOptions } from "./behaviour/retry-policy.js";
import type { TokenSource } from "./behaviour/bearer-auth.js";

/** The wire protocol. gRPC needs HTTP/2 and is available in Node only. */
export type Protocol = "connect" | "grpc-web" | "grpc";

/** The official clients' default: the hosted Gitpod API. */
export const defaultBaseUrl = "https://app.gitpod.io/api";

/** Default deadline of each unary call: long enough for the slowest RPC, short enough to notice a hung server. */
export const defaultTimeoutMs = 60_000;

export interface GitpodClientOptions {
  /** Where the API is served, e.g. "https://app.gitpod.io/api" (default) or "http://127.0.0.1:8080". */
  baseUrl?: string;
  /**
   * The API token, or a function returning it (sync or async). A function is called for every
   * request, retries included, so it can refresh an expiring token; cache inside it if that is costly.
   */
  token?: TokenSource;
  /** Default "connect". */
  protocol?: Protocol;
  /** Connect and gRPC-web only: protobuf binary instead of JSON (default false; gRPC is always binary). */
  binary?: boolean;
  /** Connect only: call RPCs that have no side effects with HTTP GET (cacheable; default false). */
  useHttpGet?: boolean;
  /** Deadline of each unary call unless the call gives its own (default 60 s; 0 = none). Streams have none by default. */
  timeoutMs?: number;
  /** Retry policy; `false` turns retries off. */
  retry?: Partial<RetryOptions> | false;
  /** Prepended to the client's own user agent, e.g. "my-tool/1.2". */
  userAgent?: string;
  /** More Connect interceptors, run innermost: after retries and authentication, once per attempt. */
  interceptors?: Interceptor[];
}

export interface ResolvedOptions {
  baseUrl: string;
  token: TokenSource | undefined;
  protocol: Protocol;
  binary: boolean;
  useHttpGet: boolean;
  timeoutMs: number | undefined;
  retry: RetryOptions | false;
  userAgent: string | undefined;
  interceptors: Interceptor[];
}

/** A bad option: thrown by the constructor, naming the option. */
export class InvalidOptionError extends TypeError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`GitpodClient: options.${option} ${message}`);
    this.name = "InvalidOptionError";
  }
}

const protocols: readonly Protocol[] = ["connect", "grpc-web", "grpc"];

export function resolveOptions(options: GitpodClientOptions, supported: readonly Protocol[] = protocols): ResolvedOptions {
  const baseUrl = options.baseUrl ?? defaultBaseUrl;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidOptionError("baseUrl", `must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidOptionError("baseUrl", `must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (url.search || url.hash) throw new InvalidOptionError("baseUrl", `must have no query or fragment, got ${JSON.stringify(baseUrl)}`);
  const protocol = options.protocol ?? "connect";
  if (!protocols.includes(protocol)) throw new InvalidOptionError("protocol", `must be one of ${protocols.join(", ")}, got ${JSON.stringify(protocol)}`);
  if (!supported.includes(protocol)) throw new InvalidOptionError("protocol", `"${protocol}" is not available here (use ${supported.join(" or ")})`);
  if (options.binary !== undefined && typeof options.binary !== "boolean") throw new InvalidOptionError("binary", "must be a boolean");
  if (options.useHttpGet && protocol !== "connect") throw new InvalidOptionError("useHttpGet", "works with the connect protocol only");
  const token = options.token;
  if (token !== undefined && typeof token !== "string" && typeof token !== "function") {
    throw new InvalidOptionError("token", "must be a string or a function returning one");
  }
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new InvalidOptionError("timeoutMs", `must be a whole number of milliseconds, 0 or more, got ${timeoutMs}`);
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    token,
    protocol,
    binary: protocol === "grpc" || (options.binary ?? false),
    useHttpGet: options.useHttpGet ?? false,
    timeoutMs: timeoutMs === 0 ? undefined : timeoutMs,
    retry: options.retry === false ? false : resolveRetry(options.retry ?? {}),
    userAgent: options.userAgent,
    interceptors: options.interceptors ?? [],
  };
}

function resolveRetry(given: Partial<RetryOptions>): RetryOptions {
  const retry = { ...defaultRetryOptions, ...given };
  for (const key of ["maxRetries", "initialDelayMs", "maxDelayMs", "maxRetryAfterMs"] as const) {
    const value = retry[key];
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidOptionError(`retry.${key}`, `must be a whole number, 0 or more, got ${value}`);
  }
  if (retry.maxDelayMs < retry.initialDelayMs) throw new InvalidOptionError("retry.maxDelayMs", "must not be less than retry.initialDelayMs");
  return retry;
}
