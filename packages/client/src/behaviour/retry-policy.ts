// When a failed call is tried again, and after how long. Shared by every level of the client:
// the RPC interceptor and the raw requests ask the same questions of the same policy.
import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";

export interface RetryOptions {
  /** Attempts after the first (default 2, as the official clients). */
  maxRetries: number;
  /** Backoff before the first retry; it doubles for each further one (default 500 ms). */
  initialDelayMs: number;
  /** The longest backoff (default 8 s). */
  maxDelayMs: number;
  /** A server's Retry-After longer than this is not waited for: the error is surfaced (default 60 s). */
  maxRetryAfterMs: number;
  /** Retry also RPCs that are not safe to repeat (Create…, StartTask) — default false. */
  unsafe: boolean;
  /** Told before each retry, e.g. for logging. */
  onRetry?: (retry: RetryEvent) => void;
}

export interface RetryEvent {
  /** What is retried: an RPC's "package.Service/Method", or a raw request's "METHOD /path". */
  procedure: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** Why: the error of the failed attempt. */
  error: ConnectError;
}

export const defaultRetryOptions: RetryOptions = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  unsafe: false,
};

/** The codes that mean "not now" rather than "not this": the server may well succeed later. */
const retryableCodes: ReadonlySet<Code> = new Set([Code.Unavailable, Code.ResourceExhausted]);

export function isRetryableError(error: ConnectError): boolean {
  return retryableCodes.has(error.code);
}

/** Whether repeating the RPC cannot do more than doing it once: the schema's idempotency level says. */
export function isSafeToRepeat(method: DescMethod): boolean {
  return method.idempotency === Idempotency.NO_SIDE_EFFECTS || method.idempotency === Idempotency.IDEMPOTENT;
}

/**
 * The wait before retry number `retry` (1-based): exponential backoff with equal jitter — half the
 * backoff is fixed, half random — so clients that failed together do not retry together, yet
 * never retry at once.
 */
export function backoffDelayMs(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The server's Retry-After header in milliseconds: delta-seconds or an HTTP date (RFC 9110,
 * 10.2.3). Undefined when absent or unreadable, so the backoff applies instead.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // An HTTP date names its weekday and month; Date.parse would also take "-1" as a year.
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait before retrying after `error`, or undefined when it must not be retried: a code that
 * is no transient failure, no retries left, or a Retry-After longer than the policy waits.
 */
export function retryDelayMs(error: ConnectError, retry: number, options: RetryOptions, retryAfter: string | null): number | undefined {
  if (!isRetryableError(error) || retry > options.maxRetries) return undefined;
  const serverSays = parseRetryAfterMs(retryAfter);
  if (serverSays !== undefined) return serverSays <= options.maxRetryAfterMs ? serverSays : undefined;
  return backoffDelayMs(retry, options);
}

/** The error an aborted wait ends with: the signal's reason as a ConnectError (canceled, or deadline_exceeded for a deadline). */
export function abortError(signal: AbortSignal): ConnectError {
  return ConnectError.from(signal.reason ?? new ConnectError("the operation was aborted", Code.Canceled), Code.Canceled);
}
