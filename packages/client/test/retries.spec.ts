// Retries against the server's testing controls, which fail the next N calls of an RPC with a
// chosen code and Retry-After: only RPCs safe to repeat are retried unless the caller opts in;
// unavailable and resource_exhausted only; Retry-After is honoured on every protocol; the call's
// deadline bounds it all; raw requests follow the same policy.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Code, ConnectError, type GitpodClient, type NodeClientOptions, type RetryEvent } from "../src/node.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

let server: ClientTestServer;
let environmentId: string;
const get = "gitpod.v1.EnvironmentService/GetEnvironment";
const create = "gitpod.v1.EnvironmentService/CreateEnvironment";

beforeAll(async () => {
  server = await startClientTestServer();
  const { environment } = await server.client().environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } });
  environmentId = environment!.id;
});
afterAll(() => server.close());
beforeEach(() => server.testing("/rpc-failures", undefined, "DELETE"));

/** Makes the next `count` calls of `procedure` fail. */
const fail = (procedure: string, code: string, count: number, extra: { message?: string; retryAfterSeconds?: number } = {}) =>
  server.testing("/rpc-failures", { procedure, code, count, ...extra });
const remaining = async () => ((await server.testing("/rpc-failures", undefined, "GET")) as { rpcFailures: { count: number }[] }).rpcFailures.reduce((n, f) => n + f.count, 0);

/** A client with fast backoff that records its retries. */
function retrying(options: NodeClientOptions = {}, retry: NodeClientOptions["retry"] = {}): { client: GitpodClient; retries: RetryEvent[] } {
  const retries: RetryEvent[] = [];
  const client = server.client({ ...options, retry: { initialDelayMs: 2, maxDelayMs: 4, onRetry: (r) => retries.push(r), ...(retry || {}) } });
  return { client, retries };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ConnectError);

