import { Code } from "@connectrpc/connect";
import { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService, ServicePhase, ServiceRole } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { services } from "../../domain/automations/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import {
  addEnvironment,
  addRunningEnvironment,
  environmentToken,
  expectFailure,
  ref,
  serviceRequest,
  servicePhases,
  setDesiredPhase,
  step,
  stopEnvironment,
  untilServicePhase,
  type AutomationClient,
} from "./test-fixtures.js";

let server: TestServer;
let admin: AutomationClient;
let env: string;
const unknownId = "00000000-0000-4000-8000-0000deadbeef";

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(EnvironmentAutomationService, testTokens.admin);
  env = await addRunningEnvironment(server);
});
afterAll(() => server.close());

async function runningService(init: Parameters<typeof serviceRequest>[1] = {}) {
  const { service } = await admin.createService(serviceRequest(env, init));
  await admin.startService({ id: service!.id });
  await untilServicePhase(server, admin, service!.id, ServicePhase.RUNNING);
  return service!.id;
}

describe("CreateService", () => {
  it("creates a stopped service with server-set id, creator, created_at and the first spec version", async () => {
    const reference = ref();
    const { service } = await admin.createService({
      environmentId: env,
      metadata: { reference, name: "Web Server", description: "dev server", triggeredBy: [{ trigger: { case: "postDevcontainerStart", value: true } }], role: ServiceRole.EDITOR },
      spec: { commands: { start: "npm run dev", ready: "curl -s localhost:3000" }, runsOn: { target: { case: "docker", value: { image: "node:20", environment: [] } } } },
    });
    expect(service).toMatchObject({
      environmentId: env,
      metadata: { reference, name: "Web Server", description: "dev server", role: ServiceRole.EDITOR, creator: { id: server.bootstrap.adminUserId, principal: Principal.USER } },
      spec: { specVersion: 1n, desiredPhase: ServicePhase.STOPPED, commands: { start: "npm run dev", ready: "curl -s localhost:3000" } },
      status: { phase: ServicePhase.UNSPECIFIED },
    });
    expect(service!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(service!.metadata!.createdAt).toEqual(server.clock.now());
    expect((await admin.getService({ id: service!.id })).service).toEqual(service);
  });

  it("keeps references unique per environment: a duplicate is already_exists, the same reference elsewhere is fine", async () => {
    const reference = ref();
    await admin.createService(serviceRequest(env, { metadata: { reference } }));
    await expectFailure(admin.createService(serviceRequest(env, { metadata: { reference } })), Code.AlreadyExists, reference, env);
    const second = await addEnvironment(server);
    await admin.createService(serviceRequest(second, { metadata: { reference } }));
  });

  it("lets exactly one of concurrent creates with one reference win", async () => {
    const reference = ref();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => admin.createService(serviceRequest(env, { metadata: { reference } }))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it.each([
    ["no metadata", { metadata: undefined }, "metadata.reference"],
    ["no start command", { spec: { commands: { start: "  " } } }, "spec.commands.start"],
    ["an undefined role", { metadata: { reference: "r1", name: "n", role: 9 as ServiceRole } }, "metadata.role"],
    ["an empty trigger", { metadata: { reference: "r2", name: "n", triggeredBy: [{}] } }, "metadata.triggered_by[0]"],
    ["a desired phase other than running or stopped", { spec: { desiredPhase: ServicePhase.FAILED, commands: { start: "x" } } }, "spec.desired_phase"],
    ["a reference the proto forbids", { metadata: { reference: "no spaces", name: "n" } }, "metadata.reference"],
  ])("rejects %s with invalid_argument naming the field", async (_, change, field) => {
    const req = { ...serviceRequest(env), ...change } as Parameters<AutomationClient["createService"]>[0];
    await expectFailure(admin.createService(req), Code.InvalidArgument, field);
  });

  it("answers not_found for an unknown environment and failed_precondition for one being deleted", async () => {
    await expectFailure(admin.createService(serviceRequest(unknownId)), Code.NotFound, "environment");
    const doomed = await addRunningEnvironment(server);
    await setDesiredPhase(server, doomed, EnvironmentPhase.DELETED);
    await expectFailure(admin.createService(serviceRequest(doomed)), Code.FailedPrecondition, "being deleted");
  });

  it("starts a service created with desired phase RUNNING, which needs a running environment", async () => {
    const { service } = await admin.createService(serviceRequest(env, { spec: { desiredPhase: ServicePhase.RUNNING } }));
    expect(await servicePhases(server, admin, service!.id, 2)).toEqual(["UNSPECIFIED", "STARTING", "RUNNING"]);
    const starting = await addEnvironment(server);
    await expectFailure(admin.createService(serviceRequest(starting, { spec: { desiredPhase: ServicePhase.RUNNING } })), Code.FailedPrecondition, "not running");
  });
});

describe("service phases on the simulated runner", () => {
  it("starts through STARTING to RUNNING and stops through STOPPING to STOPPED, one step each", async () => {
    const { service } = await admin.createService(serviceRequest(env));
    const id = service!.id;
    await admin.startService({ id });
    expect(await servicePhases(server, admin, id, 3)).toEqual(["UNSPECIFIED", "STARTING", "RUNNING", "RUNNING"]);
    await admin.stopService({ id });
    expect(await servicePhases(server, admin, id, 3)).toEqual(["RUNNING", "STOPPING", "STOPPED", "STOPPED"]);
  });

  it("stays STARTING one more step while the ready command runs", async () => {
    const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { ready: "curl -s localhost:3000" } } }));
    await admin.startService({ id: service!.id });
    expect(await servicePhases(server, admin, service!.id, 4)).toEqual(["UNSPECIFIED", "STARTING", "STARTING", "RUNNING", "RUNNING"]);
  });

  it("increments status_version on every status change and keeps the spec version of the start", async () => {
    const { service } = await admin.createService(serviceRequest(env));
    const id = service!.id;
    await admin.startService({ id });
    const versions: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      versions.push((await admin.getService({ id })).service!.status!.statusVersion);
      if (i === 2) await admin.stopService({ id });
      await step(server);
    }
    expect(versions).toEqual([0n, 1n, 2n, 3n, 4n]);
    const stopped = (await admin.getService({ id })).service!;
    expect(stopped.status!.statusVersion).toBe(4n);
    expect(stopped.spec!.specVersion).toBe(3n); // created 1, started 2, stopped 3
  });

  it("fails a start command of the form exit N or false, with the exit code in failure_message", async () => {
    for (const [start, code] of [["exit 3", 3], ["false", 1]] as const) {
      const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { start } } }));
      await admin.startService({ id: service!.id });
      expect(await servicePhases(server, admin, service!.id, 2)).toEqual(["UNSPECIFIED", "STARTING", "FAILED"]);
      expect((await admin.getService({ id: service!.id })).service!.status!.failureMessage).toBe(`start command ${JSON.stringify(start)} exited with code ${code}`);
    }
  });

  it("stops a service whose start command exits with code 0", async () => {
    const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { start: "exit 0" } } }));
    await admin.startService({ id: service!.id });
    expect(await servicePhases(server, admin, service!.id, 2)).toEqual(["UNSPECIFIED", "STARTING", "STOPPED"]);
  });

  it("keeps a service whose ready command fails STARTING, with the reason, until readiness_timeout fails it", async () => {
    const { service } = await admin.createService(
      serviceRequest(env, { spec: { commands: { ready: "exit 1" }, readinessTimeout: { seconds: 2n } } }),
    );
    const id = service!.id;
    await admin.startService({ id });
    expect(await servicePhases(server, admin, id, 3)).toEqual(["UNSPECIFIED", "STARTING", "STARTING", "STARTING"]);
    expect((await admin.getService({ id })).service!.status!.failureMessage).toBe('ready command "exit 1" exited with code 1');
    await server.clock.advance(1000);
    expect((await admin.getService({ id })).service!.status!.phase).toBe(ServicePhase.STARTING);
    await server.clock.advance(800); // 2 s after it began STARTING
    const failed = (await admin.getService({ id })).service!.status!;
    expect(failed.phase).toBe(ServicePhase.FAILED);
    expect(failed.failureMessage).toBe('not ready within 2s: ready command "exit 1" exited with code 1');
  });

  it("keeps a service whose ready command fails STARTING for good without a readiness timeout", async () => {
    const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { ready: "false" } } }));
    await admin.startService({ id: service!.id });
    expect(await servicePhases(server, admin, service!.id, 3)).toEqual(["UNSPECIFIED", "STARTING", "STARTING", "STARTING"]);
    await server.clock.advance(60_000);
    expect((await admin.getService({ id: service!.id })).service!.status!.phase).toBe(ServicePhase.STARTING);
  });

  it("fails a service whose stop command fails", async () => {
    const id = await runningService({ spec: { commands: { stop: "exit 2" } } });
    await admin.stopService({ id });
    expect(await servicePhases(server, admin, id, 2)).toEqual(["RUNNING", "STOPPING", "FAILED"]);
    expect((await admin.getService({ id })).service!.status!.failureMessage).toBe('stop command "exit 2" exited with code 2');
  });

  it("restarts a running service whose spec.session changes, back through STARTING", async () => {
    const id = await runningService();
    await server.deps.store.collection(services).update(id, (r) => {
      r.service.spec!.session = "second";
      return r;
    });
    expect(await servicePhases(server, admin, id, 4)).toEqual(["RUNNING", "STOPPING", "STOPPED", "STARTING", "RUNNING"]);
    expect((await admin.getService({ id })).service!.status!.session).toBe("second");
  });

  it("does not start an exited service again by itself, but StartService does", async () => {
    const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { start: "false" } } }));
    const id = service!.id;
    await admin.startService({ id });
    await untilServicePhase(server, admin, id, ServicePhase.FAILED);
    expect(await servicePhases(server, admin, id, 2)).toEqual(["FAILED", "FAILED", "FAILED"]);
    await admin.startService({ id });
    expect(await servicePhases(server, admin, id, 2)).toEqual(["FAILED", "STARTING", "FAILED"]);
  });
});

