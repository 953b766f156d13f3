// Retries of unary RPCs as a Connect interceptor. Only RPCs that are safe to repeat (the schema
// marks them NO_SIDE_EFFECTS or IDEMPOTENT) are retried, unless the client or the call opts in;
// streams are never retried here (the waiting helpers resume their own watches). The call's
// deadline covers all attempts and waits: a retry never outlives the timeout the caller set.
import { Code, ConnectError, createContextKey, type ContextKey, type Interceptor } from "@connectrpc/connect";
import { isSafeToRepeat, type RetryOptions } from "./retry-policy.js";
import { withRetries } from "./retrying.js";

/** A call's own say: true retries it even if unsafe, false never retries it; undefined follows the policy. */
export const retryOverrideKey: ContextKey<boolean | undefined> = createContextKey<boolean | undefined>(undefined, {
  description: "gitpod-connect client: retry override of one call",
});

export function retryInterceptor(options: RetryOptions): Interceptor {
  return (next) => async (req) => {
    if (req.stream) return next(req);
    const override = req.contextValues.get(retryOverrideKey);
    const allowed = override ?? (options.unsafe || isSafeToRepeat(req.method));
    if (!allowed || options.maxRetries === 0) return next(req);
    return withRetries(
      `${req.service.typeName}/${req.method.name}`,
      options,
      req.signal,
      () => next(req),
      (thrown) => {
        // An abort by the caller or the deadline is final, whatever code it carries.
        if (req.signal.aborted) return undefined;
        const error = ConnectError.from(thrown, Code.Unknown);
        return { error, retryAfter: error.metadata.get("retry-after") };
      },
    );
  };
}
