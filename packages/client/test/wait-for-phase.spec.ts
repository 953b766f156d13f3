// waitForPhase over full lifecycles against the reference server: environments, services and
// task executions reach their phases through the event stream; failures, final phases, timeouts
// and aborts end the wait with typed errors; a server without WatchEvents is polled.
import type { Interceptor } from "@connectrpc/connect";
import { serviceImplementations } from "@gitpod-connect/server";
import { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ServicePhase, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, ResourceFailedError, UnreachablePhaseError, WaitTimeoutError, type GitpodClient } from "../src/node.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

/** Records the procedures a client calls, in order. */
function recorder(): { calls: string[]; interceptor: Interceptor } {
  const calls: string[] = [];
  return { calls, interceptor: (next) => (req) => (calls.push(req.method.name), next(req)) };
}

let server: ClientTestServer;
let client: GitpodClient;

beforeAll(async () => {
  server = await startClientTestServer();
  client = server.client();
});
afterAll(() => server.close());

async function createEnvironment(): Promise<string> {
  const { environment } = await client.environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } });
  return environment!.id;
}

describe("environments", () => {
  it("follow an environment from creation to RUNNING, STOPPED and DELETED", async () => {
    const id = await createEnvironment();
    const running = await client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 });
    expect(running.id).toBe(id);
    expect(running.status?.phase).toBe(EnvironmentPhase.RUNNING);

    await client.environments.stop({ environmentId: id });
    const stopped = await client.environments.waitForPhase(id, EnvironmentPhase.STOPPED, { timeoutMs: 20_000 });
    expect(stopped.status?.phase).toBe(EnvironmentPhase.STOPPED);

    await client.environments.delete({ environmentId: id });
    const deleted = await client.environments.waitForPhase(id, EnvironmentPhase.DELETED, { timeoutMs: 20_000 });
    expect(deleted.status?.phase).toBe(EnvironmentPhase.DELETED);
    await expect(client.environments.retrieve({ environmentId: id })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it("resolves a wait for DELETED of an environment already removed, as DELETED", async () => {
    const id = await createEnvironment();
    await client.environments.delete({ environmentId: id, force: true });
    const gone = await client.environments.waitForPhase(id, EnvironmentPhase.DELETED, { timeoutMs: 5_000 });
    expect(gone.id).toBe(id);
    expect(gone.status?.phase).toBe(EnvironmentPhase.DELETED);
  });

  it("resolves at once with an environment already in the phase", async () => {
    const id = await createEnvironment();
    await client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 });
    const again = await client.environments.waitForPhase(id, [EnvironmentPhase.RUNNING, EnvironmentPhase.UPDATING]);
    expect(again.status?.phase).toBe(EnvironmentPhase.RUNNING);
  });

  it("learns of each change from WatchEvents, not by polling: with time frozen, only the event after the clock moves ends the wait", async () => {
    await server.testing("/clock/freeze");
    try {
      const rec = recorder();
      const watching = server.client({ interceptors: [rec.interceptor] });
      const id = await createEnvironment();
      const wait = watching.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000, resyncIntervalMs: 3_600_000 });
      // The watch is open and the environment read once; nothing moves while time stands still.
      await expect.poll(() => rec.calls.filter((c) => c === "GetEnvironment").length).toBeGreaterThanOrEqual(2);
      expect(rec.calls).toContain("WatchEvents");
      const readsBefore = rec.calls.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(rec.calls.length).toBe(readsBefore);
      // Each advance runs the steps that fall due; each step is an event, each event one read.
      let settled = false;
      const settle = () => (settled = true);
      wait.then(settle, settle);
      for (let i = 0; i < 50 && !settled; i++) await server.testing("/clock/advance", { ms: 10 });
      const env = await wait;
      expect(env.status?.phase).toBe(EnvironmentPhase.RUNNING);
      expect(rec.calls.filter((c) => c === "WatchEvents")).toHaveLength(1);
    } finally {
      await server.testing("/clock/resume");
    }
  });

  it("fails with ResourceFailedError when the runner reports a failure", async () => {
    const id = await createEnvironment();
    await client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 });
    await client.environments.stop({ environmentId: id });
    await client.environments.waitForPhase(id, EnvironmentPhase.STOPPED, { timeoutMs: 20_000 });
    await server.testing("/failures", { kind: "environment", id, step: "machine", message: "no capacity in the zone" });
    await client.environments.start({ environmentId: id });
    const error = await client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceFailedError);
    const failed = error as ResourceFailedError;
    expect(failed.outcome).toBe("failed");
    expect(failed.kind).toBe("environment");
    expect(failed.id).toBe(id);
    expect(failed.wanted).toEqual(["RUNNING"]);
    expect(failed.failureMessage).toContain("no capacity in the zone");
  });

  it("fails with UnreachablePhaseError when the environment is deleted instead", async () => {
    const id = await createEnvironment();
    await client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 });
    await client.environments.delete({ environmentId: id });
    // A graceful delete passes through STOPPED on its way: wait until it is past it, so that the
    // outcome does not depend on how fast this reader is (it once caught STOPPED under CI load).
    await client.environments.waitForPhase(id, [EnvironmentPhase.DELETING, EnvironmentPhase.DELETED], { timeoutMs: 20_000 });
    const error = await client.environments.waitForPhase(id, EnvironmentPhase.STOPPED, { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachablePhaseError);
    expect((error as UnreachablePhaseError).message).toMatch(/can no longer become STOPPED/);
  });

  it("fails with WaitTimeoutError after its timeout, naming the phase it saw last", async () => {
    await server.testing("/clock/freeze");
    try {
      const id = await createEnvironment();
      const error = await client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect((error as WaitTimeoutError).timeoutMs).toBe(300);
      expect((error as WaitTimeoutError).message).toMatch(/did not become RUNNING within 300 ms \(last seen (UNSPECIFIED|CREATING)\)/);
    } finally {
      await server.testing("/clock/resume");
    }
  });

  it("ends with a canceled ConnectError when the caller aborts", async () => {
    await server.testing("/clock/freeze");
    try {
      const id = await createEnvironment();
      const abort = new AbortController();
      const wait = client.environments.waitForPhase(id, EnvironmentPhase.RUNNING, { signal: abort.signal });
      setTimeout(() => abort.abort(), 200);
      const error = await wait.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.Canceled);
    } finally {
      await server.testing("/clock/resume");
    }
  });
});

