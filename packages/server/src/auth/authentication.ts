// Authentication, the first thing every RPC goes through: `Authorization: Bearer <token>` must
// name a known token, else the call fails with unauthenticated before anything else happens.
import type { Interceptor } from "@connectrpc/connect";
import { unauthenticated } from "../errors.js";
import { callerKey, type Caller } from "./caller.js";
import type { TokenStore } from "./token-store.js";

/** The token of an Authorization header value, or undefined when it is not a bearer token. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

/** Resolves an Authorization header to its Caller; throws unauthenticated otherwise. */
export async function authenticate(authorization: string | null | undefined, tokens: TokenStore): Promise<Caller> {
  const token = bearerToken(authorization);
  if (token === undefined) throw unauthenticated("missing bearer token: send Authorization: Bearer <token>");
  const caller = await tokens.resolve(token);
  if (!caller) throw unauthenticated("unknown or expired bearer token");
  return caller;
}

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
