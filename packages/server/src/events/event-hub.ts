// The event hub: one listener on the store's change feed fans every resource event out to the
// subscriptions whose filter it matches. Events are produced by the one code path that writes —
// the store's commit — never by handlers, so no write is missed, and a resource's events come in
// its write order (commits are serialized, each commit's writes in order).
//
// Writers never wait for readers: publishing only appends to each matching subscription's queue.
// A queue holds at most `bufferSize` events; a subscriber that falls further behind is ended with
// resource_exhausted (it would otherwise miss events silently) and should re-read what it watches
// and subscribe again.
import { resourceExhausted } from "../errors.js";
import type { Store } from "../store/store.js";
import { resourceEventOf, type ResourceEvent } from "./resource-events.js";

/** Default queue bound per subscription. */
export const defaultEventBufferSize = 1_000;

export interface Subscription {
  /** The next event; undefined when the subscription ended (closed, or the hub shut down). Throws resource_exhausted after an overflow. */
  next(): Promise<ResourceEvent | undefined>;
  /** Ends the subscription; a pending next() resolves undefined. */
  close(): void;
}

export interface EventHub {
  subscribe(matches: (event: ResourceEvent) => boolean): Subscription;
  /** Subscriptions currently open. */
  readonly subscriptions: number;
  /** Ends every subscription and stops listening to the store (server shutdown). */
  close(): void;
}

export function createEventHub(store: Store, options: { bufferSize?: number } = {}): EventHub {
  const bufferSize = options.bufferSize ?? defaultEventBufferSize;
  const open = new Set<Sub>();
  let closed = false;

  interface Sub {
    matches: (event: ResourceEvent) => boolean;
    queue: ResourceEvent[];
    /** Resolves the pending next(). */
    wake?: () => void;
    ended: boolean;
    overflowed: boolean;
  }

  const end = (sub: Sub) => {
    sub.ended = true;
    open.delete(sub);
    sub.wake?.();
  };

  const unsubscribe = store.onCommit((changes) => {
    if (open.size === 0) return;
    for (const change of changes) {
      const event = resourceEventOf(change);
      if (!event) continue;
      for (const sub of open) {
        if (!sub.matches(event)) continue;
        if (sub.queue.length >= bufferSize) {
          sub.overflowed = true;
          end(sub);
          continue;
        }
        sub.queue.push(event);
        sub.wake?.();
      }
    }
  });

  return {
    subscribe(matches) {
      const sub: Sub = { matches, queue: [], ended: closed, overflowed: false };
      if (!closed) open.add(sub);
      return {
        async next() {
          for (;;) {
            const event = sub.queue.shift();
            if (event) return event;
            if (sub.overflowed)
              throw resourceExhausted(
                `the event stream fell more than ${bufferSize} events behind and was ended; read the resources again and watch anew`,
              );
            if (sub.ended) return undefined;
            await new Promise<void>((resolve) => (sub.wake = resolve));
            sub.wake = undefined;
          }
        },
        close: () => {
          sub.queue.length = 0;
          end(sub);
        },
      };
    },
    get subscriptions() {
      return open.size;
    },
    close() {
      closed = true;
      unsubscribe();
      for (const sub of [...open]) end(sub);
    },
  };
}
