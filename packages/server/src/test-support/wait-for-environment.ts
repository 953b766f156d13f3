// A client that waits for an environment the way the current official SDK does (1.0.1,
// `waitForEnvironment` in its lib/esm/sdk/environments.js): read the environment; if it is not
// there yet, watch the organization's events for that environment and read it again after each
// one, until it is. Written on our generated client, so the tests prove the server serves it.
import type { Client } from "@connectrpc/connect";
import type { Environment, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ResourceType, type EventService } from "@gitpod-connect/schema/gitpod/v1/event";

export async function waitForEnvironment(
  environments: Client<typeof EnvironmentService>,
  events: Client<typeof EventService>,
  environmentId: string,
  done: (environment: Environment) => boolean,
  signal?: AbortSignal,
): Promise<Environment> {
  const read = async () => (await environments.getEnvironment({ environmentId }, { signal })).environment!;
  let current = await read();
  if (done(current)) return current;
  // connect-es does not cancel a call when iteration stops early: the stream is aborted when done.
  const stop = new AbortController();
  const stopWith = () => stop.abort(signal?.reason);
  signal?.addEventListener("abort", stopWith);
  try {
    const stream = events.watchEvents(
      { scope: { case: "organization", value: true }, resourceTypeFilters: [{ resourceType: ResourceType.ENVIRONMENT, resourceIds: [environmentId] }] },
      { signal: stop.signal },
    );
    for await (const event of stream) {
      if (event.resourceType !== ResourceType.ENVIRONMENT || event.resourceId !== environmentId) continue;
      current = await read();
      if (done(current)) return current;
    }
    throw new Error(`the event stream ended before environment ${environmentId} got there`);
  } finally {
    signal?.removeEventListener("abort", stopWith);
    stop.abort();
  }
}