describe("retries", () => {
  it("repeat a read that fails unavailable until it answers", async () => {
    await fail(get, "unavailable", 2);
    const { client, retries } = retrying();
    const { environment } = await client.environments.retrieve({ environmentId });
    expect(environment?.id).toBe(environmentId);
    expect(retries.map((r) => [r.procedure, r.retry, r.error.code])).toEqual([
      [get, 1, Code.Unavailable],
      [get, 2, Code.Unavailable],
    ]);
    expect(await remaining()).toBe(0);
  });

  it("repeat resource_exhausted too", async () => {
    await fail(get, "resource_exhausted", 1);
    const { client, retries } = retrying();
    await client.environments.retrieve({ environmentId });
    expect(retries.map((r) => r.error.code)).toEqual([Code.ResourceExhausted]);
  });

  it("give up after maxRetries and surface the last error with its code and message", async () => {
    await fail(get, "unavailable", 5, { message: "the database is being upgraded" });
    const { client, retries } = retrying();
    const error = await failure(client.environments.retrieve({ environmentId }));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toBe("the database is being upgraded");
    expect(retries).toHaveLength(2);
    expect(await remaining()).toBe(2);
  });

  it("leave other codes alone", async () => {
    await fail(get, "internal", 1);
    const { client, retries } = retrying();
    expect((await failure(client.environments.retrieve({ environmentId })))?.code).toBe(Code.Internal);
    expect(retries).toHaveLength(0);
  });

  it("never repeat an RPC that is not safe to repeat, unless asked", async () => {
    const before = (await server.client().environments.list().toArray()).length;
    await fail(create, "unavailable", 1);
    const { client, retries } = retrying();
    const spec = { spec: { machine: { class: server.bootstrap.environmentClassId } } };
    expect((await failure(client.environments.create(spec)))?.code).toBe(Code.Unavailable);
    expect(retries).toHaveLength(0);
    expect((await server.client().environments.list().toArray()).length).toBe(before);

    await fail(create, "unavailable", 1);
    const { environment } = await client.environments.create(spec, { retry: true });
    expect(environment?.id).toBeDefined();
    expect(retries.map((r) => r.procedure)).toEqual([create]);
  });

  it("repeat unsafe RPCs when the client opts in for all of them", async () => {
    await fail(create, "unavailable", 1);
    const { client, retries } = retrying({}, { unsafe: true });
    await client.environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } });
    expect(retries).toHaveLength(1);
  });

  it("stay off for a call that says retry: false, and for a client with retry: false", async () => {
    await fail(get, "unavailable", 2);
    const { client, retries } = retrying();
    expect((await failure(client.environments.retrieve({ environmentId }, { retry: false })))?.code).toBe(Code.Unavailable);
    expect((await failure(server.client({ retry: false }).environments.retrieve({ environmentId })))?.code).toBe(Code.Unavailable);
    expect(retries).toHaveLength(0);
  });

  for (const protocol of ["connect", "grpc-web", "grpc"] as const) {
    it(`read the server's Retry-After over ${protocol}`, async () => {
      // With a 1 s backoff, a 0 delay can only come from the server's Retry-After: 0.
      await fail(get, "unavailable", 1, { retryAfterSeconds: 0 });
      const { client, retries } = retrying({ protocol }, { initialDelayMs: 1_000, maxDelayMs: 1_000 });
      await client.environments.retrieve({ environmentId });
      expect(retries.map((r) => r.delayMs)).toEqual([0]);
    });
  }

  it("wait as long as Retry-After says", async () => {
    await fail(get, "resource_exhausted", 1, { retryAfterSeconds: 1 });
    const { client, retries } = retrying();
    const started = Date.now();
    await client.environments.retrieve({ environmentId });
    expect(retries.map((r) => r.delayMs)).toEqual([1_000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("surface the error at once when Retry-After is longer than the policy waits", async () => {
    await fail(get, "resource_exhausted", 1, { retryAfterSeconds: 120 });
    const { client, retries } = retrying();
    expect((await failure(client.environments.retrieve({ environmentId })))?.code).toBe(Code.ResourceExhausted);
    expect(retries).toHaveLength(0);
  });

  it("stop at the call's deadline, which covers every attempt and wait", async () => {
    await fail(get, "unavailable", 50);
    const { client } = retrying({}, { maxRetries: 50, initialDelayMs: 50, maxDelayMs: 50 });
    expect((await failure(client.environments.retrieve({ environmentId }, { timeoutMs: 300 })))?.code).toBe(Code.DeadlineExceeded);
  });

  it("apply to calls by name as well", async () => {
    await fail(get, "unavailable", 1);
    const { client, retries } = retrying();
    expect(await client.rpc.callJson(get, { environmentId })).toMatchObject({ environment: { id: environmentId } });
    expect(retries).toHaveLength(1);
  });

  it("leave streams alone: a failed WatchEvents surfaces at once", async () => {
    await fail("gitpod.v1.EventService/WatchEvents", "unavailable", 1);
    const { client, retries } = retrying();
    const error = await (async () => {
      for await (const _ of client.events.watch({ scope: { case: "organization", value: true } })) break;
    })().then(() => undefined, (e: unknown) => e as ConnectError);
    expect(error?.code).toBe(Code.Unavailable);
    expect(retries).toHaveLength(0);
  });
});

describe("retries of raw requests", () => {
  const body = () => ({ environmentId });

  it("repeat a POST to an RPC the schema marks safe, until it answers", async () => {
    await fail(get, "unavailable", 2);
    const { client, retries } = retrying();
    const res = await client.request({ method: "POST", path: `/${get}`, body: body() });
    expect(res.status).toBe(200);
    expect(retries.map((r) => r.procedure)).toEqual([`POST /${get}`, `POST /${get}`]);
  });

  it("honour 429 with Retry-After, as rate limiting", async () => {
    await fail(get, "resource_exhausted", 1, { retryAfterSeconds: 0 });
    const { client, retries } = retrying({}, { initialDelayMs: 1_000, maxDelayMs: 1_000 });
    expect((await client.request({ method: "POST", path: `/${get}`, body: body() })).status).toBe(200);
    expect(retries.map((r) => [r.error.code, r.delayMs])).toEqual([[Code.ResourceExhausted, 0]]);
  });

  it("return the last answer once retries are used up, and never repeat an unsafe POST unless asked", async () => {
    await fail(get, "unavailable", 5);
    const { client } = retrying();
    const exhausted = await client.request({ method: "POST", path: `/${get}`, body: body() });
    expect(exhausted.status).toBe(503);
    expect(exhausted.json()).toMatchObject({ code: "unavailable" });

    await server.testing("/rpc-failures", undefined, "DELETE");
    await fail(create, "unavailable", 1);
    const spec = { spec: { machine: { class: server.bootstrap.environmentClassId } } };
    const { client: c2, retries } = retrying();
    expect((await c2.request({ method: "POST", path: `/${create}`, body: spec })).status).toBe(503);
    await fail(create, "unavailable", 1);
    expect((await c2.request({ method: "POST", path: `/${create}`, body: spec, retry: true })).status).toBe(200);
    expect(retries).toHaveLength(1);
  });
});