describe("services and task executions", () => {
  let environmentId: string;
  beforeAll(async () => {
    environmentId = await createEnvironment();
    await client.environments.waitForPhase(environmentId, EnvironmentPhase.RUNNING, { timeoutMs: 20_000 });
  });

  it("follow a service to RUNNING and back to STOPPED", async () => {
    const { service } = await client.environments.automations.services.create({
      environmentId,
      metadata: { reference: "web", name: "Web" },
      spec: { commands: { start: "sleep infinity" } },
    });
    await client.environments.automations.services.start({ id: service!.id });
    const running = await client.environments.automations.services.waitForPhase(service!.id, ServicePhase.RUNNING, { timeoutMs: 20_000 });
    expect(running.status?.phase).toBe(ServicePhase.RUNNING);
    await client.environments.automations.services.stop({ id: service!.id });
    const stopped = await client.environments.automations.services.waitForPhase(service!.id, ServicePhase.STOPPED, { timeoutMs: 20_000 });
    expect(stopped.status?.phase).toBe(ServicePhase.STOPPED);
  });

  it("fail with ResourceFailedError for a service that fails to start", async () => {
    const { service } = await client.environments.automations.services.create({
      environmentId,
      metadata: { reference: "db", name: "DB" },
      spec: { commands: { start: "postgres" } },
    });
    await server.testing("/failures", { kind: "service", id: service!.id, step: "start", message: "port 5432 in use" });
    await client.environments.automations.services.start({ id: service!.id });
    const error = await client.environments.automations.services.waitForPhase(service!.id, ServicePhase.RUNNING, { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceFailedError);
    expect((error as ResourceFailedError).phase).toBe("FAILED");
    expect((error as ResourceFailedError).failureMessage).toContain("port 5432 in use");
  });

  it("follow a task execution to SUCCEEDED", async () => {
    const { task } = await client.environments.automations.tasks.create({
      environmentId,
      metadata: { reference: "build", name: "Build" },
      spec: { command: "make" },
    });
    const { taskExecution } = await client.environments.automations.tasks.start({ id: task!.id });
    const done = await client.environments.automations.tasks.executions.waitForPhase(taskExecution!.id, TaskExecutionPhase.SUCCEEDED, { timeoutMs: 20_000 });
    expect(done.status?.phase).toBe(TaskExecutionPhase.SUCCEEDED);
    expect(done.metadata?.completedAt).toBeDefined();
  });

  it("fail with ResourceFailedError for an execution whose step fails, and UnreachablePhaseError for one that succeeded", async () => {
    const { task } = await client.environments.automations.tasks.create({
      environmentId,
      metadata: { reference: "test", name: "Test" },
      spec: { command: "make test" },
    });
    await server.testing("/failures", { kind: "task", id: task!.id, step: "run", message: "3 tests failed" });
    const failedRun = await client.environments.automations.tasks.start({ id: task!.id });
    const error = await client.environments.automations.tasks.executions
      .waitForPhase(failedRun.taskExecution!.id, TaskExecutionPhase.SUCCEEDED, { timeoutMs: 20_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceFailedError);
    expect((error as ResourceFailedError).failureMessage).toContain("3 tests failed");

    const goodRun = await client.environments.automations.tasks.start({ id: task!.id });
    await client.environments.automations.tasks.executions.waitForPhase(goodRun.taskExecution!.id, TaskExecutionPhase.SUCCEEDED, { timeoutMs: 20_000 });
    const unreachable = await client.environments.automations.tasks.executions
      .waitForPhase(goodRun.taskExecution!.id, TaskExecutionPhase.STOPPED, { timeoutMs: 20_000 })
      .catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(UnreachablePhaseError);
    expect((unreachable as UnreachablePhaseError).phase).toBe("SUCCEEDED");
  });
});

describe("a server without WatchEvents", () => {
  let bare: ClientTestServer;
  beforeAll(async () => {
    bare = await startClientTestServer({
      implementations: serviceImplementations.filter((i) => i.service.typeName !== "gitpod.v1.EventService"),
    });
  });
  afterAll(() => bare.close());

  it("is polled with backoff until the phase is reached", async () => {
    const rec = recorder();
    const polling = bare.client({ interceptors: [rec.interceptor] });
    const { environment } = await polling.environments.create({ spec: { machine: { class: bare.bootstrap.environmentClassId } } });
    const env = await polling.environments.waitForPhase(environment!.id, EnvironmentPhase.RUNNING, { timeoutMs: 20_000, pollIntervalMs: 20 });
    expect(env.status?.phase).toBe(EnvironmentPhase.RUNNING);
    expect(rec.calls.filter((c) => c === "WatchEvents")).toHaveLength(1);
    expect(rec.calls.filter((c) => c === "GetEnvironment").length).toBeGreaterThan(2);
  });
});
