import { Code } from "@connectrpc/connect";
import {
  EnvironmentAutomationService,
  ServicePhase,
  TaskExecutionPhase,
  type TaskExecution,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureInjections, failureKey } from "../../simulation/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import {
  addEnvironment,
  addRunningEnvironment,
  expectFailure,
  ref,
  serviceRequest,
  step,
  stopEnvironment,
  taskRequest,
  untilFinished,
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

const newTask = async (init: Parameters<typeof taskRequest>[1] = {}, environmentId = env) => (await admin.createTask(taskRequest(environmentId, init))).task!;
const newService = async (init: Parameters<typeof serviceRequest>[1] = {}) => (await admin.createService(serviceRequest(env, init))).service!;

/** Each step's phase by step id, in plan order, and the execution's phase: "RUNNING[a=SUCCEEDED b=RUNNING]". */
function snapshot(x: TaskExecution, labels: Map<string, string>): string {
  const steps = new Map(x.status!.steps.map((s) => [s.id, TaskExecutionPhase[s.phase]]));
  const parts = x.spec!.plan.flatMap((g) => g.steps).filter((s) => steps.has(s.id)).map((s) => `${labels.get(s.id)}=${steps.get(s.id)}`);
  return `${TaskExecutionPhase[x.status!.phase]}[${parts.join(" ")}]`;
}

async function watch(id: string, steps: number): Promise<string[]> {
  const first = (await admin.getTaskExecution({ id })).taskExecution!;
  const labels = new Map(first.spec!.plan.flatMap((g) => g.steps).map((s) => [s.id, s.label]));
  const seen = [snapshot(first, labels)];
  for (let i = 0; i < steps; i++) {
    await step(server);
    seen.push(snapshot((await admin.getTaskExecution({ id })).taskExecution!, labels));
  }
  return seen;
}

describe("tasks", () => {
  it("creates, gets, lists, updates and deletes a task", async () => {
    const reference = ref("task");
    const created = (
      await admin.createTask({
        environmentId: env,
        metadata: { reference, name: "Build", description: "builds", triggeredBy: [{ trigger: { case: "postEnvironmentStart", value: true } }] },
        spec: { command: "npm run build" },
      })
    ).task!;
    expect(created).toMatchObject({
      environmentId: env,
      metadata: { reference, name: "Build", creator: { id: server.bootstrap.adminUserId, principal: Principal.USER }, createdAt: server.clock.now() },
      spec: { command: "npm run build" },
      dependsOn: [],
    });
    expect((await admin.getTask({ id: created.id })).task).toEqual(created);
    await admin.updateTask({ id: created.id, spec: { command: "npm run build:prod", prebuildRequiresSuccess: true }, metadata: { description: "prod" } });
    expect((await admin.getTask({ id: created.id })).task).toMatchObject({
      metadata: { name: "Build", description: "prod" },
      spec: { command: "npm run build:prod", prebuildRequiresSuccess: true },
    });
    expect((await admin.listTasks({ filter: { taskIds: [created.id] } })).tasks.map((t) => t.id)).toEqual([created.id]);
    await admin.deleteTask({ id: created.id });
    await expectFailure(admin.getTask({ id: created.id }), Code.NotFound, "task", created.id);
    await expectFailure(admin.deleteTask({ id: created.id }), Code.NotFound, "task");
  });

  it("keeps task references unique per environment, in a namespace apart from services'", async () => {
    const reference = ref("shared");
    await newService({ metadata: { reference } });
    await newTask({ metadata: { reference } });
    await expectFailure(admin.createTask(taskRequest(env, { metadata: { reference } })), Code.AlreadyExists, "task", reference);
  });

  it.each([
    ["no metadata", { metadata: undefined }, "metadata.reference"],
    ["no command", { spec: { command: "" } }, "spec.command"],
    ["a trigger set to false", { metadata: { reference: "t1", name: "n", triggeredBy: [{ trigger: { case: "manual" as const, value: false } }] } }, "metadata.triggered_by[0]"],
    ["a dependency that is no UUID", { dependsOn: ["build"] }, "depends_on[0]"],
  ])("rejects %s with invalid_argument naming the field", async (_, change, field) => {
    await expectFailure(admin.createTask({ ...taskRequest(env), ...change } as Parameters<AutomationClient["createTask"]>[0]), Code.InvalidArgument, field);
  });

  it("accepts only dependencies on services and tasks of the same environment, naming depends_on[i]", async () => {
    const service = await newService();
    const other = await addEnvironment(server);
    const foreign = await newTask({}, other);
    await expectFailure(admin.createTask(taskRequest(env, { dependsOn: [service.id, unknownId] })), Code.InvalidArgument, "depends_on[1]", unknownId);
    await expectFailure(admin.createTask(taskRequest(env, { dependsOn: [foreign.id] })), Code.InvalidArgument, "depends_on[0]");
    const task = await newTask({ dependsOn: [service.id, service.id] });
    expect(task.dependsOn).toEqual([service.id]);
    await expectFailure(admin.updateTask({ id: task.id, dependsOn: [unknownId] }), Code.InvalidArgument, "depends_on[0]");
  });

  it("rejects an update that closes a dependency cycle (also onto itself), naming depends_on", async () => {
    const a = await newTask();
    const b = await newTask({ dependsOn: [a.id] });
    const c = await newTask({ dependsOn: [b.id] });
    await expectFailure(admin.updateTask({ id: a.id, dependsOn: [c.id] }), Code.InvalidArgument, "depends_on", "cycle", a.metadata!.reference, c.metadata!.reference);
    await expectFailure(admin.updateTask({ id: a.id, dependsOn: [a.id] }), Code.InvalidArgument, "depends_on", "cycle");
    expect((await admin.getTask({ id: a.id })).task!.dependsOn).toEqual([]);
  });

  it("drops a deleted service or task from the dependencies of the others", async () => {
    const service = await newService();
    const a = await newTask();
    const b = await newTask({ dependsOn: [a.id, service.id] });
    await admin.deleteTask({ id: a.id });
    await admin.deleteService({ id: service.id, force: true });
    expect((await admin.getTask({ id: b.id })).task!.dependsOn).toEqual([]);
  });

  it("serialises concurrent updates of one task", async () => {
    const task = await newTask();
    await Promise.all(Array.from({ length: 20 }, (_, i) => admin.updateTask({ id: task.id, spec: { command: `c${i}` }, metadata: { description: `c${i}` } })));
    const final = (await admin.getTask({ id: task.id })).task!;
    expect(final.metadata!.description).toBe(final.spec!.command);
  });
});

