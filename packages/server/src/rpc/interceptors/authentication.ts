// Authentication, the first thing every RPC goes through after the pre-flight errors: the caller of
// the call, or unauthenticated before anything else happens.
import type { Interceptor } from "@connectrpc/connect";
import { authenticate } from "../../auth/authentication.js";
import { callerKey } from "../../auth/caller.js";
import type { TokenStore } from "../../auth/token-store.js";

/**
 * Sets the Caller of each call, or fails it with unauthenticated. A caller already set by the
 * HTTP layer (which checks before reading the body) is kept.
 */
export function authenticationInterceptor(tokens: TokenStore): Interceptor {
  return (next) => async (req) => {
    if (!req.contextValues.get(callerKey)) {
      req.contextValues.set(callerKey, await authenticate(req.header.get("authorization"), tokens));
    }
    return next(req);
  };
}
