// The two small groups of the API reference: the event stream and the caller's identity.
import type { Services } from "./services.js";

export function eventsApi(s: Services) {
  return {
    /**
     * The stream of changes the request's scope and filters select, from the moment it is first
     * read; it never ends by itself: leaving the loop (break) or the call's signal closes it.
     */
    watch: s.event.watchEvents,
  };
}

export function identityApi(s: Services) {
  return {
    getAuthenticatedIdentity: s.identity.getAuthenticatedIdentity,
  };
}

export type EventsApi = ReturnType<typeof eventsApi>;
export type IdentityApi = ReturnType<typeof identityApi>;
