import { Code } from "@connectrpc/connect";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { logsTokenTtlMs, resolveLogsToken, runnerTokenTtlMs } from "../../domain/runners/index.js";
import { createRunner, expectFailure, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let admin: RunnerClient;
let other: RunnerClient;
const asRunner = (token: string) => server.client(RunnerService, token);

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(RunnerService, testTokens.admin);
  other = server.client(RunnerService, testTokens.other);
});
afterAll(() => server.close());

describe("the exchange token of CreateRunner", () => {
  it("authenticates as the runner, which sees only itself", async () => {
    const { runnerId, exchangeToken } = await createRunner(admin);
    const runner = asRunner(exchangeToken);
    expect((await runner.getRunner({ runnerId })).runner?.runnerId).toBe(runnerId);
    expect((await runner.listRunners({})).runners.map((r) => r.runnerId)).toEqual([runnerId]);
    await expectFailure(runner.getRunner({ runnerId: server.bootstrap.runnerId }), Code.PermissionDenied, "only act on itself");
  });

  it("may not manage runners, tokens or policies", async () => {
    const { runnerId, exchangeToken } = await createRunner(admin);
    const runner = asRunner(exchangeToken);
    await expectFailure(runner.createRunner({ name: "Sneaky", provider: RunnerProvider.GCP }), Code.PermissionDenied, "a runner may not");
    await expectFailure(runner.updateRunner({ runnerId, name: "Renamed" }), Code.PermissionDenied);
    await expectFailure(runner.deleteRunner({ runnerId }), Code.PermissionDenied);
    await expectFailure(runner.createRunnerToken({ runnerId }), Code.PermissionDenied);
    await expectFailure(runner.createRunnerPolicy({ runnerId, groupId: "00000000-0000-4000-8000-0000000000a1", role: 1 }), Code.PermissionDenied);
    expect((await runner.listRunnerPolicies({ runnerId })).policies).toEqual([]);
  });

  it("expires 24 hours after issue", async () => {
    const { runnerId, exchangeToken } = await createRunner(admin);
    const runner = asRunner(exchangeToken);
    await server.clock.advance(runnerTokenTtlMs - 1);
    await runner.getRunner({ runnerId });
    await server.clock.advance(1);
    await expectFailure(runner.getRunner({ runnerId }), Code.Unauthenticated);
  });
});

describe("CreateRunnerToken", () => {
  it("issues a new runner token and leaves earlier ones valid", async () => {
    const { runnerId, exchangeToken: first } = await createRunner(admin);
    await server.clock.advance(60_000);
    const res = await admin.createRunnerToken({ runnerId });
    expect(res.exchangeToken).toMatch(/^gitpod_/);
    expect(res.exchangeToken).not.toBe(first);
    expect(res.accessToken).toBe("");
    await asRunner(first).getRunner({ runnerId });
    await asRunner(res.exchangeToken).getRunner({ runnerId });
    const caller = await server.deps.tokens.resolve(res.exchangeToken);
    expect(caller).toMatchObject({ organizationId: server.bootstrap.organizationId, subject: { id: runnerId, principal: Principal.RUNNER } });

    await server.clock.advance(runnerTokenTtlMs - 60_000);
    await expectFailure(asRunner(first).getRunner({ runnerId }), Code.Unauthenticated);
    await asRunner(res.exchangeToken).getRunner({ runnerId });
  });

  it("answers not_found for an unknown runner and another organization's runner", async () => {
    await expectFailure(admin.createRunnerToken({ runnerId: "00000000-0000-4000-8000-0000deadbeef" }), Code.NotFound);
    await expectFailure(other.createRunnerToken({ runnerId: server.bootstrap.runnerId }), Code.NotFound);
  });

  it("rejects a runner id that is no UUID", async () => {
    await expectFailure(admin.createRunnerToken({ runnerId: "" }), Code.InvalidArgument, "runner_id");
  });

  it("revokes every token of a runner when the runner is deleted", async () => {
    const { runnerId, exchangeToken } = await createRunner(admin);
    const { exchangeToken: second } = await admin.createRunnerToken({ runnerId });
    const { accessToken: logs } = await admin.createRunnerLogsToken({ runnerId });
    await admin.deleteRunner({ runnerId, force: true });
    await expectFailure(asRunner(exchangeToken).listRunners({}), Code.Unauthenticated);
    await expectFailure(asRunner(second).listRunners({}), Code.Unauthenticated);
    expect(await resolveLogsToken(server.deps, logs)).toBeUndefined();
  });
});

describe("CreateRunnerLogsToken", () => {
  it("issues a token that opens this runner's logs for one hour and is no API credential", async () => {
    const { runnerId } = await createRunner(admin);
    const { accessToken } = await admin.createRunnerLogsToken({ runnerId });
    expect(accessToken).toMatch(/^gitpod_logs_/);
    expect(await resolveLogsToken(server.deps, accessToken)).toEqual({ organizationId: server.bootstrap.organizationId, runnerId });
    await expectFailure(asRunner(accessToken).getRunner({ runnerId }), Code.Unauthenticated);
    await server.clock.advance(logsTokenTtlMs - 1);
    expect(await resolveLogsToken(server.deps, accessToken)).toBeDefined();
    await server.clock.advance(1);
    expect(await resolveLogsToken(server.deps, accessToken)).toBeUndefined();
    expect(await resolveLogsToken(server.deps, "gitpod_logs_unknown")).toBeUndefined();
  });

  it("lets a runner get a logs token for itself only", async () => {
    const { runnerId, exchangeToken } = await createRunner(admin);
    const { accessToken } = await asRunner(exchangeToken).createRunnerLogsToken({ runnerId });
    expect((await resolveLogsToken(server.deps, accessToken))?.runnerId).toBe(runnerId);
    await expectFailure(asRunner(exchangeToken).createRunnerLogsToken({ runnerId: server.bootstrap.runnerId }), Code.PermissionDenied);
  });

  it("answers not_found across organizations and failed_precondition for a runner being deleted", async () => {
    await expectFailure(other.createRunnerLogsToken({ runnerId: server.bootstrap.runnerId }), Code.NotFound);
    const { runnerId } = await createRunner(admin);
    await admin.deleteRunner({ runnerId });
    await expectFailure(admin.createRunnerLogsToken({ runnerId }), Code.FailedPrecondition, "being deleted");
  });
});
