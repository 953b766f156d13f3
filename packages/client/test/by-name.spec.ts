// The lower level: any RPC by its name, with messages or JSON, one page or all of them, unary or
// streaming — through the same authentication, deadlines and errors as the high level.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";
import { Code, ConnectError, UnknownProcedureError, type GitpodClient } from "../src/node.js";
import { delayInterceptor } from "./support/server-interceptors.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

let server: ClientTestServer;
let client: GitpodClient;
const created: string[] = [];

beforeAll(async () => {
  server = await startClientTestServer({ interceptors: [delayInterceptor] });
  client = server.client();
  for (let i = 0; i < 3; i++) {
    const { environment } = await client.environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } });
    created.push(environment!.id);
  }
});
afterAll(() => server.close());

describe("call by name", () => {
  it("calls a unary RPC with an init shape and resolves with the typed response message", async () => {
    const res = await client.rpc.call("gitpod.v1.EnvironmentService/GetEnvironment", { environmentId: created[0]! });
    expect(res.$typeName).toBe("gitpod.v1.GetEnvironmentResponse");
    expect(res.environment?.id).toBe(created[0]);
  });

  it("resolves a name only known at run time through the schema registry", async () => {
    const procedure: string = ["gitpod.v1.IdentityService", "GetAuthenticatedIdentity"].join("/");
    const res = await client.rpc.call(procedure, {});
    expect(res.$typeName).toBe("gitpod.v1.GetAuthenticatedIdentityResponse");
    expect(client.rpc.method(procedure).output.typeName).toBe("gitpod.v1.GetAuthenticatedIdentityResponse");
  });

  it("takes and returns proto3 JSON with callJson (enum names, camelCase, RFC 3339 times)", async () => {
    const res = (await client.rpc.callJson("gitpod.v1.EnvironmentService/ListEnvironments", {
      filter: { statusPhases: ["ENVIRONMENT_PHASE_CREATING", "ENVIRONMENT_PHASE_STARTING", "ENVIRONMENT_PHASE_RUNNING"] },
    })) as { environments: { id: string; metadata: { createdAt: string } }[] };
    expect(res.environments.map((e) => e.id).sort()).toEqual([...created].sort());
    expect(res.environments[0]!.metadata.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("rejects JSON that does not fit the request type as invalid_argument, before sending", async () => {
    const error = await client.rpc.callJson("gitpod.v1.EnvironmentService/GetEnvironment", { environmentIdd: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toMatch(/GetEnvironment: the request is no gitpod\.v1\.GetEnvironmentRequest: .*environmentIdd/);
  });

  it("surfaces server errors as ConnectError with code and message", async () => {
    const error = await client.rpc.callJson("gitpod.v1.EnvironmentService/GetEnvironment", { environmentId: "0190aaaa-0000-7000-8000-000000000000" }).catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.NotFound);
    expect((error as ConnectError).rawMessage).toMatch(/environment/);
  });

  it("rejects an unknown name and the wrong kind of call", async () => {
    await expect(client.rpc.call("gitpod.v1.EnvironmentService/Teleport", {})).rejects.toBeInstanceOf(UnknownProcedureError);
    await expect(client.rpc.call("gitpod.v1.EventService/WatchEvents", {})).rejects.toThrow(/server streaming RPC: use stream\(\)/);
    expect(() => client.rpc.stream("gitpod.v1.EnvironmentService/GetEnvironment", {})).toThrow(/unary RPC: use call\(\)/);
  });

  it("applies the client's deadline and the call's own options", async () => {
    const error = await client.rpc
      .callJson("gitpod.v1.IdentityService/GetAuthenticatedIdentity", {}, { timeoutMs: 100, headers: { "x-test-delay-ms": "2000" } })
      .catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
  });
});

describe("paginate by name", () => {
  it("follows every page with message items", async () => {
    const list = client.rpc.paginate("gitpod.v1.EnvironmentService/ListEnvironments", { pagination: { pageSize: 1 } });
    let pages = 0;
    for await (const page of list.pages()) {
      pages++;
      expect(page.environments.length).toBeLessThanOrEqual(1);
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect((await list.toArray()).map((e) => e.id).sort()).toEqual([...created].sort());
  });

  it("follows every page with JSON items and pages", async () => {
    const list = client.rpc.paginateJson("gitpod.v1.EnvironmentService/ListEnvironments", { pagination: { pageSize: 2 } });
    const ids: string[] = [];
    for await (const env of list) ids.push((env as { id: string }).id);
    expect(ids.sort()).toEqual([...created].sort());
    const firstPage = (await list.pages()[Symbol.asyncIterator]().next()).value as { environments: unknown[]; pagination: { nextToken: string } };
    expect(firstPage.environments).toHaveLength(2);
    expect(firstPage.pagination.nextToken).not.toBe("");
  });

  it("refuses RPCs that are no paginated list", () => {
    expect(() => client.rpc.paginate("gitpod.v1.EnvironmentService/GetEnvironment", {})).toThrow(/not a paginated list RPC/);
  });
});

describe("streams by name", () => {
  it("opens WatchEvents with a message or JSON request and yields its events", async () => {
    const abort = new AbortController();
    const asMessages = client.rpc.stream("gitpod.v1.EventService/WatchEvents", { scope: { case: "environmentId", value: created[1]! } }, { signal: abort.signal });
    const asJson = client.rpc.streamJson("gitpod.v1.EventService/WatchEvents", { environmentId: created[1]! }, { signal: abort.signal });
    const m = asMessages[Symbol.asyncIterator]().next();
    const j = asJson[Symbol.asyncIterator]().next();
    await new Promise((r) => setTimeout(r, 200));
    await client.environments.stop({ environmentId: created[1]! });
    const [message, json] = await Promise.all([m, j]);
    expect(message.done).toBe(false);
    expect(!message.done && message.value.resourceId).toBe(created[1]);
    expect(json.value).toMatchObject({ resourceType: "RESOURCE_TYPE_ENVIRONMENT", resourceId: created[1] });
    abort.abort();
    await client.environments.waitForPhase(created[1]!, EnvironmentPhase.STOPPED, { timeoutMs: 20_000 });
  });
});
