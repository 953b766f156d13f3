// What every service implementation gets: the store, the clock, id generation, page tokens and
// the token store. One instance per server; tests build their own with createHandlerDeps().
import { createTokenStore, type TokenStore } from "./auth/token-store.js";
import { createEventHub, type EventHub } from "./events/event-hub.js";
import { systemClock, type ControllableClock } from "./clock.js";
import { randomIds, type IdGenerator } from "./ids.js";
import { createPageTokens, type PageTokens } from "./pagination/index.js";
import { createMemoryStore } from "./store/memory-store.js";
import type { Store } from "./store/store.js";

export interface HandlerDeps {
  /** All state. See store/store.ts. */
  readonly store: Store;
  /** Current time (clock.now() for created_at/updated_at) and timers; tests and the testing controls move it. */
  readonly clock: ControllableClock;
  /** New resource ids (time-ordered UUIDv7): ids.newId(). */
  readonly ids: IdGenerator;
  /** Signs and verifies page tokens; pass to paginate(). */
  readonly pageTokens: PageTokens;
  /** Bearer tokens: issue/register a token for any principal (e.g. a runner). */
  readonly tokens: TokenStore;
  /** Resource events, from the store's change feed: subscribe with a filter (WatchEvents). */
  readonly events: EventHub;
}

/** Fresh dependencies: an empty in-memory store, the system clock and random ids unless overridden. */
export function createHandlerDeps(
  overrides: Partial<Omit<HandlerDeps, "tokens" | "events">> & { eventBufferSize?: number } = {},
): HandlerDeps {
  const store = overrides.store ?? createMemoryStore();
  const clock = overrides.clock ?? systemClock();
  return {
    store,
    clock,
    ids: overrides.ids ?? randomIds,
    pageTokens: overrides.pageTokens ?? createPageTokens(),
    tokens: createTokenStore(store, clock),
    events: createEventHub(store, overrides.eventBufferSize !== undefined ? { bufferSize: overrides.eventBufferSize } : {}),
  };
}