describe("StartService and StopService", () => {
  it("are idempotent: starting a running service and stopping a stopped one change nothing", async () => {
    const id = await runningService();
    const before = (await admin.getService({ id })).service!;
    await admin.startService({ id });
    await admin.startService({ id });
    expect((await admin.getService({ id })).service).toEqual(before);
    await admin.stopService({ id });
    await admin.stopService({ id });
    await untilServicePhase(server, admin, id, ServicePhase.STOPPED);
    const stopped = (await admin.getService({ id })).service!;
    await admin.stopService({ id });
    expect((await admin.getService({ id })).service).toEqual(stopped);
  });

  it("a start while stopping finishes the stop, then starts again", async () => {
    const id = await runningService();
    await admin.stopService({ id });
    await step(server);
    await admin.startService({ id });
    expect(await servicePhases(server, admin, id, 3)).toEqual(["STOPPING", "STOPPED", "STARTING", "RUNNING"]);
  });

  it("starting needs the environment running: failed_precondition while it is stopped", async () => {
    const stopped = await addRunningEnvironment(server);
    const { service } = await admin.createService(serviceRequest(stopped));
    await stopEnvironment(server, stopped);
    await expectFailure(admin.startService({ id: service!.id }), Code.FailedPrecondition, "not running", "ENVIRONMENT_PHASE_STOPPED");
    await admin.stopService({ id: service!.id });
  });

  it("answers not_found for an unknown service", async () => {
    await expectFailure(admin.startService({ id: unknownId }), Code.NotFound, "service", unknownId);
    await expectFailure(admin.stopService({ id: unknownId }), Code.NotFound, "service", unknownId);
  });
});

