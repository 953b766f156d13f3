// WatchEvents: a server stream of the resource events (events/) the caller's scope and filters
// select, from the moment of the call. It ends when the client cancels, when the server shuts
// down, and with resource_exhausted when the client reads too slowly (events/event-hub.ts). Its
// response head goes out as soon as the subscription exists, so a client knows when its watch is
// live (and may then read the current state without missing a change), though no event came yet.
import { create } from "@bufbuild/protobuf";
import { EventService, WatchEventsResponseSchema } from "@gitpod-connect/schema/gitpod/v1/event";
import { callerOf, defineHandlers, sendHeadersNow } from "../../rpc/index.js";
import { eventFilter } from "./event-filter.js";

export const watchEvents = defineHandlers(EventService, (deps) => ({
  async *watchEvents(req, ctx) {
    const subscription = deps.events.subscribe(await eventFilter(deps.store, callerOf(ctx), req));
    sendHeadersNow(ctx);
    const cancel = () => subscription.close();
    ctx.signal.addEventListener("abort", cancel);
    try {
      for (let event = await subscription.next(); event; event = await subscription.next()) {
        yield create(WatchEventsResponseSchema, {
          operation: event.operation,
          resourceType: event.resourceType,
          resourceId: event.resourceId,
        });
      }
    } finally {
      ctx.signal.removeEventListener("abort", cancel);
      subscription.close();
    }
  },
}));
