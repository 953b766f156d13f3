import { Code } from "@connectrpc/connect";
import { EnvironmentPhase, EnvironmentRole, EnvironmentStatus_DevContainer_Phase, EnvironmentStatus_Machine_Phase } from "@gitpod-connect/schema/gitpod/v1/environment";
import type { AutomationTrigger } from "@gitpod-connect/schema/gitpod/v1/automation_trigger";
import { EnvironmentAutomationService, ServicePhase, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeAutomationsOf, serviceKeys, services, taskExecutions, taskKeys, tasks } from "../../domain/automations/index.js";
import { recordsWhere } from "../../store/scan.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import {
  addEnvironment,
  addRunningEnvironment,
  deleteEnvironment,
  environmentRecord,
  expectFailure,
  serviceRequest,
  startEnvironment,
  step,
  stepUntil,
  stopEnvironment,
  taskRequest,
  untilFinished,
  untilServicePhase,
  type AutomationClient,
} from "./test-fixtures.js";

let server: TestServer;
let admin: AutomationClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(EnvironmentAutomationService, testTokens.admin);
});
afterAll(() => server.close());

type Kind = NonNullable<AutomationTrigger["trigger"]["case"]>;
const kinds: Kind[] = ["manual", "postMachineStart", "postDevcontainerStart", "postEnvironmentStart", "prebuild", "beforeSnapshot"];
const trigger = (kind: Kind) => ({ trigger: { case: kind, value: true } }) as const;

/** One service and one task per trigger kind in a new (not yet started) environment. */
async function automationsPerTrigger(options: Parameters<typeof addEnvironment>[1] = {}) {
  const env = await addEnvironment(server, options);
  const serviceIds = new Map<Kind, string>();
  const taskIds = new Map<Kind, string>();
  for (const kind of kinds) {
    serviceIds.set(kind, (await admin.createService(serviceRequest(env, { metadata: { reference: `s-${kind}`, name: kind, triggeredBy: [trigger(kind)] } }))).service!.id);
    taskIds.set(kind, (await admin.createTask(taskRequest(env, { metadata: { reference: `t-${kind}`, name: kind, triggeredBy: [trigger(kind)] } }))).task!.id);
  }
  return { env, serviceIds, taskIds };
}

async function startedKinds(env: string, serviceIds: Map<Kind, string>) {
  const started: string[] = [];
  for (const [kind, id] of serviceIds) if ((await admin.getService({ id })).service!.spec!.desiredPhase === ServicePhase.RUNNING) started.push(kind);
  const runs = (await admin.listTaskExecutions({ filter: { environmentIds: [env] } })).taskExecutions.map((x) => x.metadata!.startedBy);
  return { services: started, runs };
}