describe("UpdateService", () => {
  it("changes only the fields that are set: metadata any time, even while running", async () => {
    const id = await runningService({ metadata: { reference: ref(), name: "old", description: "keep me", role: ServiceRole.DEFAULT } });
    await admin.updateService({
      id,
      metadata: { name: "new", triggeredBy: { trigger: [{ trigger: { case: "manual", value: true } }] }, role: ServiceRole.AI_AGENT },
    });
    const { service } = await admin.getService({ id });
    expect(service!.metadata).toMatchObject({ name: "new", description: "keep me", role: ServiceRole.AI_AGENT, triggeredBy: [{ trigger: { case: "manual" } }] });
    expect(service!.spec!.specVersion).toBe(2n);
    await admin.updateService({ id, metadata: { triggeredBy: { trigger: [] } } });
    expect((await admin.getService({ id })).service!.metadata!.triggeredBy).toEqual([]);
  });

  it("changes the spec of a stopped service and increments spec_version; unset parts stay", async () => {
    const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { start: "a", ready: "r", stop: "s" } } }));
    const id = service!.id;
    await admin.updateService({
      id,
      spec: { commands: { start: "b", stop: "" }, env: [{ name: "PORT", source: { case: "value", value: "3000" } }], readinessTimeout: { seconds: 30n } },
    });
    const updated = (await admin.getService({ id })).service!.spec!;
    expect(updated).toMatchObject({ specVersion: 2n, commands: { start: "b", ready: "r", stop: "" }, env: [{ name: "PORT" }], readinessTimeout: { seconds: 30n } });
    await admin.updateService({ id, spec: { commands: { start: "b" } } }); // no change: no new version
    expect((await admin.getService({ id })).service!.spec!.specVersion).toBe(2n);
  });

  it("refuses spec changes while the service runs or is about to (failed_precondition), and allows them once it failed", async () => {
    const id = await runningService();
    await expectFailure(admin.updateService({ id, spec: { commands: { start: "other" } } }), Code.FailedPrecondition, "stop it");
    await admin.updateService({ id, spec: { commands: { start: "npm run dev" } } }); // its current value: accepted
    const { service } = await admin.createService(serviceRequest(env, { spec: { commands: { start: "exit 1" } } }));
    await admin.startService({ id: service!.id });
    await expectFailure(admin.updateService({ id: service!.id, spec: { commands: { start: "x" } } }), Code.FailedPrecondition);
    await untilServicePhase(server, admin, service!.id, ServicePhase.FAILED);
    await admin.updateService({ id: service!.id, spec: { commands: { start: "fixed" } } });
  });

  it("rejects an empty start command and an undefined role", async () => {
    const { service } = await admin.createService(serviceRequest(env));
    await expectFailure(admin.updateService({ id: service!.id, spec: { commands: { start: "" } } }), Code.InvalidArgument, "spec.commands.start");
    await expectFailure(admin.updateService({ id: service!.id, metadata: { role: 42 as ServiceRole } }), Code.InvalidArgument, "metadata.role");
  });

  it("takes a status only from the service's own environment: anyone else is permission_denied", async () => {
    const { service } = await admin.createService(serviceRequest(env));
    const id = service!.id;
    await expectFailure(admin.updateService({ id, status: { phase: ServicePhase.RUNNING } }), Code.PermissionDenied, "status");
    const own = server.client(EnvironmentAutomationService, await environmentToken(server, env));
    await own.updateService({ id, status: { phase: ServicePhase.RUNNING, logUrl: "https://logs", session: "s1", output: { port: "3000", gone: "" } } });
    await own.updateService({ id, status: { output: { url: "http://x", port: "" } } });
    const status = (await admin.getService({ id })).service!.status!;
    expect(status).toMatchObject({ phase: ServicePhase.RUNNING, logUrl: "https://logs", session: "s1", output: { url: "http://x" }, statusVersion: 2n });
    const elsewhere = await addRunningEnvironment(server);
    const foreign = server.client(EnvironmentAutomationService, await environmentToken(server, elsewhere));
    await expectFailure(foreign.updateService({ id, status: { phase: ServicePhase.FAILED } }), Code.NotFound, "service");
  });

  it("serialises concurrent updates: no change is lost and spec versions strictly increase", async () => {
    const { service } = await admin.createService(serviceRequest(env));
    const id = service!.id;
    await Promise.all(Array.from({ length: 20 }, (_, i) => admin.updateService({ id, spec: { commands: { start: `run ${i}` } }, metadata: { description: `d${i}` } })));
    const final = (await admin.getService({ id })).service!;
    expect(final.spec!.specVersion).toBe(21n);
    const i = Number(final.spec!.commands!.start.split(" ")[1]);
    expect(final.metadata!.description).toBe(`d${i}`);
  });
});

