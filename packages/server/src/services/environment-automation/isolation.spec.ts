import { Code } from "@connectrpc/connect";
import { EnvironmentAutomationService, ServicePhase, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import {
  addRunner,
  addRunningEnvironment,
  allPages,
  environmentToken,
  expectFailure,
  runnerToken,
  serviceRequest,
  taskRequest,
  untilFinished,
  untilServicePhase,
  tamper,
  type AutomationClient,
} from "./test-fixtures.js";

let server: TestServer;
let admin: AutomationClient;
let other: AutomationClient;
let env: string;
let serviceId: string;
let taskId: string;
let executionId: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(EnvironmentAutomationService, testTokens.admin);
  other = server.client(EnvironmentAutomationService, testTokens.other);
  env = await addRunningEnvironment(server);
  serviceId = (await admin.createService(serviceRequest(env))).service!.id;
  taskId = (await admin.createTask(taskRequest(env))).task!.id;
  executionId = (await admin.startTask({ id: taskId })).taskExecution!.id;
});
afterAll(() => server.close());

describe("another organization's caller", () => {
  it("gets not_found from every RPC naming an automation or environment of this one", async () => {
    // Thunks, called one at a time: a call started before its turn could fail before anything awaits it.
    const calls: [string, () => Promise<unknown>, string][] = [
      ["CreateService", () => other.createService(serviceRequest(env)), "environment"],
      ["GetService", () => other.getService({ id: serviceId }), "service"],
      ["UpdateService", () => other.updateService({ id: serviceId, metadata: { name: "x" } }), "service"],
      ["DeleteService", () => other.deleteService({ id: serviceId, force: true }), "service"],
      ["StartService", () => other.startService({ id: serviceId }), "service"],
      ["StopService", () => other.stopService({ id: serviceId }), "service"],
      ["UpsertAutomationsFile", () => other.upsertAutomationsFile({ environmentId: env, automationsFile: {} }), "environment"],
      ["CreateTask", () => other.createTask(taskRequest(env)), "environment"],
      ["GetTask", () => other.getTask({ id: taskId }), "task"],
      ["UpdateTask", () => other.updateTask({ id: taskId, spec: { command: "x" } }), "task"],
      ["DeleteTask", () => other.deleteTask({ id: taskId }), "task"],
      ["StartTask", () => other.startTask({ id: taskId }), "task"],
      ["GetTaskExecution", () => other.getTaskExecution({ id: executionId }), "task execution"],
      ["StopTaskExecution", () => other.stopTaskExecution({ id: executionId }), "task execution"],
    ];
    for (const [, call, kind] of calls) await expectFailure(call(), Code.NotFound, kind);
    expect((await admin.getService({ id: serviceId })).service!.metadata!.name).toBe("A service");
    expect((await admin.getTask({ id: taskId })).task!.spec!.command).toBe("npm test");
  });

  it("lists nothing of this organization, whatever the filter names", async () => {
    expect((await other.listServices({})).services).toEqual([]);
    expect((await other.listServices({ filter: { environmentIds: [env], serviceIds: [serviceId] } })).services).toEqual([]);
    expect((await other.listTasks({ filter: { environmentIds: [env], taskIds: [taskId] } })).tasks).toEqual([]);
    expect((await other.listTaskExecutions({ filter: { environmentIds: [env], taskIds: [taskId] } })).taskExecutions).toEqual([]);
  });

  it("cannot use this organization's page tokens (invalid_argument naming pagination.token)", async () => {
    for (let i = 0; i < 3; i++) {
      await admin.createService(serviceRequest(env));
      await admin.createTask(taskRequest(env));
      await admin.startTask({ id: taskId });
    }
    const filter = { environmentIds: [env] };
    const s = (await admin.listServices({ filter, pagination: { pageSize: 1 } })).pagination!.nextToken;
    const t = (await admin.listTasks({ filter, pagination: { pageSize: 1 } })).pagination!.nextToken;
    const x = (await admin.listTaskExecutions({ filter, pagination: { pageSize: 1 } })).pagination!.nextToken;
    await expectFailure(other.listServices({ filter, pagination: { token: s } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(other.listTasks({ filter, pagination: { token: t } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(other.listTaskExecutions({ filter, pagination: { token: x } }), Code.InvalidArgument, "pagination.token");
  });
});

describe("pagination", () => {
  it("walks every page of a filtered list in creation order, with tokens bound to the filter and verified", async () => {
    const e = await addRunningEnvironment(server);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await admin.createService(serviceRequest(e))).service!.id);
    await admin.createService(serviceRequest(env));
    const filter = { environmentIds: [e] };
    const { items, pages } = await allPages(async (token) => {
      const page = await admin.listServices({ filter, pagination: { pageSize: 3, token } });
      return { items: page.services.map((s) => s.id), nextToken: page.pagination!.nextToken };
    });
    expect(items).toEqual(created);
    expect(pages).toBe(3);
    const token = (await admin.listServices({ filter, pagination: { pageSize: 3 } })).pagination!.nextToken;
    await expectFailure(admin.listServices({ filter: { environmentIds: [env] }, pagination: { token } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listServices({ filter, pagination: { token: tamper(token) } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listTasks({ filter, pagination: { token } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listServices({ pagination: { pageSize: 101 } }), Code.InvalidArgument, "page_size");
  });

  it("pages tasks and task executions the same way", async () => {
    const e = await addRunningEnvironment(server);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await admin.createTask(taskRequest(e))).task!.id);
    const runs: string[] = [];
    for (const id of ids) runs.push((await admin.startTask({ id })).taskExecution!.id);
    const filter = { environmentIds: [e] };
    const tasks = await allPages(async (token) => {
      const page = await admin.listTasks({ filter, pagination: { pageSize: 3, token } });
      return { items: page.tasks.map((t) => t.id), nextToken: page.pagination!.nextToken };
    });
    expect(tasks).toEqual({ items: ids, pages: 2 });
    const executions = await allPages(async (token) => {
      const page = await admin.listTaskExecutions({ filter: { ...filter, phases: [TaskExecutionPhase.PENDING] }, pagination: { pageSize: 2, token } });
      return { items: page.taskExecutions.map((x) => x.id), nextToken: page.pagination!.nextToken };
    });
    expect(executions).toEqual({ items: runs, pages: 2 });
  });
});

describe("environment and runner principals", () => {
  it("an environment sees and manages only its own environment's automations", async () => {
    const second = await addRunningEnvironment(server);
    const mine = (await admin.createService(serviceRequest(second))).service!;
    const own = server.client(EnvironmentAutomationService, await environmentToken(server, second));
    expect((await own.listServices({})).services.map((s) => s.id)).toEqual([mine.id]);
    expect((await own.listServices({ filter: { environmentIds: [env] } })).services).toEqual([]);
    expect((await own.listTasks({})).tasks).toEqual([]);
    expect((await own.listTaskExecutions({})).taskExecutions).toEqual([]);
    await expectFailure(own.getService({ id: serviceId }), Code.NotFound, "service");
    await expectFailure(own.getTask({ id: taskId }), Code.NotFound, "task");
    await expectFailure(own.getTaskExecution({ id: executionId }), Code.NotFound, "task execution");
    await expectFailure(own.createService(serviceRequest(env)), Code.NotFound, "environment");
    const task = (await own.createTask(taskRequest(second))).task!;
    expect(task.metadata!.creator!.id).toBe(second);
    await own.startService({ id: mine.id });
    await untilServicePhase(server, own, mine.id, ServicePhase.RUNNING);
  });

  it("a runner reads the automations of the environments on it, and none of another runner's", async () => {
    const onBootstrap = server.client(EnvironmentAutomationService, await runnerToken(server, server.bootstrap.runnerId));
    expect((await onBootstrap.getService({ id: serviceId })).service!.id).toBe(serviceId);
    expect((await onBootstrap.listTasks({ filter: { environmentIds: [env] } })).tasks.map((t) => t.id)).toContain(taskId);
    await expectFailure(onBootstrap.startService({ id: serviceId }), Code.PermissionDenied);
    const elsewhere = server.client(EnvironmentAutomationService, await runnerToken(server, await addRunner(server)));
    await expectFailure(elsewhere.getService({ id: serviceId }), Code.NotFound, "service");
    await expectFailure(elsewhere.getTaskExecution({ id: executionId }), Code.NotFound, "task execution");
    expect((await elsewhere.listServices({})).services).toEqual([]);
  });
});

describe.each(flavours)("over %s", (flavour) => {
  it("creates, starts, lists and runs automations", async () => {
    const client = server.client(EnvironmentAutomationService, testTokens.admin, flavour);
    const { service } = await client.createService(serviceRequest(env));
    await client.startService({ id: service!.id });
    await untilServicePhase(server, client, service!.id, ServicePhase.RUNNING);
    const { task } = await client.createTask(taskRequest(env, { dependsOn: [service!.id] }));
    const run = (await client.startTask({ id: task!.id })).taskExecution!;
    expect((await untilFinished(server, client, run.id)).status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
    const { updatedServiceIds } = await client.upsertAutomationsFile({ environmentId: env, automationsFile: { services: { [`f-${flavour}`]: { name: "f", commands: { start: "x" } } } } });
    expect(updatedServiceIds).toHaveLength(1);
    await expectFailure(client.getService({ id: "00000000-0000-4000-8000-0000deadbeef" }), Code.NotFound, "service");
    await expectFailure(client.updateTask({ id: task!.id, dependsOn: [task!.id] }), Code.InvalidArgument, "depends_on");
  });
});
