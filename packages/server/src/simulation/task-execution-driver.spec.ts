import type { Client } from "@connectrpc/connect";
import { EnvironmentAutomationService, ServicePhase, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { afterAll, beforeAll, expect, it } from "vitest";
import { manualClock } from "../clock.js";
import { newTaskRecord, startTaskRun, taskExecutions, taskRecords } from "../domain/automations/index.js";
import { createHandlerDeps } from "../handler-deps.js";
import { sequentialIds } from "../ids.js";
import { addRunningEnvironment, environmentToken } from "../test-support/environment-fixtures.js";
import { userSubject } from "../test-support/store-fixtures.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { startSimulatedRunner } from "./simulated-runner.js";
import { taskExecutionDriver } from "./task-execution-driver.js";

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

it("does not poll an execution waiting for its service: the service's next change wakes it", async () => {
  const service = (await admin.createService({ environmentId: env, metadata: { reference: "slow", name: "slow" }, spec: { commands: { start: "run", ready: "false" } } })).service!;
  const task = (await admin.createTask({ environmentId: env, metadata: { reference: "after", name: "after" }, spec: { command: "go" }, dependsOn: [service.id] })).task!;
  const x = (await admin.startTask({ id: task.id })).taskExecution!;
  for (let i = 0; i < 5; i++) await step();
  expect((await admin.getService({ id: service.id })).service!.status!.phase).toBe(ServicePhase.STARTING);
  expect((await admin.getTaskExecution({ id: x.id })).taskExecution!.status!.phase).toBe(TaskExecutionPhase.RUNNING);
  expect(server.simulation.isScheduled(`task-execution/${x.id}`)).toBe(false);

  // The environment reports the service running (the simulated readiness check never passes).
  const own = server.client(EnvironmentAutomationService, await environmentToken(server, env));
  await own.updateService({ id: service.id, status: { phase: ServicePhase.RUNNING } });
  expect(server.simulation.isScheduled(`task-execution/${x.id}`)).toBe(true);
  await step();
  await step();
  await step();
  expect((await admin.getTaskExecution({ id: x.id })).taskExecution!.status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
});

it("schedules nothing for a finished execution", async () => {
  const task = (await admin.createTask({ environmentId: env, metadata: { reference: "quick", name: "quick" }, spec: { command: "true" } })).task!;
  const x = (await admin.startTask({ id: task.id })).taskExecution!;
  expect(server.simulation.isScheduled(`task-execution/${x.id}`)).toBe(true);
  await step();
  await step();
  expect((await admin.getTaskExecution({ id: x.id })).taskExecution!.status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
  expect(server.simulation.isScheduled(`task-execution/${x.id}`)).toBe(false);
});

it("resumes the executions left unfinished in the store when the runner starts", async () => {
  const clock = manualClock();
  const deps = createHandlerDeps({ clock, ids: sequentialIds() });
  const task = newTaskRecord(
    { id: deps.ids.newId(), placement: { environmentId: "e", runnerId: "r" }, creator: userSubject("u"), now: clock.now(), fromAutomationsFile: false },
    { reference: "build", name: "build" },
    { command: "make" },
    [],
  );
  const run = await deps.store.transaction(async (tx) => {
    await taskRecords.insert(tx, "org", task.task.id, task);
    return startTaskRun(tx, deps, { task, organizationId: "org", creator: userSubject("u"), startedBy: "manual" });
  });
  const runner = await startSimulatedRunner(deps, { stepDelayMs: 100, archiveAfterMs: 1e9 }, [taskExecutionDriver()]);
  await clock.advance(100);
  await clock.advance(100);
  expect((await deps.store.collection(taskExecutions).get(run.execution.id))!.value.execution.status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
  runner.stop();
});