describe("DeleteService", () => {
  it("stops a running service first, then marks it DELETED, then removes it", async () => {
    const id = await runningService();
    await admin.deleteService({ id });
    expect((await admin.getService({ id })).service!.spec!.desiredPhase).toBe(ServicePhase.DELETED);
    expect(await servicePhases(server, admin, id, 3)).toEqual(["RUNNING", "STOPPING", "STOPPED", "DELETED"]);
    await admin.deleteService({ id }); // asking again changes nothing
    await step(server);
    await expectFailure(admin.getService({ id }), Code.NotFound, "service");
    expect((await admin.listServices({ filter: { serviceIds: [id] } })).services).toEqual([]);
  });

  it("removes a stopped service after one DELETED step, and frees its reference", async () => {
    const reference = ref();
    const { service } = await admin.createService(serviceRequest(env, { metadata: { reference } }));
    await admin.deleteService({ id: service!.id });
    await expectFailure(admin.startService({ id: service!.id }), Code.FailedPrecondition, "being deleted");
    await expectFailure(admin.updateService({ id: service!.id, spec: { commands: { start: "x" } } }), Code.FailedPrecondition, "being deleted");
    expect(await servicePhases(server, admin, service!.id, 1)).toEqual(["UNSPECIFIED", "DELETED"]);
    await step(server);
    await expectFailure(admin.getService({ id: service!.id }), Code.NotFound);
    await admin.createService(serviceRequest(env, { metadata: { reference } }));
  });

  it("with force removes even a running service at once", async () => {
    const id = await runningService();
    await admin.deleteService({ id, force: true });
    await expectFailure(admin.getService({ id }), Code.NotFound, "service");
    await expectFailure(admin.deleteService({ id }), Code.NotFound, "service");
  });
});

