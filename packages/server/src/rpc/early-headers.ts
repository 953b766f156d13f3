// The response head of a server stream before its first message. connect-node sends it with the
// first message, so a stream that stays quiet (WatchEvents until something changes) tells its
// client nothing — not even that it is live. A handler calls sendHeadersNow(ctx) once it is (the
// subscription exists); the request handler (http/request-handler.ts) then writes the status and
// headers at once. Outside that handler (another adapter, an in-memory transport) it does nothing.
import { createContextKey, type HandlerContext } from "@connectrpc/connect";

/** Writes the response head now, with these headers (the handler context's responseHeader). */
export type SendHeaders = (header: Headers) => void;

export const earlyHeadersKey = createContextKey<SendHeaders | undefined>(undefined, {
  description: "sends a server stream's response head before its first message",
});

/** Lets the response head go now; headers set on ctx.responseHeader after this are not sent. */
export function sendHeadersNow(ctx: HandlerContext): void {
  ctx.values.get(earlyHeadersKey)?.(ctx.responseHeader);
}
