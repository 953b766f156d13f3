// Who a call is from: `Authorization: Bearer <token>` must name a known token, else unauthenticated.
// Used by the HTTP guard (before the body is read) and by the authentication interceptor.
import { unauthenticated } from "../errors.js";
import type { Caller } from "./caller.js";
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