describe("ListServices", () => {
  it("lists in creation order and filters by environment, reference, id and role (AND across filters, OR within)", async () => {
    const e1 = await addEnvironment(server);
    const e2 = await addEnvironment(server);
    const a = (await admin.createService(serviceRequest(e1, { metadata: { reference: "web", name: "w", role: ServiceRole.EDITOR } }))).service!;
    const b = (await admin.createService(serviceRequest(e1, { metadata: { reference: "db", name: "d", role: ServiceRole.DEFAULT } }))).service!;
    const c = (await admin.createService(serviceRequest(e2, { metadata: { reference: "web", name: "w2" } }))).service!;
    const ids = async (filter: Parameters<AutomationClient["listServices"]>[0]["filter"]) => (await admin.listServices({ filter })).services.map((s) => s.id);
    expect(await ids({ environmentIds: [e1, e2] })).toEqual([a.id, b.id, c.id]);
    expect(await ids({ environmentIds: [e1, e2], references: ["web"] })).toEqual([a.id, c.id]);
    expect(await ids({ environmentIds: [e1, e2], serviceIds: [b.id, c.id] })).toEqual([b.id, c.id]);
    expect(await ids({ environmentIds: [e1, e2], roles: [ServiceRole.EDITOR, ServiceRole.UNSPECIFIED] })).toEqual([a.id, c.id]);
    expect(await ids({ environmentIds: [e2], roles: [ServiceRole.EDITOR] })).toEqual([]);
  });
});
