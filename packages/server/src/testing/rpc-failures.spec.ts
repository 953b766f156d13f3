// Injected RPC failures through the testing controls, seen by real clients of every protocol: the
// next N calls fail with the code, message and Retry-After given, before the handler runs; then
// calls succeed again. Other RPCs are never touched.
import { Code, ConnectError } from "@connectrpc/connect";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectFailure } from "../test-support/expectations.js";
import { http1Request } from "../test-support/raw-request.js";
import { flavours, startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";

const testingToken = "testing-secret";
const listRunners = "gitpod.v1.RunnerService/ListRunners";
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ testingControls: { token: testingToken } });
});
afterAll(() => server.close());
afterEach(() => server.rpcFailures?.clear());

async function control(method: "GET" | "POST" | "DELETE", path: string, body?: unknown) {
  const res = await http1Request(`${server.url}/testing/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${testingToken}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: JSON.parse(res.body.toString("utf8")) as Record<string, unknown> };
}

const runners = () => server.client(RunnerService, testTokens.admin);

async function errorOf(call: Promise<unknown>): Promise<ConnectError> {
  return call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => ConnectError.from(e),
  );
}

describe("POST /testing/v1/rpc-failures", () => {
  it("fails the next count calls of the RPC, then lets calls through; GET lists what is left", async () => {
    expect(await control("POST", "/rpc-failures", { procedure: listRunners, code: "unavailable", count: 2, message: "try again later" })).toEqual({ status: 200, json: {} });
    expect((await control("GET", "/rpc-failures")).json).toEqual({
      rpcFailures: [{ procedure: listRunners, code: "unavailable", count: 2, message: "try again later" }],
    });
    await expectFailure(runners().listRunners({}), Code.Unavailable, "try again later");
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toMatchObject([{ count: 1 }]);
    await expectFailure(runners().listRunners({}), Code.Unavailable, "try again later");
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toEqual([]);
    expect((await runners().listRunners({})).runners).toHaveLength(1);
  });

  it("fails one call by default, with a message naming the code", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "resource_exhausted" });
    await expectFailure(runners().listRunners({}), Code.ResourceExhausted, "injected resource_exhausted failure");
    await runners().listRunners({});
  });

  it.each(flavours)("delivers the code, message and Retry-After to a %s client", async (flavour) => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "unavailable", message: "overloaded", retryAfterSeconds: 7 });
    const error = await errorOf(server.client(RunnerService, testTokens.admin, flavour).listRunners({}));
    expect([error.code, error.rawMessage, error.metadata.get("retry-after")]).toEqual([Code.Unavailable, "overloaded", "7"]);
  });

  it("sends Retry-After as an HTTP header of a Connect answer", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "resource_exhausted", retryAfterSeconds: 0 });
    const res = await http1Request(`${server.url}/${listRunners}`, {
      headers: { "content-type": "application/json", authorization: `Bearer ${testTokens.admin}` },
      body: "{}",
    });
    expect([res.status, res.headers["retry-after"], JSON.parse(res.body.toString("utf8"))]).toEqual([
      429,
      "0",
      { code: "resource_exhausted", message: "injected resource_exhausted failure" },
    ]);
  });

  it("fails the call before its handler runs: a failed create creates nothing", async () => {
    await control("POST", "/rpc-failures", { procedure: "gitpod.v1.RunnerService/CreateRunner", code: "internal", message: "boom" });
    await expectFailure(runners().createRunner({ name: "never", provider: RunnerProvider.GCP }), Code.Internal, "boom");
    expect((await runners().listRunners({})).runners.map((r) => r.name)).not.toContain("never");
  });

  it("leaves every other RPC alone", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "unavailable" });
    await runners().getRunner({ runnerId: server.bootstrap.runnerId });
    await server.client(RunnerConfigurationService, testTokens.admin).listEnvironmentClasses({});
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toMatchObject([{ procedure: listRunners, count: 1 }]);
  });

  it("uses failures of one RPC in the order they were added", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "unavailable" });
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "deadline_exceeded", count: 2 });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await runners().listRunners({}).then(() => "ok", (e: unknown) => Code[ConnectError.from(e).code]));
    expect(codes).toEqual(["Unavailable", "DeadlineExceeded", "DeadlineExceeded", "ok"]);
  });

  it("fails exactly count of many concurrent calls", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "aborted", count: 3 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => runners().listRunners({})));
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(3);
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toEqual([]);
  });

  it("fails a server stream before it subscribes", async () => {
    await control("POST", "/rpc-failures", { procedure: "gitpod.v1.EventService/WatchEvents", code: "unavailable", retryAfterSeconds: 3 });
    const stream = server.client(EventService, testTokens.admin, "grpc").watchEvents({});
    const error = await (async () => {
      try {
        for await (const _ of stream) return undefined;
      } catch (e) {
        return ConnectError.from(e);
      }
    })();
    expect([error?.code, error?.metadata.get("retry-after")]).toEqual([Code.Unavailable, "3"]);
    expect(server.deps.events.subscriptions).toBe(0);
  });

  it.each([
    [{ code: "unavailable" }, "procedure", "procedure: is required"],
    [{ procedure: "gitpod.v1.RunnerService/Nope", code: "unavailable" }, "procedure", 'no RPC "gitpod.v1.RunnerService/Nope"'],
    [{ procedure: `/${listRunners}`, code: "unavailable" }, "procedure", '"package.Service/Method"'],
    [{ procedure: "grpc.health.v1.Health/Check", code: "unavailable" }, "procedure", "no RPC"],
    [{ procedure: listRunners }, "code", "code: is required"],
    [{ procedure: listRunners, code: "UNAVAILABLE" }, "code", "must be a Connect code: canceled, unknown, invalid_argument, deadline_exceeded"],
    [{ procedure: listRunners, code: "ok" }, "code", "resource_exhausted"],
    [{ procedure: listRunners, code: 14 }, "code", "must be a string"],
    [{ procedure: listRunners, code: "unavailable", count: 0 }, "count", "whole number, 1 or more"],
    [{ procedure: listRunners, code: "unavailable", count: 1.5 }, "count", "whole number, 1 or more"],
    [{ procedure: listRunners, code: "unavailable", count: "2" }, "count", "must be a number"],
    [{ procedure: listRunners, code: "unavailable", retryAfterSeconds: -1 }, "retryAfterSeconds", "whole number of seconds, 0 or more"],
    [{ procedure: listRunners, code: "unavailable", message: 5 }, "message", "must be a string"],
  ])("answers %j with 400 naming %s", async (body, field, text) => {
    const res = await control("POST", "/rpc-failures", body);
    expect(res).toMatchObject({ status: 400, json: { field } });
    expect(res.json.error).toContain(text);
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toEqual([]);
  });
});

describe("clearing", () => {
  it("DELETE /testing/v1/rpc-failures removes them all", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "unavailable", count: 5 });
    expect(await control("DELETE", "/rpc-failures")).toEqual({ status: 200, json: {} });
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toEqual([]);
    await runners().listRunners({});
  });

  it("the reset removes them too", async () => {
    await control("POST", "/rpc-failures", { procedure: listRunners, code: "unavailable", count: 5 });
    expect((await control("POST", "/reset")).status).toBe(200);
    expect((await control("GET", "/rpc-failures")).json.rpcFailures).toEqual([]);
    await runners().listRunners({});
  });

  it("are listed among the endpoints", async () => {
    expect((await control("GET", "")).json.endpoints).toEqual(
      expect.arrayContaining([
        "POST /testing/v1/rpc-failures {procedure, code, count?, message?, retryAfterSeconds?}",
        "GET /testing/v1/rpc-failures",
        "DELETE /testing/v1/rpc-failures",
      ]),
    );
  });
});

describe("without the testing controls", () => {
  it("there is no injector and no endpoint", async () => {
    const plain = await startTestServer();
    try {
      expect(plain.rpcFailures).toBeUndefined();
      const res = await http1Request(`${plain.url}/testing/v1/rpc-failures`, { method: "GET", headers: { authorization: `Bearer ${testingToken}` } });
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