describe("triggers", () => {
  it("fire at their point of the environment's start: machine, dev container, environment — manual and beforeSnapshot never", async () => {
    const { env, serviceIds } = await automationsPerTrigger();
    const seenAt: Record<string, string[]> = {};
    await stepUntil(
      server,
      async () => {
        const e = (await environmentRecord(server, env))!.environment;
        const point =
          e.status?.phase === EnvironmentPhase.RUNNING
            ? "running"
            : e.status?.devcontainer?.phase === EnvironmentStatus_DevContainer_Phase.RUNNING
              ? "devcontainer"
              : e.status?.machine?.phase === EnvironmentStatus_Machine_Phase.RUNNING
                ? "machine"
                : "before";
        seenAt[point] ??= (await startedKinds(env, serviceIds)).services;
        return point === "running";
      },
      "running",
    );
    expect(seenAt).toEqual({
      before: [],
      machine: ["postMachineStart"],
      devcontainer: ["postMachineStart", "postDevcontainerStart"],
      running: ["postMachineStart", "postDevcontainerStart", "postEnvironmentStart"],
    });
    const { runs } = await startedKinds(env, serviceIds);
    expect(runs).toEqual(["postMachineStart", "postDevcontainerStart", "postEnvironmentStart"]);
    const x = (await admin.listTaskExecutions({ filter: { environmentIds: [env] } })).taskExecutions[0]!;
    expect(x.metadata!.creator).toMatchObject({ id: env, principal: Principal.ENVIRONMENT });
    await untilServicePhase(server, admin, serviceIds.get("postEnvironmentStart")!, ServicePhase.RUNNING);
    expect((await admin.getService({ id: serviceIds.get("manual")! })).service!.status!.phase).toBe(ServicePhase.UNSPECIFIED);
  });

  it("run prebuild automations (and no postDevcontainerStart ones) in a prebuild environment", async () => {
    const { env, serviceIds } = await automationsPerTrigger({ role: EnvironmentRole.PREBUILD });
    await stepUntil(server, async () => (await environmentRecord(server, env))!.environment.status?.phase === EnvironmentPhase.RUNNING, "running");
    const { services: started, runs } = await startedKinds(env, serviceIds);
    expect(started).toEqual(["postMachineStart", "postEnvironmentStart", "prebuild"]);
    expect(runs).toEqual(["postMachineStart", "postEnvironmentStart", "prebuild"]);
  });

  it("honour the environment's trigger filter: only the listed kinds of trigger fire", async () => {
    const { env, serviceIds } = await automationsPerTrigger({ spec: { automationsFile: { triggerFilter: [trigger("postEnvironmentStart")] } } });
    await stepUntil(server, async () => (await environmentRecord(server, env))!.environment.status?.phase === EnvironmentPhase.RUNNING, "running");
    expect(await startedKinds(env, serviceIds)).toEqual({ services: ["postEnvironmentStart"], runs: ["postEnvironmentStart"] });
  });

  it("start a task's dependencies with it: a triggered task's plan starts the services it needs", async () => {
    const env = await addEnvironment(server);
    const db = (await admin.createService(serviceRequest(env, { metadata: { reference: "db", name: "db" } }))).service!;
    await admin.createTask(taskRequest(env, { metadata: { reference: "seed", name: "seed", triggeredBy: [trigger("postEnvironmentStart")] }, dependsOn: [db.id] }));
    await stepUntil(server, async () => (await environmentRecord(server, env))!.environment.status?.phase === EnvironmentPhase.RUNNING, "running");
    const [x] = (await admin.listTaskExecutions({ filter: { environmentIds: [env] } })).taskExecutions;
    expect((await untilFinished(server, admin, x!.id)).status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
    expect((await admin.getService({ id: db.id })).service!.status!.phase).toBe(ServicePhase.RUNNING);
  });
});

describe("the environment's shutdown and restart", () => {
  it("stops its services and unfinished executions when it stops, and fires the start triggers again when it starts", async () => {
    const env = await addEnvironment(server);
    const web = (await admin.createService(serviceRequest(env, { metadata: { reference: "web", name: "web", triggeredBy: [trigger("postEnvironmentStart")] } }))).service!;
    const manual = (await admin.createService(serviceRequest(env, { metadata: { reference: "tool", name: "tool" } }))).service!;
    const stuck = (await admin.createService(serviceRequest(env, { metadata: { reference: "stuck", name: "stuck" }, spec: { commands: { ready: "false" } } }))).service!;
    const waiting = (await admin.createTask(taskRequest(env, { metadata: { reference: "wait", name: "wait" }, dependsOn: [stuck.id] }))).task!;
    await stepUntil(server, async () => (await environmentRecord(server, env))!.environment.status?.phase === EnvironmentPhase.RUNNING, "running");
    await admin.startService({ id: manual.id });
    const x = (await admin.startTask({ id: waiting.id })).taskExecution!;
    await untilServicePhase(server, admin, web.id, ServicePhase.RUNNING);
    await untilServicePhase(server, admin, manual.id, ServicePhase.RUNNING);

    await stopEnvironment(server, env);
    for (const id of [web.id, manual.id, stuck.id]) {
      const { service } = await admin.getService({ id });
      expect({ desired: service!.spec!.desiredPhase, phase: service!.status!.phase }).toEqual({ desired: ServicePhase.STOPPED, phase: ServicePhase.STOPPED });
    }
    const stopped = (await admin.getTaskExecution({ id: x.id })).taskExecution!;
    expect(stopped.status!.phase).toBe(TaskExecutionPhase.STOPPED);
    expect(stopped.status!.steps.map((s) => s.phase)).toEqual([TaskExecutionPhase.STOPPED]);
    await expectFailure(admin.startService({ id: manual.id }), Code.FailedPrecondition, "not running");

    await startEnvironment(server, env);
    await untilServicePhase(server, admin, web.id, ServicePhase.RUNNING);
    expect((await admin.getService({ id: manual.id })).service!.status!.phase).toBe(ServicePhase.STOPPED);
  });

  it("removes every service, task, execution and reference key of an environment removed for good", async () => {
    const env = await addRunningEnvironment(server);
    const keep = await addRunningEnvironment(server);
    for (const e of [env, keep]) {
      await admin.createService(serviceRequest(e, { metadata: { reference: "web", name: "web" } }));
      const task = (await admin.createTask(taskRequest(e, { metadata: { reference: "build", name: "build" } }))).task!;
      await admin.startTask({ id: task.id });
    }
    await deleteEnvironment(server, env);
    const org = server.bootstrap.organizationId;
    const tx = server.deps.store;
    expect(await recordsWhere(tx, services, org, (r) => r.service.environmentId === env)).toEqual([]);
    expect(await recordsWhere(tx, tasks, org, (r) => r.task.environmentId === env)).toEqual([]);
    expect(await recordsWhere(tx, taskExecutions, org, (r) => r.execution.metadata?.environmentId === env)).toEqual([]);
    expect((await recordsWhere(tx, serviceKeys, org)).map((k) => k.id.split("\n")[0])).not.toContain(env);
    expect((await recordsWhere(tx, taskKeys, org)).map((k) => k.id.split("\n")[0])).not.toContain(env);
    expect((await admin.listServices({ filter: { environmentIds: [keep] } })).services).toHaveLength(1);

    await server.deps.store.transaction((t) => removeAutomationsOf(t, org, keep));
    expect((await admin.listServices({ filter: { environmentIds: [keep] } })).services).toEqual([]);
    expect((await admin.listTaskExecutions({ filter: { environmentIds: [keep] } })).taskExecutions).toEqual([]);
    await admin.createService(serviceRequest(keep, { metadata: { reference: "web", name: "web again" } }));
  });
});

describe("the project's automations file", () => {
  it("is applied while the environment starts: its postDevcontainerStart services start, its postEnvironmentStart tasks run", async () => {
    const env = await addEnvironment(server, {
      projectAutomationsFile: {
        services: { web: { name: "Web", commands: { start: "npm run dev" }, triggeredBy: ["postDevcontainerStart"] } },
        tasks: { build: { name: "Build", command: "npm run build", triggeredBy: ["postEnvironmentStart"] }, test: { name: "Test", command: "npm test", triggeredBy: ["manual"] } },
      },
    });
    await stepUntil(server, async () => (await environmentRecord(server, env))!.environment.status?.phase === EnvironmentPhase.RUNNING, "running");
    const [web] = (await admin.listServices({ filter: { environmentIds: [env] } })).services;
    expect(web!.metadata).toMatchObject({ reference: "web", creator: { id: server.bootstrap.adminUserId } });
    expect(web!.spec!.desiredPhase).toBe(ServicePhase.RUNNING);
    await step(server);
    const runs = (await admin.listTaskExecutions({ filter: { environmentIds: [env] } })).taskExecutions;
    expect(runs.map((x) => [x.metadata!.startedBy, x.spec!.plan[0]!.steps[0]!.label])).toEqual([["postEnvironmentStart", "Build"]]);
  });
});
