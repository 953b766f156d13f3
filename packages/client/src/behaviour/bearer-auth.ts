// Bearer authentication: the token, or what a provider function returns, on every request
// (retries included, so a provider can hand out a refreshed token). A call that sets its own
// Authorization header keeps it.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

export type TokenProvider = () => string | Promise<string>;
export type TokenSource = string | TokenProvider;

/** The token for one request; a provider that fails or returns no string fails the call as unauthenticated. */
export async function resolveToken(source: TokenSource): Promise<string> {
  if (typeof source === "string") return source;
  let token: unknown;
  try {
    token = await source();
  } catch (e) {
    throw new ConnectError(`the token provider failed: ${e instanceof Error ? e.message : String(e)}`, Code.Unauthenticated, undefined, undefined, e);
  }
  if (typeof token !== "string" || token === "") {
    throw new ConnectError("the token provider returned no token", Code.Unauthenticated);
  }
  return token;
}

/** Sets `Authorization: Bearer <token>` on `header` unless it has one already. */
export async function authorize(header: Headers, source: TokenSource | undefined): Promise<void> {
  if (source === undefined || header.has("authorization")) return;
  header.set("authorization", `Bearer ${await resolveToken(source)}`);
}

export function bearerAuthInterceptor(source: TokenSource): Interceptor {
  return (next) => async (req) => {
    await authorize(req.header, source);
    return next(req);
  };
}
