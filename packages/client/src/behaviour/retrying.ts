// The retry loop itself, independent of what is retried: an RPC (retry.ts) or a raw HTTP request
// (raw/raw-request.ts) give it one attempt and a way to read the failure.
import type { ConnectError } from "@connectrpc/connect";
import { abortError, retryDelayMs, type RetryOptions } from "./retry-policy.js";
import { sleep } from "./sleep.js";

export interface Failure {
  error: ConnectError;
  /** The Retry-After the server sent with it, if any. */
  retryAfter: string | null;
}

/**
 * Runs `attempt` until it succeeds or fails in a way the policy does not retry. `failureOf` turns
 * what the attempt threw into a Failure, or undefined for a thrown value that is never retried.
 */
export async function withRetries<T>(
  procedure: string,
  options: RetryOptions,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
  failureOf: (thrown: unknown) => Failure | undefined,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await attempt();
    } catch (thrown) {
      const failure = failureOf(thrown);
      if (!failure || signal?.aborted) throw thrown;
      const delayMs = retryDelayMs(failure.error, retry, options, failure.retryAfter);
      if (delayMs === undefined) throw thrown;
      options.onRetry?.({ procedure, retry, delayMs, error: failure.error });
      try {
        await sleep(delayMs, signal);
      } catch {
        throw abortError(signal!);
      }
    }
  }
}
