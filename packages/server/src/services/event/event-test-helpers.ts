// Helpers of the event tests: reading a WatchEvents stream one event at a time, and waiting until
// the server holds a given number of subscriptions (a stream is subscribed once its request has
// reached the handler, which the client does not tell).
import type { MessageInitShape } from "@bufbuild/protobuf";
import { EventService, ResourceOperation, ResourceType, type WatchEventsRequestSchema, type WatchEventsResponse } from "@gitpod-connect/schema/gitpod/v1/event";
import type { Flavour, TestServer } from "../../test-support/test-server.js";

export interface EventReader {
  /** The next event, or "end" when the stream finished; rejects with the stream's error. */
  next(timeoutMs?: number): Promise<WatchEventsResponse | "end">;
  /** Whether no event (and no end) arrives within `ms`; an event that arrives later is kept for next(). */
  quietFor(ms: number): Promise<boolean>;
  /** Cancels the stream from the client side. */
  cancel(): void;
}

/** "UPDATE_STATUS ENVIRONMENT <id>": an event in words. */
export const describeEvent = (e: WatchEventsResponse | "end") =>
  e === "end" ? "end" : `${ResourceOperation[e.operation]} ${ResourceType[e.resourceType]} ${e.resourceId}`;

/** Waits (real time) until the server has `count` open subscriptions. */
export async function untilSubscriptions(server: TestServer, count: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.deps.events.subscriptions !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} subscriptions, the server holds ${server.deps.events.subscriptions}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const opened = new Set<EventReader>();

/** Cancels every stream the tests opened and waits until the server released them all. */
export async function releaseStreams(server: TestServer): Promise<void> {
  for (const reader of opened) reader.cancel();
  opened.clear();
  await untilSubscriptions(server, 0);
}

/** Opens a stream and waits until the server has subscribed it (tests release streams before the next starts). */
export async function watch(
  server: TestServer,
  token: string,
  request: MessageInitShape<typeof WatchEventsRequestSchema>,
  flavour: Flavour = "connect-json",
): Promise<EventReader> {
  const before = server.deps.events.subscriptions;
  const abort = new AbortController();
  const iterator = server.client(EventService, token, flavour).watchEvents(request, { signal: abort.signal })[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<WatchEventsResponse>> | undefined = iterator.next();
  // Keep an early rejection from going unhandled until a test reads it.
  pending.catch(() => undefined);
  await Promise.race([untilSubscriptions(server, before + 1), pending.then(() => undefined)]);
  const settled = async (ms: number) => {
    pending ??= iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      const r = await Promise.race([pending.then((value) => ({ value })), waited]);
      if (r) pending = undefined;
      return r?.value;
    } finally {
      clearTimeout(timer);
    }
  };
  const reader: EventReader = {
    async next(timeoutMs = 5_000) {
      const r = await settled(timeoutMs);
      if (!r) throw new Error(`no event within ${timeoutMs} ms`);
      return r.done ? "end" : r.value;
    },
    async quietFor(ms: number) {
      return (await settled(ms)) === undefined;
    },
    cancel: () => abort.abort(),
  };
  opened.add(reader);
  return reader;
}
