// The lifecycle the simulated runner drives, observed step by step through the API with the manual
// clock: every intermediate phase, the versions, URLs, failures and archiving.
import { Code } from "@connectrpc/connect";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  EnvironmentPhase,
  EnvironmentService,
  EnvironmentStatus_ContentPhase as ContentPhase,
  ListEnvironmentsRequest_ArchivalStatus,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureInjections, failureKey } from "../../simulation/index.js";
import { expectFailure } from "../../test-support/expectations.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import {
  contextSpec,
  createRunning,
  get,
  isPhase,
  stepMs,
  stepUntil,
  stopToStopped,
  where,
  type EnvironmentClient,
} from "./environment-test-helpers.js";

let server: TestServer;
let client: EnvironmentClient;
const archiveAfterMs = 60 * 60 * 1000;

beforeAll(async () => {
  server = await startTestServer({ archiveAfterMs });
  client = server.client(EnvironmentService, testTokens.admin);
});
afterAll(() => server.close());

async function injectFailure(environmentId: string, step: string, message: string) {
  await server.deps.store.collection(failureInjections).insert({
    id: failureKey(environmentId, step),
    organizationId: server.bootstrap.organizationId,
    value: { kind: "environment", targetId: environmentId, step, message },
  });
}

describe("starting", () => {
  it("moves a new environment through every start phase, one step delay at a time", async () => {
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    expect(where(environment!)).toBe("CREATING machine=- content=- devcontainer=- automations=-");
    const seen = await stepUntil(server, client, environment!.id, isPhase(EnvironmentPhase.RUNNING));
    expect(seen.map(where)).toEqual([
      "CREATING machine=- content=- devcontainer=- automations=-",
      "CREATING machine=- content=- devcontainer=- automations=-", // the runner acknowledged spec 1
      "CREATING machine=CREATING content=- devcontainer=- automations=-",
      "STARTING machine=STARTING content=- devcontainer=- automations=-",
      "STARTING machine=RUNNING content=- devcontainer=- automations=-",
      "STARTING machine=RUNNING content=INITIALIZING devcontainer=- automations=-",
      "STARTING machine=RUNNING content=READY devcontainer=- automations=-",
      "STARTING machine=RUNNING content=READY devcontainer=- automations=READY",
      "STARTING machine=RUNNING content=READY devcontainer=CREATING automations=READY",
      "STARTING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
      "RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
    ]);
    // One status version per step; the spec was acknowledged in the first.
    expect(seen.map((e) => Number(e.status!.statusVersion))).toEqual(seen.map((_, i) => i + 1));
    expect(seen[1]!.status!.runnerAck).toMatchObject({ specVersion: 1n, statusCode: 1 });
    expect(seen.slice(0, -1).every((e) => e.status!.environmentUrls === undefined)).toBe(true);

    const running = seen[seen.length - 1]!;
    expect(running.status!.environmentUrls!.ports.map((p) => p.port)).toEqual([3000]);
    expect(running.status!.environmentUrls!.logs).toBe(`${server.url}/environments/${running.id}/logs`);
    expect(running.status!.content!.git).toMatchObject({ cloneUrl: "https://github.com/gitpod-io/gitpod.git", branch: "main" });
    expect(running.status!.content!.git!.latestCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(running.status!.content!.session).toBe(running.spec!.content!.session);
    expect(running.status!.devcontainer!.session).toBe(running.spec!.devcontainer!.session);
  });

  it("does nothing more once running: no step changes a settled environment", async () => {
    const env = await createRunning(server, client);
    await server.clock.advance(stepMs * 5);
    expect((await get(client, env.id)).status!.statusVersion).toBe(env.status!.statusVersion);
  });
});

describe("stopping and starting again", () => {
  it("stops through STOPPING to STOPPED, clearing the URLs, and starts again without creating the machine anew", async () => {
    const env = await createRunning(server, client);
    await client.stopEnvironment({ environmentId: env.id });
    const stopping = await stepUntil(server, client, env.id, isPhase(EnvironmentPhase.STOPPED));
    expect(stopping.map(where)).toEqual([
      "RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
      "STOPPING machine=STOPPING content=READY devcontainer=RUNNING automations=READY",
      "STOPPED machine=STOPPED content=READY devcontainer=STOPPED automations=READY",
    ]);
    expect(stopping[1]!.status!.environmentUrls).toBeUndefined();
    expect(stopping[2]!.spec!.specVersion).toBe(2n);
    expect(stopping[2]!.status!.runnerAck!.specVersion).toBe(2n);

    await server.clock.advance(1_000);
    await client.startEnvironment({ environmentId: env.id });
    const starting = await stepUntil(server, client, env.id, isPhase(EnvironmentPhase.RUNNING));
    expect(starting.map(where)).toEqual([
      "STOPPED machine=STOPPED content=READY devcontainer=STOPPED automations=READY",
      "STARTING machine=STOPPED content=READY devcontainer=STOPPED automations=READY",
      "STARTING machine=STARTING content=READY devcontainer=STOPPED automations=READY",
      "STARTING machine=RUNNING content=READY devcontainer=STOPPED automations=READY",
      "STARTING machine=RUNNING content=READY devcontainer=CREATING automations=READY",
      "STARTING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
      "RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
    ]);
    const started = starting[starting.length - 1]!;
    expect(started.spec!.specVersion).toBe(3n);
    expect(timestampMs(started.metadata!.lastStartedAt!)).toBeGreaterThan(timestampMs(env.metadata!.lastStartedAt!));
  });

  it("finishes stopping first when started while it stops", async () => {
    const env = await createRunning(server, client);
    await client.stopEnvironment({ environmentId: env.id });
    await server.clock.advance(stepMs); // STOPPING
    await client.startEnvironment({ environmentId: env.id });
    const seen = await stepUntil(server, client, env.id, isPhase(EnvironmentPhase.RUNNING));
    const phases = seen.map((e) => EnvironmentPhase[e.status!.phase]);
    expect(phases.slice(0, 4)).toEqual(["STOPPING", "STOPPING", "STOPPED", "STARTING"]);
    expect(phases[phases.length - 1]).toBe("RUNNING");
  });

  it("treats starting a running and stopping a stopped environment as done", async () => {
    const env = await createRunning(server, client);
    await client.startEnvironment({ environmentId: env.id });
    expect((await get(client, env.id)).spec!.specVersion).toBe(env.spec!.specVersion);
    await stopToStopped(server, client, env.id);
    const stopped = await get(client, env.id);
    await client.stopEnvironment({ environmentId: env.id });
    expect((await get(client, env.id)).spec!.specVersion).toBe(stopped.spec!.specVersion);
  });
});

describe("updating a running environment", () => {
  it("acknowledges the new spec version as UPDATING, re-initializes what changed and is RUNNING again", async () => {
    const env = await createRunning(server, client);
    await client.updateEnvironment({ environmentId: env.id, spec: { content: { session: "new-content-session" } } });
    const seen = await stepUntil(server, client, env.id, (e) => isPhase(EnvironmentPhase.RUNNING)(e) && e.status!.content!.session === "new-content-session");
    expect(seen.map(where)).toEqual([
      "RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
      "UPDATING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
      "UPDATING machine=RUNNING content=UPDATING devcontainer=RUNNING automations=READY",
      "UPDATING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
      "RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY",
    ]);
    expect(seen[1]!.status!.runnerAck!.specVersion).toBe(2n);
  });

  it("shows new ports in the URLs once the runner applied them", async () => {
    const env = await createRunning(server, client);
    await client.updateEnvironment({ environmentId: env.id, spec: { ports: [{ port: 3000, name: "web" }, { port: 8080, name: "api" }] } });
    const seen = await stepUntil(server, client, env.id, (e) => e.status?.environmentUrls?.ports.length === 2);
    expect(seen[seen.length - 1]!.status!.environmentUrls!.ports.map((p) => p.port)).toEqual([3000, 8080]);
  });
});

describe("deleting", () => {
  it("stops a running environment first, then DELETING, DELETED, and then it is gone", async () => {
    const env = await createRunning(server, client);
    await client.deleteEnvironment({ environmentId: env.id });
    const phases: string[] = [];
    for (let i = 0; i < 10; i++) {
      await server.clock.advance(stepMs);
      const found = await client.getEnvironment({ environmentId: env.id }).then(
        (r) => EnvironmentPhase[r.environment!.status!.phase],
        () => "gone",
      );
      phases.push(found);
      if (found === "gone") break;
    }
    expect(phases).toEqual(["STOPPING", "STOPPED", "DELETING", "DELETED", "gone"]);
    await expectFailure(client.getEnvironment({ environmentId: env.id }), Code.NotFound, "environment");
  });

  it("removes an environment at once with force, whatever its phase", async () => {
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    await server.clock.advance(stepMs * 3);
    await client.deleteEnvironment({ environmentId: environment!.id, force: true });
    await expectFailure(client.getEnvironment({ environmentId: environment!.id }), Code.NotFound);
    await server.clock.advance(stepMs * 5); // no step runs for a removed environment
    await expectFailure(client.getEnvironment({ environmentId: environment!.id }), Code.NotFound);
  });

  it("refuses to start, stop or update an environment being deleted, but accepts deleting it again", async () => {
    const env = await createRunning(server, client);
    await client.deleteEnvironment({ environmentId: env.id });
    await expectFailure(client.startEnvironment({ environmentId: env.id }), Code.FailedPrecondition, "being deleted");
    await expectFailure(client.stopEnvironment({ environmentId: env.id }), Code.FailedPrecondition, "being deleted");
    await expectFailure(client.updateEnvironment({ environmentId: env.id, metadata: { name: "x" } }), Code.FailedPrecondition, "being deleted");
    await client.deleteEnvironment({ environmentId: env.id });
  });
});

describe("failures", () => {
  it("reports an injected machine failure, stops, and stays stopped until started again", async () => {
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    const id = environment!.id;
    await injectFailure(id, "machine", "no capacity in us-east-1");
    const seen = await stepUntil(server, client, id, isPhase(EnvironmentPhase.STOPPED));
    const failedStep = seen.find((e) => e.status!.failureMessage.length > 0)!;
    expect(failedStep.status!.failureMessage).toEqual(["machine: no capacity in us-east-1"]);
    expect(failedStep.status!.machine!.failureMessage).toBe("no capacity in us-east-1");
    expect(seen.map((e) => EnvironmentPhase[e.status!.phase]).slice(-2)).toEqual(["STOPPING", "STOPPED"]);
    const stopped = seen[seen.length - 1]!;
    expect(stopped.spec!.desiredPhase).toBe(EnvironmentPhase.RUNNING);
    expect(stopped.status!.failureMessage).toEqual(["machine: no capacity in us-east-1"]);

    await server.clock.advance(stepMs * 5);
    expect((await get(client, id)).status!.statusVersion).toBe(stopped.status!.statusVersion);

    await client.startEnvironment({ environmentId: id });
    const retried = await stepUntil(server, client, id, isPhase(EnvironmentPhase.RUNNING));
    expect(retried[retried.length - 1]!.status!.failureMessage).toEqual([]);
  });

  it("marks the content FAILED when its initialization fails", async () => {
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    await injectFailure(environment!.id, "content", "repository not found");
    const seen = await stepUntil(server, client, environment!.id, isPhase(EnvironmentPhase.STOPPED));
    expect(seen.some((e) => where(e).includes("content=FAILED"))).toBe(true);
    expect(seen[seen.length - 1]!.status!.content!.failureMessage).toBe("repository not found");
  });

  it("keeps an environment running when only its automations file fails", async () => {
    const { environment } = await client.createEnvironment({ spec: contextSpec(server) });
    await injectFailure(environment!.id, "automations_file", "invalid YAML");
    const seen = await stepUntil(server, client, environment!.id, isPhase(EnvironmentPhase.RUNNING));
    const running = seen[seen.length - 1]!;
    expect(where(running)).toBe("RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=FAILED");
    expect(running.status!.automationsFile!.failureMessage).toBe("invalid YAML");
  });
});

describe("a project's automations file", () => {
  it("that cannot be applied fails only the file: the environment runs on without its automations", async () => {
    const projectId = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const s = await startTestServer({
      projects: [{ id: projectId, name: "Broken", automationsFile: { tasks: { test: { name: "Test", command: "npm test", dependsOn: ["build"] } } } }],
    });
    try {
      const c = s.client(EnvironmentService, testTokens.admin);
      const { environment } = await c.createEnvironmentFromProject({ projectId });
      const running = (await stepUntil(s, c, environment!.id, isPhase(EnvironmentPhase.RUNNING))).pop()!;
      expect(running.status!.automationsFile!.phase).toBe(ContentPhase.FAILED);
      expect(running.status!.automationsFile!.failureMessage).toContain('automations_file.tasks["test"].depends_on[0]');
      const tasks = await s.client(EnvironmentAutomationService, testTokens.admin).listTasks({ filter: { environmentIds: [environment!.id] } });
      expect(tasks.tasks).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe("archiving", () => {
  it("archives a stopped environment after the idle period; unarchiving brings it back into the default list", async () => {
    const env = await createRunning(server, client);
    await stopToStopped(server, client, env.id);
    await server.clock.advance(archiveAfterMs - 1);
    expect((await get(client, env.id)).metadata!.archivedAt).toBeUndefined();
    await server.clock.advance(1);
    const archived = await get(client, env.id);
    expect(timestampMs(archived.metadata!.archivedAt!)).toBe(server.clock.nowMs());
    const listed = async (archivalStatus?: ListEnvironmentsRequest_ArchivalStatus) =>
      (await client.listEnvironments({ filter: { ...(archivalStatus ? { archivalStatus } : {}) }, pagination: { pageSize: 100 } })).environments.map((e) => e.id);
    expect(await listed()).not.toContain(env.id);
    expect(await listed(ListEnvironmentsRequest_ArchivalStatus.ARCHIVED)).toContain(env.id);
    await expectFailure(client.startEnvironment({ environmentId: env.id }), Code.FailedPrecondition, "archived");

    await client.unarchiveEnvironment({ environmentId: env.id });
    await client.unarchiveEnvironment({ environmentId: env.id }); // idempotent
    expect((await get(client, env.id)).metadata!.archivedAt).toBeUndefined();
    expect(await listed()).toContain(env.id);
    // The idle period starts again with the unarchiving.
    await server.clock.advance(archiveAfterMs - 1);
    expect((await get(client, env.id)).metadata!.archivedAt).toBeUndefined();
    await server.clock.advance(1);
    expect((await get(client, env.id)).metadata!.archivedAt).toBeDefined();
  });

  it("does not archive an environment started again before the idle period ends", async () => {
    const env = await createRunning(server, client);
    await stopToStopped(server, client, env.id);
    await server.clock.advance(archiveAfterMs / 2);
    await client.startEnvironment({ environmentId: env.id });
    await stepUntil(server, client, env.id, isPhase(EnvironmentPhase.RUNNING));
    await server.clock.advance(archiveAfterMs);
    expect((await get(client, env.id)).metadata!.archivedAt).toBeUndefined();
  });
});

describe("inactivity", () => {
  it("stops a running environment its disconnected timeout after the last activity, and not before", async () => {
    const timeoutMs = 30 * 60 * 1000;
    const env = await createRunning(server, client, contextSpec(server, undefined, (s) => (s.timeout = { $typeName: "gitpod.v1.EnvironmentSpec.Timeout", disconnected: { $typeName: "google.protobuf.Duration", seconds: 1800n, nanos: 0 } })));
    await server.clock.advance(timeoutMs / 2);
    await client.markEnvironmentActive({ environmentId: env.id, activitySignal: { source: "VS Code" } });
    await server.clock.advance(timeoutMs - 1);
    expect((await get(client, env.id)).status!.phase).toBe(EnvironmentPhase.RUNNING);
    await server.clock.advance(1);
    const stopped = (await stepUntil(server, client, env.id, isPhase(EnvironmentPhase.STOPPED))).pop()!;
    expect(stopped.spec!.desiredPhase).toBe(EnvironmentPhase.STOPPED);
    expect(stopped.status!.machine!.timeout).toBe("no activity for 30 minutes (disconnected timeout)");

    await client.startEnvironment({ environmentId: env.id });
    const started = (await stepUntil(server, client, env.id, isPhase(EnvironmentPhase.RUNNING))).pop()!;
    expect(started.status!.machine!.timeout).toBe("");
  });

  it("never stops an environment for inactivity without a disconnected timeout", async () => {
    const env = await createRunning(server, client);
    await server.clock.advance(24 * 60 * 60 * 1000);
    expect((await get(client, env.id)).status!.phase).toBe(EnvironmentPhase.RUNNING);
  });
});

describe("step delay", () => {
  it("runs every step as soon as possible with a step delay of 0, without the clock moving", async () => {
    const quick = await startTestServer({ stepDelayMs: 0 });
    try {
      const c = quick.client(EnvironmentService, testTokens.admin);
      const { environment } = await c.createEnvironment({ spec: contextSpec(quick) });
      const started = quick.clock.nowMs();
      let env = environment!;
      for (let i = 0; i < 200 && env.status!.phase !== EnvironmentPhase.RUNNING; i++) {
        await new Promise((r) => setTimeout(r, 5));
        env = await get(c, env.id);
      }
      expect(where(env)).toBe("RUNNING machine=RUNNING content=READY devcontainer=RUNNING automations=READY");
      expect(quick.clock.nowMs()).toBe(started);
    } finally {
      await quick.close();
    }
  });
});
