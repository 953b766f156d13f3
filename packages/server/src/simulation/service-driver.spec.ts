import { EnvironmentAutomationService, ServicePhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newServiceRecord, serviceRecords, services } from "../domain/automations/index.js";
import { createHandlerDeps } from "../handler-deps.js";
import { manualClock } from "../clock.js";
import { sequentialIds } from "../ids.js";
import { addRunningEnvironment } from "../test-support/environment-fixtures.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { userSubject } from "../test-support/store-fixtures.js";
import { failureInjections, failureKey, type FailureInjection } from "./failure-injections.js";
import { serviceDriver } from "./service-driver.js";
import { startSimulatedRunner } from "./simulated-runner.js";
import type { Client } from "@connectrpc/connect";

let server: TestServer;
let admin: Client<typeof EnvironmentAutomationService>;
let env: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(EnvironmentAutomationService, testTokens.admin);
  env = await addRunningEnvironment(server);
});
afterAll(() => server.close());

const step = () => server.clock.advance(server.simulation.options.stepDelayMs);

async function phases(id: string, steps: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i <= steps; i++) {
    if (i > 0) await step();
    const s = (await admin.getService({ id })).service!.status!;
    seen.push(s.failureMessage ? `${ServicePhase[s.phase]}: ${s.failureMessage}` : ServicePhase[s.phase]);
  }
  return seen;
}

async function inject(targetId: string, at: FailureInjection["step"], message: string) {
  await server.deps.store.collection(failureInjections).insert({
    id: failureKey(targetId, at),
    organizationId: server.bootstrap.organizationId,
    value: { kind: "service", targetId, step: at, message },
  });
}

const create = async (commands: { start?: string; ready?: string; stop?: string } = {}) =>
  (await admin.createService({ environmentId: env, metadata: { reference: `s${Math.random().toString(36).slice(2)}`, name: "s" }, spec: { commands: { start: "run", ...commands } } })).service!.id;

describe("the service driver", () => {
  it("fails a start with the failure injected at its start step, once", async () => {
    const id = await create();
    await inject(id, "start", "image not found");
    await admin.startService({ id });
    expect(await phases(id, 2)).toEqual(["UNSPECIFIED", "STARTING", "FAILED: image not found"]);
    await admin.startService({ id });
    expect(await phases(id, 2)).toEqual(["FAILED: image not found", "STARTING", "RUNNING"]);
  });

  it("fails the readiness check with the failure injected at its ready step", async () => {
    const id = await create({ ready: "curl localhost" });
    await inject(id, "ready", "connection refused");
    await admin.startService({ id });
    expect(await phases(id, 3)).toEqual(["UNSPECIFIED", "STARTING", "STARTING", "FAILED: connection refused"]);
  });

  it("fails a stop with the failure injected at its stop step", async () => {
    const id = await create();
    await admin.startService({ id });
    await step();
    await step();
    await inject(id, "stop", "still busy");
    await admin.stopService({ id });
    expect(await phases(id, 2)).toEqual(["RUNNING", "STOPPING", "FAILED: still busy"]);
  });

  it("waits out a readiness timeout with one step at the deadline, not a step every delay", async () => {
    const id = await create({ ready: "exit 7" });
    await admin.updateService({ id, spec: { readinessTimeout: { seconds: 5n } } });
    await admin.startService({ id });
    await step();
    await step();
    await step(); // the probe failed: STARTING with the reason
    expect(server.simulation.isScheduled(`service/${id}`)).toBe(true);
    const before = (await admin.getService({ id })).service!.status!.statusVersion;
    await server.clock.advance(4_000);
    expect((await admin.getService({ id })).service!.status!.statusVersion).toBe(before);
    await server.clock.advance(800);
    expect((await admin.getService({ id })).service!.status!.phase).toBe(ServicePhase.FAILED);
    expect(server.simulation.isScheduled(`service/${id}`)).toBe(false);
  });

  it("schedules nothing for a settled service", async () => {
    const id = await create();
    expect(server.simulation.isScheduled(`service/${id}`)).toBe(false);
    await admin.startService({ id });
    expect(server.simulation.isScheduled(`service/${id}`)).toBe(true);
    await step();
    await step();
    expect(server.simulation.isScheduled(`service/${id}`)).toBe(false);
  });
});

it("resumes the services left unsettled in the store when the runner starts", async () => {
  const clock = manualClock();
  const deps = createHandlerDeps({ clock, ids: sequentialIds() });
  const record = newServiceRecord(
    { id: "00000000-0000-4000-8000-000000000001", placement: { environmentId: "e", runnerId: "r" }, creator: userSubject("u"), now: clock.now(), fromAutomationsFile: false },
    { reference: "web", name: "web" },
    { desiredPhase: ServicePhase.RUNNING, commands: { start: "run" } },
  );
  await deps.store.transaction((tx) => serviceRecords.insert(tx, "org", record.service.id, record));
  const runner = await startSimulatedRunner(deps, { stepDelayMs: 100, archiveAfterMs: 1e9 }, [serviceDriver()]);
  await clock.advance(100);
  await clock.advance(100);
  expect((await deps.store.collection(services).get(record.service.id))!.value.service.status!.phase).toBe(ServicePhase.RUNNING);
  runner.stop();
});
