// WatchEvents sends its response head as soon as the subscription exists: a client learns that its
// watch is live while nothing has happened yet (and may then read the current state without
// missing a change). Events still follow; errors before the subscription are still errors.
import { fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import {
  EventService,
  ResourceOperation,
  ResourceType,
  WatchEventsResponseSchema,
  type WatchEventsRequestSchema,
  type WatchEventsResponse,
} from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectFailure } from "../../test-support/expectations.js";
import { frame } from "../../test-support/raw-request.js";
import { flavours, startTestServer, testTokens, type Flavour, type TestServer } from "../../test-support/test-server.js";
import { untilSubscriptions } from "./event-test-helpers.js";

let server: TestServer;
const aborts: AbortController[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await untilSubscriptions(server, 0);
});

const watchPath = "/gitpod.v1.EventService/WatchEvents";
const auth = { authorization: `Bearer ${testTokens.admin}` };

function cancellation(): AbortSignal {
  const abort = new AbortController();
  aborts.push(abort);
  return abort.signal;
}

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Something that makes one event in the organization scope: a new runner. */
async function createRunner(name: string): Promise<string> {
  const { runner } = await server.client(RunnerService, testTokens.admin).createRunner({ name, provider: RunnerProvider.GCP });
  return runner!.runnerId;
}

/** The messages of enveloped response bytes (Connect streams, gRPC-web), end/trailer frames left out. */
function dataFrames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = Buffer.from(bytes);
  for (let at = 0; at + 5 <= view.length; at += 5 + view.readUInt32BE(at + 1)) {
    if ((view[at]! & 0x80) === 0 && (view[at]! & 0x02) === 0) out.push(view.subarray(at + 5, at + 5 + view.readUInt32BE(at + 1)));
  }
  return out;
}

describe("the response head of WatchEvents", () => {
  it.each(flavours)("reaches a %s client (onHeader) once the watch is live, before any event", async (flavour) => {
    let headerSeen!: (h: Headers) => void;
    const header = new Promise<Headers>((resolve) => (headerSeen = resolve));
    const events = server
      .client(EventService, testTokens.admin, flavour)
      .watchEvents({ scope: { case: "organization", value: true } }, { signal: cancellation(), onHeader: headerSeen });
    const stream = events[Symbol.asyncIterator]();
    const first = stream.next();
    first.catch(() => undefined);

    const h = await header;
    // The head follows the subscription: a change made now is seen.
    expect(server.deps.events.subscriptions).toBe(1);
    expect(h.get("content-type")).toMatch(/^application\/(connect\+json|connect\+proto|grpc|grpc-web\+proto)/);
    expect(await settlesWithin(first, 50)).toBe(false);

    const runnerId = await createRunner(`head-${flavour}`);
    const event = (await first).value as WatchEventsResponse;
    expect(event).toMatchObject({ operation: ResourceOperation.CREATE, resourceType: ResourceType.RUNNER, resourceId: runnerId });
  });

  it("reaches fetch for a Connect stream (application/connect+json) before any event; events follow", async () => {
    const signal = cancellation();
    const res = await fetch(server.url + watchPath, {
      method: "POST",
      headers: { "content-type": "application/connect+json", ...auth },
      body: frame(Buffer.from('{"organization":true}')),
      signal,
    });
    expect([res.status, res.headers.get("content-type")]).toEqual([200, "application/connect+json"]);
    expect(server.deps.events.subscriptions).toBe(1);
    const reader = res.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const chunk = reader.read();
    expect(await settlesWithin(chunk, 50)).toBe(false);
    const runnerId = await createRunner("head-fetch-connect");
    const [message] = dataFrames((await chunk).value!);
    expect(JSON.parse(Buffer.from(message!).toString("utf8"))).toMatchObject({ operation: "RESOURCE_OPERATION_CREATE", resourceType: "RESOURCE_TYPE_RUNNER", resourceId: runnerId });
  });

  it("reaches fetch for a gRPC-web stream before any event; events follow", async () => {
    const signal = cancellation();
    const res = await fetch(server.url + watchPath, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...auth },
      body: frame(new Uint8Array(0)),
      signal,
    });
    expect([res.status, res.headers.get("content-type"), res.headers.get("grpc-status")]).toEqual([200, "application/grpc-web+proto", null]);
    expect(server.deps.events.subscriptions).toBe(1);
    const reader = res.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const chunk = reader.read();
    expect(await settlesWithin(chunk, 50)).toBe(false);
    const runnerId = await createRunner("head-fetch-grpc-web");
    const [message] = dataFrames((await chunk).value!);
    expect(fromBinary(WatchEventsResponseSchema, message!)).toMatchObject({ operation: ResourceOperation.CREATE, resourceId: runnerId });
  });
});

describe("errors before the subscription", () => {
  const consume = async (flavour: Flavour, token: string | undefined, request: MessageInitShape<typeof WatchEventsRequestSchema>) => {
    for await (const _event of server.client(EventService, token, flavour).watchEvents(request, { signal: cancellation() })) {
      throw new Error("expected no event");
    }
  };

  it.each(flavours)("still come back as errors over %s: unauthenticated, invalid_argument, not_found", async (flavour) => {
    await expectFailure(consume(flavour, undefined, {}), Code.Unauthenticated);
    await expectFailure(consume(flavour, testTokens.admin, { scope: { case: "organization", value: false } }), Code.InvalidArgument);
    await expectFailure(consume(flavour, testTokens.admin, { scope: { case: "environmentId", value: "00000000-0000-4000-8000-00000000abcd" } }), Code.NotFound);
    expect(server.deps.events.subscriptions).toBe(0);
  });

  it("still end a Connect stream with the error in its end message", async () => {
    const connect = await fetch(server.url + watchPath, {
      method: "POST",
      headers: { "content-type": "application/connect+json" },
      body: frame(Buffer.from("{}")),
    });
    expect(connect.status).toBe(200);
    const end = Buffer.from(await connect.arrayBuffer());
    expect(end[0]).toBe(0x02);
    expect(JSON.parse(end.subarray(5).toString("utf8"))).toMatchObject({ error: { code: "unauthenticated" } });
  });
});
