// Many streams at once: one server process holds 1,000 concurrent WatchEvents streams (over HTTP/2,
// in four sessions of at most 250 streams each), delivers one write to every one of them, and
// releases them all when the clients cancel. Counts, not timings.
import { createClient } from "@connectrpc/connect";
import { EventService, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, testTokens, transport, type TestServer } from "../../test-support/test-server.js";
import { untilSubscriptions } from "./event-test-helpers.js";

const streams = 1_000;
const perSession = 250;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it(`holds ${streams} concurrent streams, delivers a write to each, and releases them all on cancel`, { timeout: 60_000 }, async () => {
  const clients = Array.from({ length: streams / perSession }, () => createClient(EventService, transport(server.url, "grpc", testTokens.admin)));
  const abort = new AbortController();
  const request = { scope: { case: "organization" as const, value: true }, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER }] };
  const firsts = Array.from({ length: streams }, (_, i) => {
    const stream = clients[i % clients.length]!.watchEvents(request, { signal: abort.signal });
    return stream[Symbol.asyncIterator]().next();
  });
  await untilSubscriptions(server, streams, 30_000);
  const { runner } = await server.client(RunnerService, testTokens.admin).createRunner({ name: "seen by all", provider: RunnerProvider.GCP });
  const received = await Promise.all(firsts);
  expect(received.filter((r) => !r.done && r.value.resourceId === runner!.runnerId)).toHaveLength(streams);
  abort.abort();
  await untilSubscriptions(server, 0, 30_000);
});