describe("StartTask and the plan", () => {
  it("creates a PENDING execution started by the caller, 'manual', with the task alone in its plan", async () => {
    const task = await newTask({ spec: { command: "make" } });
    const x = (await admin.startTask({ id: task.id })).taskExecution!;
    expect(x).toMatchObject({
      metadata: { taskId: task.id, environmentId: env, startedBy: "manual", creator: { id: server.bootstrap.adminUserId }, createdAt: server.clock.now() },
      spec: { desiredPhase: TaskExecutionPhase.RUNNING, plan: [{ steps: [{ label: "A task", dependsOn: [], step: { case: "task", value: { id: task.id, spec: { command: "make" } } } }] }] },
      status: { phase: TaskExecutionPhase.PENDING, steps: [] },
    });
    expect(x.metadata!.startedAt).toBeUndefined();
    expect((await admin.getTaskExecution({ id: x.id })).taskExecution).toEqual(x);
  });

  it("orders the dependency closure in topological groups, each step waiting for the step ids of its dependencies", async () => {
    const db = await newService({ metadata: { reference: ref(), name: "db" } });
    const install = await newTask({ metadata: { reference: ref("t"), name: "install" } });
    const build = await newTask({ metadata: { reference: ref("t"), name: "build" }, dependsOn: [install.id, db.id] });
    const lint = await newTask({ metadata: { reference: ref("t"), name: "lint" }, dependsOn: [install.id] });
    const test = await newTask({ metadata: { reference: ref("t"), name: "test" }, dependsOn: [build.id, lint.id, install.id] });
    await newTask({ metadata: { reference: ref("t"), name: "unrelated" } });
    const plan = (await admin.startTask({ id: test.id })).taskExecution!.spec!.plan;
    expect(plan.map((g) => g.steps.map((s) => s.label))).toEqual([["install", "db"], ["build", "lint"], ["test"]]);
    const stepOf = new Map(plan.flatMap((g) => g.steps).map((s) => [s.label, s]));
    const idOf = (label: string) => stepOf.get(label)!.id;
    expect(stepOf.get("build")!.dependsOn).toEqual([idOf("install"), idOf("db")]);
    expect(stepOf.get("test")!.dependsOn).toEqual([idOf("build"), idOf("lint"), idOf("install")]);
    expect(stepOf.get("db")!.step).toEqual({ case: "serviceId", value: db.id });
    expect(new Set([...stepOf.values()].map((s) => s.id)).size).toBe(5);
    for (const s of stepOf.values()) expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("captures the task specs at the start: a later update does not change the run", async () => {
    const task = await newTask({ spec: { command: "v1" } });
    const x = (await admin.startTask({ id: task.id })).taskExecution!;
    await admin.updateTask({ id: task.id, spec: { command: "exit 1" } });
    expect((await untilFinished(server, admin, x.id)).status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
  });

  it("needs the environment running (failed_precondition) and an existing task (not_found)", async () => {
    const elsewhere = await addRunningEnvironment(server);
    const task = await newTask({}, elsewhere);
    await stopEnvironment(server, elsewhere);
    await expectFailure(admin.startTask({ id: task.id }), Code.FailedPrecondition, "not running");
    await expectFailure(admin.startTask({ id: unknownId }), Code.NotFound, "task");
  });
});

describe("task executions on the simulated runner", () => {
  it("runs PENDING → RUNNING → SUCCEEDED, setting started_at and completed_at", async () => {
    const task = await newTask();
    const x = (await admin.startTask({ id: task.id })).taskExecution!;
    expect(await watch(x.id, 3)).toEqual(["PENDING[]", "RUNNING[A task=RUNNING]", "SUCCEEDED[A task=SUCCEEDED]", "SUCCEEDED[A task=SUCCEEDED]"]);
    const done = (await admin.getTaskExecution({ id: x.id })).taskExecution!;
    expect(Number(done.metadata!.startedAt!.seconds)).toBeLessThan(Number(done.metadata!.completedAt!.seconds) + 1);
    expect(done.metadata!.completedAt).toBeDefined();
    expect(done.status!.statusVersion).toBe(2n);
  });

  it("runs group after group, a service step starting its service and succeeding once it runs", async () => {
    const db = await newService({ metadata: { reference: ref(), name: "db" } });
    const seed = await newTask({ metadata: { reference: ref("t"), name: "seed" } });
    const test = await newTask({ metadata: { reference: ref("t"), name: "test" }, dependsOn: [db.id, seed.id] });
    const x = (await admin.startTask({ id: test.id })).taskExecution!;
    expect(await watch(x.id, 6)).toEqual([
      "PENDING[]",
      "RUNNING[db=RUNNING seed=RUNNING]",
      "RUNNING[db=RUNNING seed=SUCCEEDED]", // the service is STARTING
      "RUNNING[db=SUCCEEDED seed=SUCCEEDED]", // the service runs (its step ran first in this step delay)
      "RUNNING[db=SUCCEEDED seed=SUCCEEDED test=RUNNING]",
      "SUCCEEDED[db=SUCCEEDED seed=SUCCEEDED test=SUCCEEDED]",
      "SUCCEEDED[db=SUCCEEDED seed=SUCCEEDED test=SUCCEEDED]",
    ]);
    expect((await admin.getService({ id: db.id })).service!.status!.phase).toBe(ServicePhase.RUNNING);
  });

  it("fails at a failing command: the step and the execution FAILED, later groups never run", async () => {
    const broken = await newTask({ metadata: { reference: ref("t"), name: "broken" }, spec: { command: "exit 4" } });
    const fine = await newTask({ metadata: { reference: ref("t"), name: "fine" } });
    const last = await newTask({ metadata: { reference: ref("t"), name: "last" }, dependsOn: [broken.id, fine.id] });
    const x = (await admin.startTask({ id: last.id })).taskExecution!;
    expect(await watch(x.id, 3)).toEqual([
      "PENDING[]",
      "RUNNING[broken=RUNNING fine=RUNNING]",
      "FAILED[broken=FAILED fine=SUCCEEDED]",
      "FAILED[broken=FAILED fine=SUCCEEDED]",
    ]);
    const done = (await admin.getTaskExecution({ id: x.id })).taskExecution!;
    expect(done.status!.failureMessage).toBe('broken: command "exit 4" exited with code 4');
    expect(done.status!.steps.find((s) => s.phase === TaskExecutionPhase.FAILED)!.failureMessage).toBe('command "exit 4" exited with code 4');
    expect(done.metadata!.completedAt).toBeDefined();
  });

  it("fails a step with a failure injected at the task's run step, once", async () => {
    const task = await newTask({ metadata: { reference: ref("t"), name: "flaky" } });
    await server.deps.store.collection(failureInjections).insert({
      id: failureKey(task.id, "run"),
      organizationId: server.bootstrap.organizationId,
      value: { kind: "task", targetId: task.id, step: "run", message: "disk full" },
    });
    const first = await untilFinished(server, admin, (await admin.startTask({ id: task.id })).taskExecution!.id);
    expect(first.status).toMatchObject({ phase: TaskExecutionPhase.FAILED, failureMessage: "flaky: disk full" });
    const second = await untilFinished(server, admin, (await admin.startTask({ id: task.id })).taskExecution!.id);
    expect(second.status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
  });

  it("fails a service step whose service fails, stopping nothing else", async () => {
    const db = await newService({ metadata: { reference: ref(), name: "db" }, spec: { commands: { start: "false" } } });
    const test = await newTask({ metadata: { reference: ref("t"), name: "test" }, dependsOn: [db.id] });
    const done = await untilFinished(server, admin, (await admin.startTask({ id: test.id })).taskExecution!.id);
    expect(done.status!.phase).toBe(TaskExecutionPhase.FAILED);
    expect(done.status!.failureMessage).toContain('service "' + db.metadata!.reference + '" failed: start command "false" exited with code 1');
    expect(done.status!.steps).toHaveLength(1);
  });

  it("StopTaskExecution stops the unfinished steps and the execution one step later; it is idempotent", async () => {
    const db = await newService({ metadata: { reference: ref(), name: "db" }, spec: { commands: { ready: "exit 1" } } }); // never ready
    const test = await newTask({ metadata: { reference: ref("t"), name: "test" }, dependsOn: [db.id] });
    const x = (await admin.startTask({ id: test.id })).taskExecution!;
    await untilServicePhase(server, admin, db.id, ServicePhase.STARTING);
    await step(server);
    await step(server);
    await admin.stopTaskExecution({ id: x.id });
    await admin.stopTaskExecution({ id: x.id });
    expect((await admin.getTaskExecution({ id: x.id })).taskExecution!.spec!.desiredPhase).toBe(TaskExecutionPhase.STOPPED);
    expect(await watch(x.id, 1)).toEqual(["RUNNING[db=RUNNING]", "STOPPED[db=STOPPED]"]);
    await admin.stopTaskExecution({ id: x.id });
    expect((await admin.getTaskExecution({ id: x.id })).taskExecution!.metadata!.completedAt).toBeDefined();
  });

  it("StopTaskExecution leaves a finished execution as it is", async () => {
    const task = await newTask();
    const done = await untilFinished(server, admin, (await admin.startTask({ id: task.id })).taskExecution!.id);
    await admin.stopTaskExecution({ id: done.id });
    expect((await admin.getTaskExecution({ id: done.id })).taskExecution).toEqual(done);
    await expectFailure(admin.stopTaskExecution({ id: unknownId }), Code.NotFound, "task execution");
  });

  it("keeps the executions of a deleted task as run history", async () => {
    const task = await newTask();
    const x = (await admin.startTask({ id: task.id })).taskExecution!;
    await admin.deleteTask({ id: task.id });
    expect((await untilFinished(server, admin, x.id)).status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
    expect((await admin.listTaskExecutions({ filter: { taskIds: [task.id] } })).taskExecutions.map((e) => e.id)).toEqual([x.id]);
  });
});

describe("ListTaskExecutions", () => {
  it("filters by task, task reference, environment and phase, in creation order", async () => {
    const e = await addRunningEnvironment(server);
    const a = await newTask({ metadata: { reference: "alpha", name: "a" } }, e);
    const b = await newTask({ metadata: { reference: "beta", name: "b" }, spec: { command: "false" } }, e);
    const x1 = (await admin.startTask({ id: a.id })).taskExecution!;
    const x2 = (await admin.startTask({ id: b.id })).taskExecution!;
    const x3 = (await admin.startTask({ id: a.id })).taskExecution!;
    await untilFinished(server, admin, x3.id);
    await untilFinished(server, admin, x2.id);
    const ids = async (filter: Parameters<AutomationClient["listTaskExecutions"]>[0]["filter"]) =>
      (await admin.listTaskExecutions({ filter })).taskExecutions.map((x) => x.id);
    expect(await ids({ environmentIds: [e] })).toEqual([x1.id, x2.id, x3.id]);
    expect(await ids({ environmentIds: [e], taskIds: [a.id] })).toEqual([x1.id, x3.id]);
    expect(await ids({ taskReferences: ["beta"], environmentIds: [e] })).toEqual([x2.id]);
    expect(await ids({ environmentIds: [e], phases: [TaskExecutionPhase.FAILED] })).toEqual([x2.id]);
    expect(await ids({ environmentIds: [e], phases: [TaskExecutionPhase.SUCCEEDED, TaskExecutionPhase.RUNNING] })).toEqual([x1.id, x3.id]);
    await expectFailure(admin.listTaskExecutions({ filter: { phases: [17 as TaskExecutionPhase] } }), Code.InvalidArgument, "filter.phases[0]");
  });
});
