// Deadlines: a default for unary calls, a per-call override, none for streams unless asked; sent
// to the server (connect-timeout-ms / grpc-timeout) and enforced by the client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "../src/node.js";
import { delayInterceptor, requestRecorder } from "./support/server-interceptors.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

const slow = (ms: number) => ({ headers: { "x-test-delay-ms": String(ms) } });
const recorder = requestRecorder();
let server: ClientTestServer;

beforeAll(async () => {
  server = await startClientTestServer({ interceptors: [recorder.interceptor, delayInterceptor] });
});
afterAll(() => server.close());

function lastSeen(procedure: string): Headers {
  const seen = recorder.seen.filter((s) => s.procedure === procedure).at(-1);
  if (!seen) throw new Error(`the server saw no ${procedure}`);
  return seen.header;
}

describe("timeouts", () => {
  it("fail a unary call that outlasts the client's default with deadline_exceeded", async () => {
    const client = server.client({ timeoutMs: 150 });
    const error = await client.identity.getAuthenticatedIdentity({}, slow(2_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("send the deadline to the server, in each protocol's header", async () => {
    await server.client({ timeoutMs: 5_000 }).identity.getAuthenticatedIdentity({});
    expect(Number(lastSeen("gitpod.v1.IdentityService/GetAuthenticatedIdentity").get("connect-timeout-ms"))).toBe(5_000);
    await server.client({ timeoutMs: 5_000, protocol: "grpc" }).identity.getAuthenticatedIdentity({});
    expect(lastSeen("gitpod.v1.IdentityService/GetAuthenticatedIdentity").get("grpc-timeout")).toBe("5000m");
  });

  it("let a call's own timeoutMs override the default, both ways", async () => {
    const client = server.client({ timeoutMs: 100 });
    const identity = await client.identity.getAuthenticatedIdentity({}, { ...slow(300), timeoutMs: 5_000 });
    expect(identity.organizationId).toBe(server.bootstrap.organizationId);
    const generous = server.client({ timeoutMs: 10_000 });
    await expect(generous.identity.getAuthenticatedIdentity({}, { ...slow(2_000), timeoutMs: 100 })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
  });

  it("send no deadline when the default is off (timeoutMs: 0)", async () => {
    await server.client({ timeoutMs: 0 }).identity.getAuthenticatedIdentity({});
    expect(lastSeen("gitpod.v1.IdentityService/GetAuthenticatedIdentity").has("connect-timeout-ms")).toBe(false);
  });

  it("leave streams open past the unary default: a watch outlives it and still delivers events", async () => {
    const client = server.client({ timeoutMs: 150 });
    const abort = new AbortController();
    const events = client.events.watch({ scope: { case: "organization", value: true } }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = events.next();
    await new Promise((r) => setTimeout(r, 400));
    // The unary default is short on purpose; this call gets its own, so that a loaded machine cannot fail it.
    const { environment } = await client.environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } }, { timeoutMs: 30_000 });
    const event = await first;
    expect(event.done).toBe(false);
    expect(!event.done && event.value.resourceId).toBe(environment!.id);
    expect(lastSeen("gitpod.v1.EventService/WatchEvents").has("connect-timeout-ms")).toBe(false);
    abort.abort();
  });

  it("give a stream a deadline when the call asks for one", async () => {
    const client = server.client();
    const events = client.events.watch({ scope: { case: "organization", value: true } }, { timeoutMs: 200 });
    const error = await (async () => {
      for await (const _ of events) {
        /* no events: the deadline ends it */
      }
    })().catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
  });
});
