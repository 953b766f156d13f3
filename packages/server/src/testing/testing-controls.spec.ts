// The testing controls over real HTTP: off unless enabled, their own credential, and each control
// doing what it says to the running server.
import { Code } from "@connectrpc/connect";
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService, ServicePhase, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextSpec, createRunning, get, isPhase, stepMs, stepUntil, stopToStopped } from "../services/environment/environment-test-helpers.js";
import { expectFailure } from "../test-support/expectations.js";
import { http1Request } from "../test-support/raw-request.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";

const testingToken = "testing-secret";
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ testingControls: { token: testingToken } });
});
afterAll(() => server.close());

async function control(s: TestServer, method: "GET" | "POST", path: string, body?: unknown, token = testingToken) {
  const res = await http1Request(`${s.url}/testing/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = String(res.headers["content-type"]).startsWith("application/json") ? (JSON.parse(res.body.toString("utf8")) as Record<string, unknown>) : {};
  return { status: res.status, json };
}

describe("access", () => {
  it("are off unless the server is started with them", async () => {
    const plain = await startTestServer();
    try {
      expect((await control(plain, "GET", "")).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it("answer only their own token: an API token is refused, and their token is no API credential", async () => {
    expect((await control(server, "GET", "", undefined, testTokens.admin)).status).toBe(401);
    expect((await control(server, "GET", "", undefined, "wrong")).status).toBe(401);
    const listed = await control(server, "GET", "");
    expect(listed.status).toBe(200);
    expect(listed.json.endpoints).toContain("POST /testing/v1/reset");
    await expectFailure(server.client(RunnerService, testingToken).listRunners({}), Code.Unauthenticated);
  });

  it("answer an unknown control with 404 and a malformed body with 400 naming the field", async () => {
    expect((await control(server, "POST", "/nothing")).status).toBe(404);
    const bad = await control(server, "POST", "/clock/advance", { ms: "soon" });
    expect(bad).toMatchObject({ status: 400, json: { field: "ms" } });
  });
});

describe("clock", () => {
  it("freezes time so nothing progresses, advances it step by step, and lets it run again", async () => {
    const client = server.client(EnvironmentService, testTokens.admin);
    expect((await control(server, "GET", "/clock")).json).toMatchObject({ nowMs: server.clock.nowMs(), frozen: true });
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    const frozenAt = server.clock.nowMs();
    await new Promise((r) => setTimeout(r, 3 * stepMs));
    expect((await get(client, environment!.id)).status!.statusVersion).toBe(1n);
    const advanced = await control(server, "POST", "/clock/advance", { ms: stepMs * 2 });
    expect(advanced.json).toMatchObject({ nowMs: frozenAt + stepMs * 2, frozen: true });
    expect((await get(client, environment!.id)).status!.statusVersion).toBe(3n);

    expect((await control(server, "POST", "/clock/resume")).json).toMatchObject({ frozen: false });
    let env = await get(client, environment!.id);
    for (let i = 0; i < 100 && env.status!.phase !== EnvironmentPhase.RUNNING; i++) {
      await new Promise((r) => setTimeout(r, 20));
      env = await get(client, environment!.id);
    }
    expect(env.status!.phase).toBe(EnvironmentPhase.RUNNING);
    expect((await control(server, "POST", "/clock/freeze")).json).toMatchObject({ frozen: true });
  });
});

describe("failures", () => {
  it("make an environment fail at the named step, once", async () => {
    const client = server.client(EnvironmentService, testTokens.admin);
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    const injected = await control(server, "POST", "/failures", { kind: "environment", id: environment!.id, step: "devcontainer", message: "image pull failed" });
    expect(injected.status).toBe(200);
    expect((await control(server, "GET", "/failures")).json.failures).toEqual([
      { kind: "environment", targetId: environment!.id, step: "devcontainer", message: "image pull failed" },
    ]);
    const seen = await stepUntil(server, client, environment!.id, isPhase(EnvironmentPhase.STOPPED));
    expect(seen[seen.length - 1]!.status!.failureMessage).toEqual(["devcontainer: image pull failed"]);
    expect((await control(server, "GET", "/failures")).json.failures).toEqual([]);
    await client.startEnvironment({ environmentId: environment!.id });
    await stepUntil(server, client, environment!.id, isPhase(EnvironmentPhase.RUNNING));
  });

  it("make a service fail at start and a task's next execution fail at run", async () => {
    const envs = server.client(EnvironmentService, testTokens.admin);
    const automations = server.client(EnvironmentAutomationService, testTokens.admin);
    const env = await createRunning(server, envs);
    const { service } = await automations.createService({
      environmentId: env.id,
      metadata: { reference: "db", name: "Database" },
      spec: { commands: { start: "postgres" } },
    });
    const { task } = await automations.createTask({ environmentId: env.id, metadata: { reference: "build", name: "Build" }, spec: { command: "make" } });
    expect((await control(server, "POST", "/failures", { kind: "service", id: service!.id, step: "start", message: "port in use" })).status).toBe(200);
    expect((await control(server, "POST", "/failures", { kind: "task", id: task!.id, step: "run", message: "compiler crashed" })).status).toBe(200);
    await automations.startService({ id: service!.id });
    const { taskExecution } = await automations.startTask({ id: task!.id });
    await server.clock.advance(stepMs * 5);
    const failedService = (await automations.getService({ id: service!.id })).service!;
    expect(failedService.status).toMatchObject({ phase: ServicePhase.FAILED });
    expect(failedService.status!.failureMessage).toContain("port in use");
    const failedRun = (await automations.getTaskExecution({ id: taskExecution!.id })).taskExecution!;
    expect(failedRun.status!.phase).toBe(TaskExecutionPhase.FAILED);
    expect(failedRun.status!.failureMessage).toContain("compiler crashed");
  });

  it("name the target and the step: unknown targets are 404, steps a kind does not have 400", async () => {
    expect((await control(server, "POST", "/failures", { kind: "environment", id: "00000000-0000-4000-8000-00000000abcd", step: "machine" })).status).toBe(404);
    expect((await control(server, "POST", "/failures", { kind: "service", id: server.bootstrap.runnerId, step: "start" })).status).toBe(404);
    expect((await control(server, "POST", "/failures", { kind: "environment", id: server.bootstrap.runnerId, step: "boot" })).json).toMatchObject({ field: "step" });
    expect((await control(server, "POST", "/failures", { kind: "printer", id: "x", step: "machine" })).json).toMatchObject({ field: "kind" });
  });
});

describe("archiving", () => {
  it("archives a stopped environment, and refuses one that runs", async () => {
    const client = server.client(EnvironmentService, testTokens.admin);
    const env = await createRunning(server, client);
    expect((await control(server, "POST", "/environments/archive", { environmentId: env.id })).status).toBe(409);
    await stopToStopped(server, client, env.id);
    expect((await control(server, "POST", "/environments/archive", { environmentId: env.id })).status).toBe(200);
    expect((await get(client, env.id)).metadata!.archivedAt).toBeDefined();
  });
});

describe("projects", () => {
  it("adds a project that CreateEnvironmentFromProject then uses; a bad initializer is 400 naming it", async () => {
    const added = await control(server, "POST", "/projects", {
      name: "Docs",
      initializer: { specs: [{ contextUrl: { url: "https://github.com/gitpod-io/website" } }] },
    });
    expect(added.status).toBe(200);
    const { environment } = await server.client(EnvironmentService, testTokens.admin).createEnvironmentFromProject({ projectId: added.json.projectId as string });
    expect(environment!.metadata).toMatchObject({ name: "Docs", projectId: added.json.projectId });
    expect((await control(server, "POST", "/projects", { name: "Bad", initializer: { specs: [{ nope: {} }] } })).json).toMatchObject({ field: "initializer" });
    expect((await control(server, "POST", "/projects", { name: "Elsewhere", organizationId: "00000000-0000-4000-8000-00000000abcd" })).status).toBe(404);
  });
});

describe("reset", () => {
  it("puts everything back to the bootstrap state, with the same ids and tokens", async () => {
    const s = await startTestServer({ testingControls: { token: testingToken } });
    try {
      const runners = s.client(RunnerService, testTokens.admin);
      const envs = s.client(EnvironmentService, testTokens.admin);
      await runners.createRunner({ name: "extra", provider: RunnerProvider.GCP });
      const env = await createRunning(s, envs);
      expect((await runners.listRunners({})).runners).toHaveLength(2);
      expect((await control(s, "POST", "/reset")).status).toBe(200);
      const after = (await runners.listRunners({})).runners;
      expect(after.map((r) => r.runnerId)).toEqual([s.bootstrap.runnerId]);
      await expectFailure(envs.getEnvironment({ environmentId: env.id }), Code.NotFound);
      expect((await envs.listEnvironmentClasses({})).environmentClasses.map((c) => c.id)).toEqual([s.bootstrap.environmentClassId]);
      await expectFailure(s.client(RunnerService, testTokens.other).getRunner({ runnerId: s.bootstrap.runnerId }), Code.NotFound);
      // The simulated runner works after the reset.
      await createRunning(s, envs);
    } finally {
      await s.close();
    }
  });
});
