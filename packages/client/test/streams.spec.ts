// Server streams end when their reader does: leaving the loop cancels the request on the server,
// and nothing buffered is yielded after an abort.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type ConnectError, type GitpodClient } from "../src/node.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

let server: ClientTestServer;
let client: GitpodClient;
const subscriptions = () => server.deps.events.subscriptions;

beforeAll(async () => {
  server = await startClientTestServer();
  client = server.client();
  // No lifecycle steps: the only events are the ones a test makes.
  await server.testing("/clock/freeze");
});
afterAll(() => server.close());

const createEnvironment = () => client.environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } });

describe("streams", () => {
  for (const [name, open] of [
    ["events.watch", () => client.events.watch({ scope: { case: "organization", value: true } })],
    ["rpc.stream", () => client.rpc.stream("gitpod.v1.EventService/WatchEvents", { scope: { case: "organization", value: true } })],
    ["rpc.streamJson", () => client.rpc.streamJson("gitpod.v1.EventService/WatchEvents", { organization: true })],
  ] as const) {
    it(`${name}: leaving the loop closes the stream on the server`, async () => {
      const before = subscriptions();
      const reading = (async () => {
        for await (const event of open() as AsyncIterable<unknown>) return event;
        return undefined;
      })();
      await expect.poll(subscriptions).toBe(before + 1);
      await createEnvironment();
      expect(await reading).toBeDefined();
      await expect.poll(subscriptions).toBe(before);
    });
  }

  it("ends with canceled once its signal aborts, yielding nothing more", async () => {
    const abort = new AbortController();
    const events = client.events.watch({ scope: { case: "organization", value: true } }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = events.next();
    await expect.poll(subscriptions).toBeGreaterThan(0);
    await createEnvironment();
    await createEnvironment();
    expect((await first).done).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    const error = await events.next().then(() => undefined, (e: unknown) => e as ConnectError);
    expect(error?.code).toBe(Code.Canceled);
  });
});
