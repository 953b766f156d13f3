// EnvironmentAutomationService: every RPC's documented behaviour (packages/server/README.md,
// "Semantics: EnvironmentAutomationService") — services, tasks and task executions: their answers,
// errors, list filters and pages, the phases the runner drives them through (with the command
// convention: `exit N`/`false` fail, `exit 0` exits, anything else works), automations files and
// isolation between organizations. Every scenario works in environments of its own.
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { EnvironmentPhase } from "@gitpod-connect/schema/gitpod/v1/environment";
import {
  EnvironmentAutomationService,
  ServicePhase,
  ServiceRole,
  TaskExecutionPhase,
  type AutomationsFileSchema,
  type CreateServiceRequestSchema,
  type CreateTaskRequestSchema,
  type ListServicesRequest_FilterSchema,
  type ListTaskExecutionsRequest_FilterSchema,
  type ListTasksRequest_FilterSchema,
  type TaskExecution,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { expectCode } from "../expect.js";
import type { Scenario, ScenarioContext } from "../scenario.js";
import {
  automations,
  beingDeletedScenarios,
  collectPages,
  createEnvironment,
  createRunningEnvironment,
  createRunningService,
  createService,
  createStoppedEnvironment,
  createTask,
  environments,
  findService,
  getExecution,
  getService,
  idErrorScenarios,
  idsOf,
  tamper,
  uniqueReference,
  unknownId,
  waitForExecution,
  waitForExecutionFinished,
  waitForService,
  waitForServicePhase,
  type IdRpc,
  type Init,
  callerId,
  needsSecondOrganization,
  needsTestingControls,
  scenarioFactory,
  uuidPattern,
} from "./environment-support.js";

// Almost every EnvironmentAutomationService scenario needs a running environment first: the longer timeout by default.
const scenario = scenarioFactory("EnvironmentAutomationService", true);

const manual = { trigger: { case: "manual" as const, value: true } };
const postEnvironmentStart = { trigger: { case: "postEnvironmentStart" as const, value: true } };


/** A client authenticated as the environment itself (its access token). */
async function asEnvironment(ctx: ScenarioContext, environmentId: string) {
  const { accessToken } = await environments(ctx).createEnvironmentAccessToken({ environmentId });
  return ctx.clientWithToken(EnvironmentAutomationService, accessToken);
}

const listServiceIds = async (ctx: ScenarioContext, filter: Init<typeof ListServicesRequest_FilterSchema>) =>
  idsOf((await automations(ctx).listServices({ filter, pagination: { pageSize: 100 } })).services);
const listTaskIds = async (ctx: ScenarioContext, filter: Init<typeof ListTasksRequest_FilterSchema>) =>
  idsOf((await automations(ctx).listTasks({ filter, pagination: { pageSize: 100 } })).tasks);
const listExecutionIds = async (ctx: ScenarioContext, filter: Init<typeof ListTaskExecutionsRequest_FilterSchema>) =>
  idsOf((await automations(ctx).listTaskExecutions({ filter, pagination: { pageSize: 100 } })).taskExecutions);

const servicePhaseName = (phase: ServicePhase | undefined) => (phase === undefined ? "-" : ServicePhase[phase]);

// ---- the shared error scenarios ----------------------------------------------------------------

/** Isolation targets: our resource, and afterwards the check that the other caller changed nothing. */
async function isolatedEnvironment(ctx: ScenarioContext) {
  const environment = await createEnvironment(ctx);
  return {
    id: environment.id,
    async unchanged() {
      assert.deepEqual(await listServiceIds(ctx, { environmentIds: [environment.id] }), [], "another organization created a service here");
      assert.deepEqual(await listTaskIds(ctx, { environmentIds: [environment.id] }), [], "another organization created a task here");
    },
  };
}

async function isolatedService(ctx: ScenarioContext) {
  const environment = await createEnvironment(ctx);
  const service = await createService(ctx, environment.id, { metadata: { name: "Ours" } });
  return {
    id: service.id,
    async unchanged() {
      const now = await getService(ctx, service.id);
      assert.equal(now.metadata?.name, "Ours", "another organization renamed it");
      assert.equal(now.spec?.specVersion, service.spec?.specVersion, "another organization changed its spec");
      assert.equal(now.spec?.desiredPhase, ServicePhase.STOPPED, "another organization changed its desired phase");
    },
  };
}

async function isolatedTask(ctx: ScenarioContext) {
  const environment = await createEnvironment(ctx);
  const task = await createTask(ctx, environment.id, { spec: { command: "make ours" } });
  return {
    id: task.id,
    async unchanged() {
      const { task: now } = await automations(ctx).getTask({ id: task.id });
      assert.equal(now?.spec?.command, "make ours", "another organization changed it");
      assert.deepEqual(await listExecutionIds(ctx, { taskIds: [task.id] }), [], "another organization started it");
    },
  };
}

async function isolatedExecution(ctx: ScenarioContext) {
  const environment = await createRunningEnvironment(ctx);
  const service = await createService(ctx, environment.id, { spec: { commands: { ready: "exit 1" } } }); // never ready: the run waits
  const task = await createTask(ctx, environment.id, { dependsOn: [service.id] });
  const { taskExecution } = await automations(ctx).startTask({ id: task.id });
  const id = taskExecution!.id;
  return {
    id,
    async unchanged() {
      assert.equal((await getExecution(ctx, id)).spec?.desiredPhase, TaskExecutionPhase.RUNNING, "another organization stopped it");
    },
  };
}

type AutomationCaller = ReturnType<typeof automations>;

function idRpc(
  rpc: string,
  noun: string,
  field: "id" | "environment_id",
  call: (client: AutomationCaller, id: string) => Promise<unknown>,
  target: IdRpc["target"],
): IdRpc {
  return { service: "EnvironmentAutomationService", rpc, field, noun, call: (caller, id) => call(caller(EnvironmentAutomationService), id), target };
}

const byId = (rpc: string, noun: string, call: (c: AutomationCaller, id: string) => Promise<unknown>, target: IdRpc["target"]) => idRpc(rpc, noun, "id", call, target);
const byEnvironment = (rpc: string, call: (c: AutomationCaller, environmentId: string) => Promise<unknown>) =>
  idRpc(rpc, "environment", "environment_id", call, isolatedEnvironment);

const idRpcs: IdRpc[] = [
  byEnvironment("CreateService", (c, environmentId) =>
    c.createService({ environmentId, metadata: { reference: "intruder", name: "Intruder" }, spec: { commands: { start: "npm start" } } }),
  ),
  byId("GetService", "service", (c, id) => c.getService({ id }), isolatedService),
  byId("UpdateService", "service", (c, id) => c.updateService({ id, metadata: { name: "renamed" } }), isolatedService),
  byId("DeleteService", "service", (c, id) => c.deleteService({ id }), isolatedService),
  byId("StartService", "service", (c, id) => c.startService({ id }), isolatedService),
  byId("StopService", "service", (c, id) => c.stopService({ id }), isolatedService),
  byEnvironment("UpsertAutomationsFile", (c, environmentId) =>
    c.upsertAutomationsFile({ environmentId, automationsFile: { services: { intruder: { name: "Intruder", commands: { start: "npm start" } } } } }),
  ),
  byEnvironment("CreateTask", (c, environmentId) =>
    c.createTask({ environmentId, metadata: { reference: "intruder", name: "Intruder" }, spec: { command: "make" } }),
  ),
  byId("GetTask", "task", (c, id) => c.getTask({ id }), isolatedTask),
  byId("UpdateTask", "task", (c, id) => c.updateTask({ id, spec: { command: "make theirs" } }), isolatedTask),
  byId("DeleteTask", "task", (c, id) => c.deleteTask({ id }), isolatedTask),
  byId("StartTask", "task", (c, id) => c.startTask({ id }), isolatedTask),
  byId("GetTaskExecution", "task execution", (c, id) => c.getTaskExecution({ id }), isolatedExecution),
  byId("StopTaskExecution", "task execution", (c, id) => c.stopTaskExecution({ id }), isolatedExecution),
];

/** For a list RPC: unauthenticated without a token, and another organization sees none of ours. */
function listAccessScenarios(rpc: "ListServices" | "ListTasks" | "ListTaskExecutions"): Scenario[] {
  const list = async (client: AutomationCaller, environmentId: string, id?: string): Promise<string[]> => {
    const pagination = { pageSize: 100 };
    if (rpc === "ListServices") return idsOf((await client.listServices({ pagination, filter: { environmentIds: [environmentId], serviceIds: id ? [id] : [] } })).services);
    if (rpc === "ListTasks") return idsOf((await client.listTasks({ pagination, filter: { environmentIds: [environmentId], taskIds: id ? [id] : [] } })).tasks);
    return idsOf((await client.listTaskExecutions({ pagination, filter: { environmentIds: [environmentId] } })).taskExecutions);
  };
  return [
    scenario(
      rpc,
      "unauthenticated-without-token",
      "a call without a bearer token is unauthenticated",
      async (ctx) => {
        await expectCode(list(ctx.clientWithToken(EnvironmentAutomationService, undefined), unknownId()), Code.Unauthenticated);
      },
      { slow: false },
    ),
    scenario(
      rpc,
      "other-organization-lists-none-of-ours",
      "another organization's caller lists none of our automations, whatever the filter names",
      async (ctx) => {
        const other = ctx.otherOrganization ?? ctx.skip("no second organization");
        const environment = await createRunningEnvironment(ctx);
        const service = await createService(ctx, environment.id);
        const task = await createTask(ctx, environment.id);
        await automations(ctx).startTask({ id: task.id });
        const id = rpc === "ListServices" ? service.id : rpc === "ListTasks" ? task.id : undefined;
        assert.equal((await list(automations(ctx), environment.id, id)).length, 1, "our own list does not have it");
        assert.deepEqual(await list(other.client(EnvironmentAutomationService), environment.id, id), []);
      },
      { needs: needsSecondOrganization },
    ),
  ];
}

/** For a list RPC: three items in pages of two, a tampered token, a token used with another filter. */
function listPageScenarios(
  rpc: "ListServices" | "ListTasks" | "ListTaskExecutions",
  three: (ctx: ScenarioContext, environmentId: string) => Promise<string[]>,
  page: (ctx: ScenarioContext, filter: { environmentIds: string[] }, pageSize: number, token: string) => Promise<{ ids: string[]; nextToken: string }>,
  otherFilter: (environmentId: string) => { environmentIds: string[] },
): Scenario[] {
  const setUp = async (ctx: ScenarioContext) => {
    const environment = await createRunningEnvironment(ctx);
    return { environmentId: environment.id, created: await three(ctx, environment.id) };
  };
  return [
    scenario(rpc, "pagination-across-pages", "page_size 2 pages through every match once, in creation order; the last page has no next_token", async (ctx) => {
      const { environmentId, created } = await setUp(ctx);
      const pages = await collectPages((token) => page(ctx, { environmentIds: [environmentId] }, 2, token));
      assert.ok(pages.length >= 2, `3 matches with page_size 2 came in ${pages.length} page(s)`);
      for (const p of pages) assert.ok(p.length <= 2, `a page of ${p.length} with page_size 2`);
      assert.deepEqual(pages.flat(), created);
    }),
    scenario(rpc, "tampered-page-token-invalid-argument", "a tampered page token is invalid_argument naming pagination.token", async (ctx) => {
      const { environmentId } = await setUp(ctx);
      const first = await page(ctx, { environmentIds: [environmentId] }, 1, "");
      assert.notEqual(first.nextToken, "", "the first of three pages has no next_token");
      await expectCode(page(ctx, { environmentIds: [environmentId] }, 1, tamper(first.nextToken)), Code.InvalidArgument, { field: "pagination.token" });
    }),
    scenario(rpc, "page-token-bound-to-filter", "a page token used with another filter is invalid_argument naming pagination.token", async (ctx) => {
      const { environmentId } = await setUp(ctx);
      const first = await page(ctx, { environmentIds: [environmentId] }, 1, "");
      assert.notEqual(first.nextToken, "", "the first of three pages has no next_token");
      await expectCode(page(ctx, otherFilter(environmentId), 1, first.nextToken), Code.InvalidArgument, { field: "pagination.token" });
    }),
    scenario(
      rpc,
      "malformed-filter-id-invalid-argument",
      "an environment id in the filter that is no UUID is invalid_argument naming it",
      async (ctx) => {
        await expectCode(page(ctx, { environmentIds: ["not-a-uuid"] }, 1, ""), Code.InvalidArgument, { field: "filter.environment_ids[0]" });
      },
      { slow: false },
    ),
  ];
}

// ---- CreateService -----------------------------------------------------------------------------

const createServiceScenarios: Scenario[] = [
  scenario("CreateService", "answers-server-set-fields", "answers the new service: server-set id, creator, created_at, spec version 1, desired STOPPED, never started", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const reference = uniqueReference(ctx, "web");
    const { service } = await automations(ctx).createService({
      environmentId: environment.id,
      metadata: { reference, name: "Web Server", description: "dev server", triggeredBy: [manual], role: ServiceRole.EDITOR },
      spec: { commands: { start: "npm run dev", ready: "curl -s localhost:3000" } },
    });
    assert.ok(service);
    assert.match(service.id, uuidPattern);
    assert.equal(service.environmentId, environment.id);
    assert.equal(service.metadata?.reference, reference);
    assert.equal(service.metadata?.name, "Web Server");
    assert.equal(service.metadata?.description, "dev server");
    assert.equal(service.metadata?.role, ServiceRole.EDITOR);
    assert.deepEqual(service.metadata?.triggeredBy.map((t) => t.trigger.case), ["manual"]);
    assert.equal(service.metadata?.creator?.id, await callerId(ctx));
    assert.ok(service.metadata?.createdAt, "no created_at");
    assert.equal(service.spec?.specVersion, 1n);
    assert.equal(service.spec?.desiredPhase, ServicePhase.STOPPED);
    assert.equal(service.spec?.commands?.start, "npm run dev");
    assert.equal(service.spec?.commands?.ready, "curl -s localhost:3000");
    assert.equal(service.status?.phase, ServicePhase.UNSPECIFIED);
    assert.equal(service.status?.logUrl, "");
    assert.deepEqual(await getService(ctx, service.id), service);
  }),
  scenario("CreateService", "reference-unique-per-environment", "a reference is unique per environment: a second one is already_exists, another environment may reuse it", async (ctx) => {
    const [a, b] = [await createEnvironment(ctx), await createEnvironment(ctx)];
    const reference = uniqueReference(ctx, "svc");
    await createService(ctx, a.id, { metadata: { reference } });
    await expectCode(createService(ctx, a.id, { metadata: { reference } }), Code.AlreadyExists);
    const elsewhere = await createService(ctx, b.id, { metadata: { reference } });
    assert.equal(elsewhere.metadata?.reference, reference);
  }),
  scenario("CreateService", "reference-namespace-apart-from-tasks", "services and tasks have their own reference namespaces", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const reference = uniqueReference(ctx, "shared");
    await createTask(ctx, environment.id, { metadata: { reference } });
    const service = await createService(ctx, environment.id, { metadata: { reference } });
    assert.equal(service.metadata?.reference, reference);
  }),
  scenario("CreateService", "concurrent-duplicates-one-wins", "of concurrent creates with one reference exactly one succeeds", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const reference = uniqueReference(ctx, "race");
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => createService(ctx, environment.id, { metadata: { reference } })));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: [environment.id], references: [reference] }).then((ids) => ids.length), 1);
  }),
  ...(
    [
      ["missing-reference", "no metadata", { metadata: undefined }, "metadata.reference"],
      ["missing-name", "no name", { metadata: { reference: "svc-no-name", name: "" } }, "metadata.name"],
      ["missing-start-command", "no start command", { spec: { commands: { start: "" } } }, "spec.commands.start"],
      ["undefined-role", "an undefined role", { metadata: { reference: "svc-role", name: "n", role: 9 as ServiceRole } }, "metadata.role"],
      ["empty-trigger", "a trigger that sets no kind", { metadata: { reference: "svc-trigger", name: "n", triggeredBy: [{}] } }, "metadata.triggered_by[0]"],
      ["bad-desired-phase", "a desired phase other than RUNNING or STOPPED", { spec: { desiredPhase: ServicePhase.FAILED, commands: { start: "x" } } }, "spec.desired_phase"],
      ["malformed-reference", "a reference with spaces", { metadata: { reference: "no spaces", name: "n" } }, "metadata.reference"],
    ] satisfies [string, string, Partial<Init<typeof CreateServiceRequestSchema>>, string][]
  ).map(([behaviour, what, change, field]) =>
    scenario(`CreateService`, `${behaviour}-invalid-argument`, `${what} is invalid_argument naming ${field}`, async (ctx) => {
      const environment = await createEnvironment(ctx);
      await expectCode(
        automations(ctx).createService({
          environmentId: environment.id,
          metadata: { reference: uniqueReference(ctx, "svc"), name: "A service" },
          spec: { commands: { start: "npm start" } },
          ...change,
        }),
        Code.InvalidArgument,
        { field },
      );
    }),
  ),
  scenario("CreateService", "desired-running-starts", "a service created with desired phase RUNNING starts at once: RUNNING", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { desiredPhase: ServicePhase.RUNNING } });
    assert.equal(service.spec?.desiredPhase, ServicePhase.RUNNING);
    await waitForServicePhase(ctx, service.id, ServicePhase.RUNNING);
  }),
  scenario("CreateService", "desired-running-needs-running-environment", "desired RUNNING in an environment that does not run is failed_precondition", async (ctx) => {
    const environment = await createStoppedEnvironment(ctx);
    await expectCode(createService(ctx, environment.id, { spec: { desiredPhase: ServicePhase.RUNNING } }), Code.FailedPrecondition);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: [environment.id] }), []);
  }),
  ...beingDeletedScenarios(
    scenario,
    "CreateService",
    "environment-being-deleted-failed-precondition",
    "creating in an environment that is being deleted is failed_precondition",
    async (ctx, environmentId) => {
      await expectCode(createService(ctx, environmentId), Code.FailedPrecondition);
    },
  ),
];

// ---- GetService / ListServices -----------------------------------------------------------------

const getServiceScenarios: Scenario[] = [
  scenario("GetService", "answers-the-service", "answers the service with its environment, metadata and spec", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const created = await createService(ctx, environment.id, { metadata: { description: "read me" } });
    const found = await getService(ctx, created.id);
    assert.equal(found.id, created.id);
    assert.equal(found.environmentId, environment.id);
    assert.equal(found.metadata?.description, "read me");
    assert.deepEqual(found.spec, created.spec);
  }),
  scenario("GetService", "environment-token-reads-own", "the environment's own token reads the service; another environment's gets not_found", async (ctx) => {
    const [environment, other] = [await createEnvironment(ctx), await createEnvironment(ctx)];
    const service = await createService(ctx, environment.id);
    assert.equal((await (await asEnvironment(ctx, environment.id)).getService({ id: service.id })).service?.id, service.id);
    await expectCode((await asEnvironment(ctx, other.id)).getService({ id: service.id }), Code.NotFound);
  }),
];

const listServicesScenarios: Scenario[] = [
  scenario("ListServices", "filters-environment-reference-id-role", "filters by environment, reference, id and role — OR within a list, AND across — in creation order", async (ctx) => {
    const [e1, e2] = [await createEnvironment(ctx), await createEnvironment(ctx)];
    const web = uniqueReference(ctx, "web");
    const a = await createService(ctx, e1.id, { metadata: { reference: web, role: ServiceRole.EDITOR } });
    const b = await createService(ctx, e1.id, { metadata: { role: ServiceRole.DEFAULT } });
    const c = await createService(ctx, e2.id, { metadata: { reference: web } });
    const both = [e1.id, e2.id];
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: both }), [a.id, b.id, c.id]);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: [e1.id] }), [a.id, b.id]);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: both, references: [web] }), [a.id, c.id]);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: both, serviceIds: [b.id, c.id] }), [b.id, c.id]);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: both, roles: [ServiceRole.EDITOR, ServiceRole.UNSPECIFIED] }), [a.id, c.id]);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: [e2.id], roles: [ServiceRole.EDITOR] }), []);
  }),
  ...listPageScenarios(
    "ListServices",
    async (ctx, environmentId) => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await createService(ctx, environmentId)).id);
      return ids;
    },
    async (ctx, filter, pageSize, token) => {
      const r = await automations(ctx).listServices({ filter, pagination: { pageSize, token } });
      return { ids: idsOf(r.services), nextToken: r.pagination?.nextToken ?? "" };
    },
    (environmentId) => ({ environmentIds: [environmentId, unknownId()] }),
  ),
  ...listAccessScenarios("ListServices"),
];

// ---- UpdateService -----------------------------------------------------------------------------

const updateServiceScenarios: Scenario[] = [
  scenario("UpdateService", "metadata-any-time", "metadata (name, triggers, role) changes any time, also while running; unset fields stay", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id, { metadata: { name: "old", description: "keep me", role: ServiceRole.DEFAULT } });
    await automations(ctx).updateService({ id: service.id, metadata: { name: "new", triggeredBy: { trigger: [manual] }, role: ServiceRole.AI_AGENT } });
    const now = await getService(ctx, service.id);
    assert.equal(now.metadata?.name, "new");
    assert.equal(now.metadata?.description, "keep me");
    assert.equal(now.metadata?.role, ServiceRole.AI_AGENT);
    assert.deepEqual(now.metadata?.triggeredBy.map((t) => t.trigger.case), ["manual"]);
    assert.equal(now.status?.phase, ServicePhase.RUNNING, "a metadata change disturbed the running service");
    await automations(ctx).updateService({ id: service.id, metadata: { triggeredBy: { trigger: [] } } });
    assert.deepEqual((await getService(ctx, service.id)).metadata?.triggeredBy, []);
  }),
  scenario("UpdateService", "spec-change-at-rest", "a spec change of a service at rest applies and raises spec_version; unset parts stay, \"\" clears stop", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { start: "a", ready: "r", stop: "s" } } });
    await automations(ctx).updateService({
      id: service.id,
      spec: { commands: { start: "b", stop: "" }, env: [{ name: "PORT", source: { case: "value", value: "3000" } }], readinessTimeout: { seconds: 30n } },
    });
    const spec = (await getService(ctx, service.id)).spec;
    assert.equal(spec?.specVersion, service.spec!.specVersion + 1n);
    assert.deepEqual([spec.commands?.start, spec.commands?.ready, spec.commands?.stop], ["b", "r", ""]);
    assert.deepEqual(spec.env.map((e) => e.name), ["PORT"]);
    assert.equal(spec.readinessTimeout?.seconds, 30n);
  }),
  scenario("UpdateService", "spec-change-while-running-failed-precondition", "a spec change while the service runs is failed_precondition; its current values are accepted", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id, { spec: { commands: { start: "npm run dev" } } });
    await expectCode(automations(ctx).updateService({ id: service.id, spec: { commands: { start: "other" } } }), Code.FailedPrecondition);
    await automations(ctx).updateService({ id: service.id, spec: { commands: { start: "npm run dev" } } });
    assert.equal((await getService(ctx, service.id)).spec?.commands?.start, "npm run dev");
  }),
  scenario("UpdateService", "spec-change-after-failure", "a failed service is at rest: its spec may change", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { start: "exit 1" } } });
    await automations(ctx).startService({ id: service.id });
    await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
    await automations(ctx).updateService({ id: service.id, spec: { commands: { start: "npm start" } } });
    assert.equal((await getService(ctx, service.id)).spec?.commands?.start, "npm start");
  }),
  scenario(
    "UpdateService",
    "empty-start-command-invalid-argument",
    'commands.start "" is invalid_argument naming spec.commands.start',
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const service = await createService(ctx, environment.id);
      await expectCode(automations(ctx).updateService({ id: service.id, spec: { commands: { start: "" } } }), Code.InvalidArgument, { field: "spec.commands.start" });
    },
    { slow: false },
  ),
  scenario(
    "UpdateService",
    "undefined-role-invalid-argument",
    "an undefined role is invalid_argument naming metadata.role",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const service = await createService(ctx, environment.id);
      await expectCode(automations(ctx).updateService({ id: service.id, metadata: { role: 42 as ServiceRole } }), Code.InvalidArgument, { field: "metadata.role" });
    },
    { slow: false },
  ),
  scenario("UpdateService", "status-only-from-own-environment", "only the service's own environment may send a status (permission_denied otherwise); an empty output value removes the key", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const service = await createService(ctx, environment.id);
    await expectCode(automations(ctx).updateService({ id: service.id, status: { phase: ServicePhase.STOPPED } }), Code.PermissionDenied);
    const own = await asEnvironment(ctx, environment.id);
    // STOPPED, as the service is asked to be: a status the runner has no reason to act on.
    await own.updateService({ id: service.id, status: { phase: ServicePhase.STOPPED, output: { port: "3000", url: "http://x" } } });
    await own.updateService({ id: service.id, status: { output: { port: "" } } });
    const status = (await getService(ctx, service.id)).status;
    assert.equal(status?.phase, ServicePhase.STOPPED);
    assert.ok(status.statusVersion > (service.status?.statusVersion ?? 0n), "status_version did not rise");
    assert.deepEqual(status.output, { url: "http://x" });
  }),
];

// ---- DeleteService -----------------------------------------------------------------------------

const deleteServiceScenarios: Scenario[] = [
  scenario("DeleteService", "running-stops-then-removed", "deleting a running service sets desired DELETED, stops it, then removes it", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id);
    await automations(ctx).deleteService({ id: service.id });
    const asked = await findService(ctx, service.id);
    if (asked) assert.equal(asked.spec?.desiredPhase, ServicePhase.DELETED);
    const seen = new Set<string>();
    await ctx.waitFor(
      `service ${service.id} to be removed`,
      async () => {
        const s = await findService(ctx, service.id);
        if (s) seen.add(servicePhaseName(s.status?.phase));
        return s;
      },
      (s) => s === undefined,
      { timeoutMs: 20_000 },
    );
    assert.ok(!seen.has("STARTING"), `a deleted service started again: ${[...seen].join(", ")}`);
    await expectCode(automations(ctx).getService({ id: service.id }), Code.NotFound);
    assert.deepEqual(await listServiceIds(ctx, { environmentIds: [environment.id] }), []);
  }),
  scenario("DeleteService", "removed-reference-free-again", "a deleted service that never ran is removed, and its reference is free again", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const reference = uniqueReference(ctx, "svc");
    const service = await createService(ctx, environment.id, { metadata: { reference } });
    await automations(ctx).deleteService({ id: service.id });
    await ctx.waitFor(`service ${service.id} to be removed`, () => findService(ctx, service.id), (s) => s === undefined, { timeoutMs: 20_000 });
    const again = await createService(ctx, environment.id, { metadata: { reference } });
    assert.notEqual(again.id, service.id);
  }),
  scenario(
    "DeleteService",
    "force-removes-at-once",
    "force: true removes even a running service at once; deleting it again is not_found",
    async (ctx) => {
      const environment = await createRunningEnvironment(ctx);
      const service = await createRunningService(ctx, environment.id);
      await automations(ctx).deleteService({ id: service.id, force: true });
      await expectCode(automations(ctx).getService({ id: service.id }), Code.NotFound);
      await expectCode(automations(ctx).deleteService({ id: service.id }), Code.NotFound);
    },
  ),
  scenario("DeleteService", "leaves-task-dependencies", "a deleted service's id leaves the depends_on of the environment's tasks", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const service = await createService(ctx, environment.id);
    const task = await createTask(ctx, environment.id, { dependsOn: [service.id] });
    assert.deepEqual(task.dependsOn, [service.id]);
    await automations(ctx).deleteService({ id: service.id, force: true });
    assert.deepEqual((await automations(ctx).getTask({ id: task.id })).task?.dependsOn, []);
  }),
  scenario("DeleteService", "repeat-while-deleting-accepted", "deleting a service that is being deleted is accepted", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id);
    await automations(ctx).deleteService({ id: service.id });
    await automations(ctx).deleteService({ id: service.id }).catch((error: unknown) => {
      // Removed in between on a fast target: not_found is as good.
      if (!(error instanceof Error && "code" in error && error.code === Code.NotFound)) throw error;
    });
    await ctx.waitFor(`service ${service.id} to be removed`, () => findService(ctx, service.id), (s) => s === undefined, { timeoutMs: 20_000 });
  }),
];

// ---- StartService / StopService ----------------------------------------------------------------

const startServiceScenarios: Scenario[] = [
  scenario("StartService", "starts-to-running", "starting sets desired RUNNING and the service goes STARTING → RUNNING", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id);
    await automations(ctx).startService({ id: service.id });
    const asked = await getService(ctx, service.id);
    assert.equal(asked.spec?.desiredPhase, ServicePhase.RUNNING);
    assert.equal(asked.spec?.specVersion, service.spec!.specVersion + 1n, "a new desired phase is a spec change");
    const running = await waitForServicePhase(ctx, service.id, ServicePhase.RUNNING);
    assert.ok(running.status!.statusVersion >= 2n, `status_version ${running.status!.statusVersion} after STARTING and RUNNING`);
  }),
  scenario("StartService", "running-is-idempotent", "starting a running service changes nothing", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id);
    await automations(ctx).startService({ id: service.id });
    await automations(ctx).startService({ id: service.id });
    const now = await getService(ctx, service.id);
    assert.equal(now.spec?.specVersion, service.spec?.specVersion);
    assert.equal(now.status?.phase, ServicePhase.RUNNING);
  }),
  scenario("StartService", "environment-not-running-failed-precondition", "starting needs the environment running: failed_precondition naming its phase", async (ctx) => {
    const environment = await createStoppedEnvironment(ctx);
    const service = await createService(ctx, environment.id);
    const error = await expectCode(automations(ctx).startService({ id: service.id }), Code.FailedPrecondition);
    assert.ok(error.rawMessage.includes("STOPPED"), `the message does not name the phase: ${error.rawMessage}`);
    assert.equal((await getService(ctx, service.id)).spec?.desiredPhase, ServicePhase.STOPPED);
  }),
  scenario("StartService", "start-command-exit-code-fails", 'a start command "exit 3" fails the service with its exit code in failure_message', async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { start: "exit 3" } } });
    await automations(ctx).startService({ id: service.id });
    const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
    assert.equal(failed.status?.failureMessage, 'start command "exit 3" exited with code 3');
  }),
  scenario("StartService", "start-command-false-fails", 'a start command "false" fails the service with exit code 1', async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { start: "false" } } });
    await automations(ctx).startService({ id: service.id });
    const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
    assert.equal(failed.status?.failureMessage, 'start command "false" exited with code 1');
  }),
  scenario("StartService", "start-command-exit-0-stops", 'a start command "exit 0" exits at once: the service is STOPPED', async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { start: "exit 0" } } });
    await automations(ctx).startService({ id: service.id });
    const stopped = await waitForService(ctx, service.id, "to exit", (s) => s.status?.phase === ServicePhase.STOPPED);
    assert.equal(stopped.status?.failureMessage, "");
  }),
  scenario("StartService", "failing-ready-without-timeout-stays-starting", "a failing ready command keeps the service STARTING with the reason (no readiness timeout)", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { ready: "false" } } });
    await automations(ctx).startService({ id: service.id });
    const starting = await waitForService(ctx, service.id, "to report its failing ready command", (s) => s.status?.failureMessage !== "");
    assert.equal(starting.status?.phase, ServicePhase.STARTING);
    assert.equal(starting.status?.failureMessage, 'ready command "false" exited with code 1');
  }),
  scenario("StartService", "failing-ready-with-timeout-fails", "a ready command still failing when readiness_timeout has passed fails the service: not ready within Ns", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { ready: "exit 1" }, readinessTimeout: { seconds: 1n } } });
    await automations(ctx).startService({ id: service.id });
    const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
    assert.equal(failed.status?.failureMessage, 'not ready within 1s: ready command "exit 1" exited with code 1');
  }),
  scenario("StartService", "exited-starts-again", "a failed service starts again only by StartService: a new attempt", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createService(ctx, environment.id, { spec: { commands: { start: "exit 2" } } });
    await automations(ctx).startService({ id: service.id });
    const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
    await automations(ctx).startService({ id: service.id });
    await waitForService(ctx, service.id, "to fail again", (s) => s.status?.phase === ServicePhase.FAILED && s.status.statusVersion > failed.status!.statusVersion);
  }),
  scenario("StartService", "while-stopping-finishes-then-runs", "a start once the service stops lets the stop finish, then it runs again", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id);
    await automations(ctx).stopService({ id: service.id });
    await waitForService(ctx, service.id, "to stop", (s) => s.status?.phase === ServicePhase.STOPPING || s.status?.phase === ServicePhase.STOPPED);
    await automations(ctx).startService({ id: service.id });
    assert.equal((await getService(ctx, service.id)).spec?.desiredPhase, ServicePhase.RUNNING);
    await waitForServicePhase(ctx, service.id, ServicePhase.RUNNING);
  }),
  scenario(
    "StartService",
    "injected-start-failure",
    "a start failure injected by the testing controls fails the service with the message, once",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const environment = await createRunningEnvironment(ctx);
      const service = await createService(ctx, environment.id);
      const message = `port in use ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "service", id: service.id, step: "start", message });
      await automations(ctx).startService({ id: service.id });
      const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
      assert.ok(failed.status?.failureMessage.includes(message), `failure_message: ${failed.status?.failureMessage}`);
      await automations(ctx).startService({ id: service.id });
      await waitForServicePhase(ctx, service.id, ServicePhase.RUNNING);
    },
    { needs: needsTestingControls },
  ),
  scenario(
    "StartService",
    "injected-ready-failure",
    "a ready failure injected by the testing controls fails a service with a ready command at once",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const environment = await createRunningEnvironment(ctx);
      const service = await createService(ctx, environment.id, { spec: { commands: { ready: "curl -s localhost:3000" } } });
      const message = `health check refused ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "service", id: service.id, step: "ready", message });
      await automations(ctx).startService({ id: service.id });
      const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
      assert.ok(failed.status?.failureMessage.includes(message), `failure_message: ${failed.status?.failureMessage}`);
    },
    { needs: needsTestingControls },
  ),
];

const stopServiceScenarios: Scenario[] = [
  scenario("StopService", "running-to-stopped", "stopping sets desired STOPPED and the service goes STOPPING → STOPPED", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id);
    await automations(ctx).stopService({ id: service.id });
    assert.equal((await getService(ctx, service.id)).spec?.desiredPhase, ServicePhase.STOPPED);
    const stopped = await waitForServicePhase(ctx, service.id, ServicePhase.STOPPED);
    assert.equal(stopped.status?.failureMessage, "");
  }),
  scenario("StopService", "stopped-is-idempotent", "stopping a stopped service changes nothing", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id);
    await automations(ctx).stopService({ id: service.id });
    const stopped = await waitForServicePhase(ctx, service.id, ServicePhase.STOPPED);
    await automations(ctx).stopService({ id: service.id });
    const now = await getService(ctx, service.id);
    assert.equal(now.spec?.specVersion, stopped.spec?.specVersion);
    assert.equal(now.status?.statusVersion, stopped.status?.statusVersion);
  }),
  scenario("StopService", "never-started-is-idempotent", "stopping a service that never started changes nothing", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const service = await createService(ctx, environment.id);
    await automations(ctx).stopService({ id: service.id });
    const now = await getService(ctx, service.id);
    assert.equal(now.spec?.desiredPhase, ServicePhase.STOPPED);
    assert.equal(now.status?.phase, ServicePhase.UNSPECIFIED);
  }),
  scenario("StopService", "stop-command-fails", 'a stop command "exit 2" fails the service with its exit code in failure_message', async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const service = await createRunningService(ctx, environment.id, { spec: { commands: { stop: "exit 2" } } });
    await automations(ctx).stopService({ id: service.id });
    const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
    assert.equal(failed.status?.failureMessage, 'stop command "exit 2" exited with code 2');
  }),
  scenario(
    "StopService",
    "injected-stop-failure",
    "a stop failure injected by the testing controls fails the service with the message",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const environment = await createRunningEnvironment(ctx);
      const service = await createRunningService(ctx, environment.id);
      const message = `stuck process ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "service", id: service.id, step: "stop", message });
      await automations(ctx).stopService({ id: service.id });
      const failed = await waitForServicePhase(ctx, service.id, ServicePhase.FAILED);
      assert.ok(failed.status?.failureMessage.includes(message), `failure_message: ${failed.status?.failureMessage}`);
    },
    { needs: needsTestingControls },
  ),
];

// ---- UpsertAutomationsFile ---------------------------------------------------------------------

type AutomationsFile = Init<typeof AutomationsFileSchema>;

const docsExample: AutomationsFile = {
  services: {
    "web-server": {
      name: "Web Server",
      description: "Development web server",
      commands: { start: "npm run dev", ready: "curl -s http://localhost:3000" },
      triggeredBy: ["postDevcontainerStart"],
      role: "editor",
    },
    database: { name: "DB", commands: { start: "postgres" }, role: "ai-agent" },
  },
  tasks: {
    build: { name: "Build Project", command: "npm run build", triggeredBy: ["postEnvironmentStart"], dependsOn: ["database"] },
    test: { name: "Test", command: "npm test", dependsOn: ["build", "database"], triggeredBy: ["manual"] },
  },
};

const upsert = (ctx: ScenarioContext, environmentId: string, automationsFile: AutomationsFile) =>
  automations(ctx).upsertAutomationsFile({ environmentId, automationsFile });
const servicesOf = async (ctx: ScenarioContext, environmentId: string) =>
  (await automations(ctx).listServices({ filter: { environmentIds: [environmentId] }, pagination: { pageSize: 100 } })).services;
const tasksOf = async (ctx: ScenarioContext, environmentId: string) =>
  (await automations(ctx).listTasks({ filter: { environmentIds: [environmentId] }, pagination: { pageSize: 100 } })).tasks;

function upsertRejects(behaviour: string, what: string, file: AutomationsFile, path: string): Scenario {
  return scenario("UpsertAutomationsFile", behaviour, `${what} is invalid_argument naming ${path}, and writes nothing`, async (ctx) => {
    const environment = await createEnvironment(ctx);
    await upsert(ctx, environment.id, { services: { keep: { name: "Keep", commands: { start: "keep" } } } });
    const before = await servicesOf(ctx, environment.id);
    await expectCode(
      upsert(ctx, environment.id, { ...file, services: { ...file.services, extra: { name: "Extra", commands: { start: "extra" } } } }),
      Code.InvalidArgument,
      { field: path },
    );
    assert.deepEqual(await servicesOf(ctx, environment.id), before, "a rejected file wrote something");
    assert.deepEqual(await tasksOf(ctx, environment.id), []);
  });
}

const upsertAutomationsFileScenarios: Scenario[] = [
  scenario("UpsertAutomationsFile", "creates-in-file-order", "creates the file's services (desired STOPPED) and tasks, and answers their ids in the file's order", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const result = await upsert(ctx, environment.id, docsExample);
    const services = await servicesOf(ctx, environment.id);
    const tasks = await tasksOf(ctx, environment.id);
    assert.deepEqual(result.updatedServiceIds, idsOf(services));
    assert.deepEqual(result.updatedTaskIds, idsOf(tasks));
    const [web, db] = services;
    assert.equal(web?.metadata?.reference, "web-server");
    assert.equal(web.metadata?.name, "Web Server");
    assert.equal(web.metadata?.role, ServiceRole.EDITOR);
    assert.deepEqual(web.metadata?.triggeredBy.map((t) => t.trigger.case), ["postDevcontainerStart"]);
    assert.equal(web.spec?.desiredPhase, ServicePhase.STOPPED);
    assert.equal(web.spec?.commands?.ready, "curl -s http://localhost:3000");
    assert.equal(db?.metadata?.role, ServiceRole.AI_AGENT);
    const [build, test] = tasks;
    assert.equal(build?.metadata?.reference, "build");
    assert.deepEqual(build.dependsOn, [db.id]);
    assert.deepEqual(test?.dependsOn, [build.id, db.id]);
    assert.deepEqual(test.metadata?.triggeredBy.map((t) => t.trigger.case), ["manual"]);
  }),
  scenario("UpsertAutomationsFile", "updates-removes-leftovers-keeps-api-created", "updates by reference, removes what an earlier file created and this one lacks, keeps API-created automations", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const first = await upsert(ctx, environment.id, docsExample);
    const mine = await createService(ctx, environment.id, { metadata: { reference: "manual-svc" } });
    const second = await upsert(ctx, environment.id, {
      services: { "web-server": { name: "Web", commands: { start: "npm start" } } },
      tasks: { build: { name: "Build", command: "make" } },
    });
    const [webId, dbId] = first.updatedServiceIds;
    const [buildId, testId] = first.updatedTaskIds;
    assert.deepEqual(second.updatedServiceIds, [webId]);
    assert.deepEqual(second.updatedTaskIds, [buildId]);
    const services = await servicesOf(ctx, environment.id);
    assert.deepEqual(idsOf(services), [webId, mine.id]);
    assert.ok(!idsOf(services).includes(dbId!));
    assert.equal(services[0]?.spec?.commands?.start, "npm start");
    assert.equal(services[0].metadata?.name, "Web");
    const tasks = await tasksOf(ctx, environment.id);
    assert.deepEqual(idsOf(tasks), [buildId]);
    assert.ok(!idsOf(tasks).includes(testId!));
    assert.equal(tasks[0]?.spec?.command, "make");
    assert.deepEqual(tasks[0].dependsOn, [], "depends_on was not replaced");
  }),
  scenario("UpsertAutomationsFile", "restarts-running-service-on-spec-change", "a running service whose spec the file changes restarts with the new spec; a metadata-only change leaves one running", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const {
      updatedServiceIds: [web, api],
    } = await upsert(ctx, environment.id, { services: { web: { name: "Web", commands: { start: "npm run dev" } }, api: { name: "API", commands: { start: "npm run api" } } } });
    for (const id of [web!, api!]) await automations(ctx).startService({ id });
    const before = await waitForServicePhase(ctx, web!, ServicePhase.RUNNING);
    const apiBefore = await waitForServicePhase(ctx, api!, ServicePhase.RUNNING);
    await upsert(ctx, environment.id, { services: { web: { name: "Web", commands: { start: "npm run dev -- --port 4000" } }, api: { name: "API v2", commands: { start: "npm run api" } } } });
    const asked = await getService(ctx, web!);
    assert.notEqual(asked.spec?.session, before.spec?.session, "no new spec.session for the changed service");
    const restarted = await waitForService(ctx, web!, "to run with the new session", (s) => s.status?.phase === ServicePhase.RUNNING && s.status.session === asked.spec?.session);
    assert.equal(restarted.spec?.commands?.start, "npm run dev -- --port 4000");
    const untouched = await getService(ctx, api!);
    assert.equal(untouched.metadata?.name, "API v2");
    assert.equal(untouched.status?.phase, ServicePhase.RUNNING);
    assert.equal(untouched.spec?.session, apiBefore.spec?.session, "a metadata-only change restarted the service");
  }),
  upsertRejects("unknown-dependency-invalid-argument", "a depends_on key that is no service or task of the file", { tasks: { build: { name: "b", command: "c", dependsOn: ["nope"] } } }, 'automations_file.tasks["build"].depends_on[0]'),
  upsertRejects(
    "ambiguous-dependency-invalid-argument",
    "a depends_on key naming both a service and a task",
    { services: { x: { name: "s", commands: { start: "s" } } }, tasks: { x: { name: "t", command: "c" }, y: { name: "y", command: "c", dependsOn: ["x"] } } },
    'automations_file.tasks["y"].depends_on[0]',
  ),
  upsertRejects(
    "cycle-invalid-argument",
    "a dependency cycle",
    { tasks: { a: { name: "a", command: "c", dependsOn: ["b"] }, b: { name: "b", command: "c", dependsOn: ["a"] } } },
    'automations_file.tasks["a"].depends_on',
  ),
  upsertRejects("service-without-start-invalid-argument", "a service without commands.start", { services: { web: { name: "Web" } } }, 'automations_file.services["web"].commands.start'),
  ...beingDeletedScenarios(
    scenario,
    "UpsertAutomationsFile",
    "environment-being-deleted-failed-precondition",
    "upserting into an environment that is being deleted is failed_precondition",
    async (ctx, environmentId) => {
      await expectCode(upsert(ctx, environmentId, docsExample), Code.FailedPrecondition);
    },
  ),
];

// ---- CreateTask / GetTask / ListTasks ----------------------------------------------------------

const createTaskScenarios: Scenario[] = [
  scenario("CreateTask", "answers-server-set-fields", "answers the new task: server-set id, creator and created_at, the given metadata, spec and dependencies", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const reference = uniqueReference(ctx, "build");
    const { task } = await automations(ctx).createTask({
      environmentId: environment.id,
      metadata: { reference, name: "Build", description: "builds", triggeredBy: [postEnvironmentStart] },
      spec: { command: "npm run build", prebuildRequiresSuccess: true },
    });
    assert.ok(task);
    assert.match(task.id, uuidPattern);
    assert.equal(task.environmentId, environment.id);
    assert.equal(task.metadata?.reference, reference);
    assert.equal(task.metadata?.name, "Build");
    assert.equal(task.metadata?.description, "builds");
    assert.deepEqual(task.metadata?.triggeredBy.map((t) => t.trigger.case), ["postEnvironmentStart"]);
    assert.equal(task.metadata?.creator?.id, await callerId(ctx));
    assert.ok(task.metadata?.createdAt, "no created_at");
    assert.equal(task.spec?.command, "npm run build");
    assert.equal(task.spec?.prebuildRequiresSuccess, true);
    assert.deepEqual(task.dependsOn, []);
    assert.deepEqual((await automations(ctx).getTask({ id: task.id })).task, task);
  }),
  scenario("CreateTask", "reference-unique-per-environment", "a task reference is unique per environment: a second one is already_exists", async (ctx) => {
    const environment = await createEnvironment(ctx);
    const reference = uniqueReference(ctx, "task");
    await createTask(ctx, environment.id, { metadata: { reference } });
    await expectCode(createTask(ctx, environment.id, { metadata: { reference } }), Code.AlreadyExists);
  }),
  ...(
    [
      ["missing-reference", "no metadata", { metadata: undefined }, "metadata.reference"],
      ["missing-command", "no command", { spec: { command: "" } }, "spec.command"],
      ["false-trigger", "a trigger set to false", { metadata: { reference: "t-false", name: "n", triggeredBy: [{ trigger: { case: "manual", value: false } }] } }, "metadata.triggered_by[0]"],
      ["malformed-dependency", "a dependency that is no UUID", { dependsOn: ["build"] }, "depends_on[0]"],
    ] satisfies [string, string, Partial<Init<typeof CreateTaskRequestSchema>>, string][]
  ).map(([behaviour, what, change, field]) =>
    scenario("CreateTask", `${behaviour}-invalid-argument`, `${what} is invalid_argument naming ${field}`, async (ctx) => {
      const environment = await createEnvironment(ctx);
      await expectCode(
        automations(ctx).createTask({
          environmentId: environment.id,
          metadata: { reference: uniqueReference(ctx, "task"), name: "A task" },
          spec: { command: "npm test" },
          ...change,
        }),
        Code.InvalidArgument,
        { field },
      );
    }),
  ),
  scenario("CreateTask", "dependencies-same-environment", "depends_on accepts only services and tasks of the same environment (invalid_argument naming depends_on[i]); repeated ids are kept once", async (ctx) => {
    const [environment, other] = [await createEnvironment(ctx), await createEnvironment(ctx)];
    const service = await createService(ctx, environment.id);
    const foreign = await createTask(ctx, other.id);
    await expectCode(createTask(ctx, environment.id, { dependsOn: [service.id, unknownId()] }), Code.InvalidArgument, { field: "depends_on[1]" });
    await expectCode(createTask(ctx, environment.id, { dependsOn: [foreign.id] }), Code.InvalidArgument, { field: "depends_on[0]" });
    const task = await createTask(ctx, environment.id, { dependsOn: [service.id, service.id] });
    assert.deepEqual(task.dependsOn, [service.id]);
  }),
  ...beingDeletedScenarios(
    scenario,
    "CreateTask",
    "environment-being-deleted-failed-precondition",
    "creating in an environment that is being deleted is failed_precondition",
    async (ctx, environmentId) => {
      await expectCode(createTask(ctx, environmentId), Code.FailedPrecondition);
    },
  ),
];

const getTaskScenarios: Scenario[] = [
  scenario(
    "GetTask",
    "answers-the-task",
    "answers the task with its environment, metadata, spec and dependencies",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const service = await createService(ctx, environment.id);
      const created = await createTask(ctx, environment.id, { spec: { command: "make all" }, dependsOn: [service.id] });
      const { task } = await automations(ctx).getTask({ id: created.id });
      assert.equal(task?.environmentId, environment.id);
      assert.equal(task.spec?.command, "make all");
      assert.deepEqual(task.dependsOn, [service.id]);
      assert.deepEqual(task, created);
    },
    { slow: false },
  ),
];

const listTasksScenarios: Scenario[] = [
  scenario("ListTasks", "filters-environment-reference-id", "filters by environment, reference and id — OR within a list, AND across — in creation order", async (ctx) => {
    const [e1, e2] = [await createEnvironment(ctx), await createEnvironment(ctx)];
    const build = uniqueReference(ctx, "build");
    const a = await createTask(ctx, e1.id, { metadata: { reference: build } });
    const b = await createTask(ctx, e1.id);
    const c = await createTask(ctx, e2.id, { metadata: { reference: build } });
    const both = [e1.id, e2.id];
    assert.deepEqual(await listTaskIds(ctx, { environmentIds: both }), [a.id, b.id, c.id]);
    assert.deepEqual(await listTaskIds(ctx, { environmentIds: [e2.id] }), [c.id]);
    assert.deepEqual(await listTaskIds(ctx, { environmentIds: both, references: [build] }), [a.id, c.id]);
    assert.deepEqual(await listTaskIds(ctx, { environmentIds: both, taskIds: [b.id, c.id] }), [b.id, c.id]);
    assert.deepEqual(await listTaskIds(ctx, { environmentIds: [e1.id], taskIds: [c.id] }), []);
  }),
  ...listPageScenarios(
    "ListTasks",
    async (ctx, environmentId) => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await createTask(ctx, environmentId)).id);
      return ids;
    },
    async (ctx, filter, pageSize, token) => {
      const r = await automations(ctx).listTasks({ filter, pagination: { pageSize, token } });
      return { ids: idsOf(r.tasks), nextToken: r.pagination?.nextToken ?? "" };
    },
    (environmentId) => ({ environmentIds: [environmentId, unknownId()] }),
  ),
  ...listAccessScenarios("ListTasks"),
];

// ---- UpdateTask / DeleteTask -------------------------------------------------------------------

const updateTaskScenarios: Scenario[] = [
  scenario(
    "UpdateTask",
    "changes-only-what-is-set",
    "changes only what is set; an empty depends_on list changes nothing",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const service = await createService(ctx, environment.id);
      const task = await createTask(ctx, environment.id, { metadata: { name: "Build", description: "old" }, spec: { command: "make" }, dependsOn: [service.id] });
      await automations(ctx).updateTask({ id: task.id, metadata: { description: "new" }, spec: { command: "make all", prebuildRequiresSuccess: true }, dependsOn: [] });
      const { task: now } = await automations(ctx).getTask({ id: task.id });
      assert.equal(now?.metadata?.name, "Build");
      assert.equal(now.metadata?.description, "new");
      assert.equal(now.spec?.command, "make all");
      assert.equal(now.spec?.prebuildRequiresSuccess, true);
      assert.deepEqual(now.dependsOn, [service.id]);
    },
    { slow: false },
  ),
  scenario(
    "UpdateTask",
    "cycle-invalid-argument",
    "an update that closes a dependency cycle (also onto itself) is invalid_argument naming depends_on",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const a = await createTask(ctx, environment.id);
      const b = await createTask(ctx, environment.id, { dependsOn: [a.id] });
      const c = await createTask(ctx, environment.id, { dependsOn: [b.id] });
      const error = await expectCode(automations(ctx).updateTask({ id: a.id, dependsOn: [c.id] }), Code.InvalidArgument, { field: "depends_on" });
      assert.ok(error.rawMessage.includes(a.metadata!.reference), `the cycle is not named by reference: ${error.rawMessage}`);
      await expectCode(automations(ctx).updateTask({ id: a.id, dependsOn: [a.id] }), Code.InvalidArgument, { field: "depends_on" });
      assert.deepEqual((await automations(ctx).getTask({ id: a.id })).task?.dependsOn, []);
    },
    { slow: false },
  ),
  scenario(
    "UpdateTask",
    "unknown-dependency-invalid-argument",
    "an unknown dependency is invalid_argument naming depends_on[0]",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const task = await createTask(ctx, environment.id);
      await expectCode(automations(ctx).updateTask({ id: task.id, dependsOn: [unknownId()] }), Code.InvalidArgument, { field: "depends_on[0]" });
    },
    { slow: false },
  ),
  scenario("UpdateTask", "running-execution-keeps-captured-spec", "a running execution keeps the spec it captured: a later update does not change the run", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const task = await createTask(ctx, environment.id, { spec: { command: "make" } });
    const { taskExecution } = await automations(ctx).startTask({ id: task.id });
    await automations(ctx).updateTask({ id: task.id, spec: { command: "exit 1" } });
    const done = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(done.status?.phase, TaskExecutionPhase.SUCCEEDED);
    const step = done.spec?.plan[0]?.steps[0]?.step;
    assert.equal(step?.case === "task" ? step.value.spec?.command : undefined, "make");
  }),
];

const deleteTaskScenarios: Scenario[] = [
  scenario(
    "DeleteTask",
    "removes-at-once",
    "removes the task at once: GetTask and a second delete are not_found",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const task = await createTask(ctx, environment.id);
      await automations(ctx).deleteTask({ id: task.id });
      await expectCode(automations(ctx).getTask({ id: task.id }), Code.NotFound);
      await expectCode(automations(ctx).deleteTask({ id: task.id }), Code.NotFound);
      assert.deepEqual(await listTaskIds(ctx, { environmentIds: [environment.id] }), []);
    },
    { slow: false },
  ),
  scenario(
    "DeleteTask",
    "leaves-dependencies",
    "a deleted task's id leaves the depends_on of the other tasks",
    async (ctx) => {
      const environment = await createEnvironment(ctx);
      const a = await createTask(ctx, environment.id);
      const b = await createTask(ctx, environment.id, { dependsOn: [a.id] });
      await automations(ctx).deleteTask({ id: a.id });
      assert.deepEqual((await automations(ctx).getTask({ id: b.id })).task?.dependsOn, []);
    },
    { slow: false },
  ),
  scenario("DeleteTask", "executions-stay-as-history", "a deleted task's executions stay, and an unfinished one runs on", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const task = await createTask(ctx, environment.id);
    const { taskExecution } = await automations(ctx).startTask({ id: task.id });
    await automations(ctx).deleteTask({ id: task.id });
    const done = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(done.status?.phase, TaskExecutionPhase.SUCCEEDED);
    assert.deepEqual(await listExecutionIds(ctx, { taskIds: [task.id] }), [taskExecution!.id]);
  }),
];

// ---- StartTask and executions ------------------------------------------------------------------

/** Each plan step's label with its phase: "RUNNING[a=SUCCEEDED b=RUNNING]". */
function where(x: TaskExecution): string {
  const phases = new Map(x.status?.steps.map((s) => [s.id, TaskExecutionPhase[s.phase]]) ?? []);
  const steps = (x.spec?.plan ?? []).flatMap((g) => g.steps).map((s) => `${s.label}=${phases.get(s.id) ?? "-"}`);
  return `${TaskExecutionPhase[x.status?.phase ?? 0]}[${steps.join(" ")}]`;
}

const startTaskScenarios: Scenario[] = [
  scenario("StartTask", "creates-pending-execution", "creates a PENDING execution started by the caller, \"manual\", with the task alone in its plan", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const task = await createTask(ctx, environment.id, { metadata: { name: "Make" }, spec: { command: "make" } });
    const { taskExecution: x } = await automations(ctx).startTask({ id: task.id });
    assert.ok(x);
    assert.match(x.id, uuidPattern);
    assert.equal(x.metadata?.taskId, task.id);
    assert.equal(x.metadata?.environmentId, environment.id);
    assert.equal(x.metadata?.startedBy, "manual");
    assert.equal(x.metadata?.creator?.id, await callerId(ctx));
    assert.ok(x.metadata?.createdAt);
    assert.equal(x.spec?.desiredPhase, TaskExecutionPhase.RUNNING);
    assert.equal(x.status?.phase, TaskExecutionPhase.PENDING);
    assert.equal(x.spec?.plan.length, 1);
    const [step] = x.spec.plan[0]!.steps;
    assert.equal(x.spec.plan[0]!.steps.length, 1);
    assert.match(step!.id, uuidPattern);
    assert.equal(step!.label, "Make");
    assert.deepEqual(step!.dependsOn, []);
    assert.equal(step!.step.case, "task");
    assert.equal(step!.step.case === "task" ? step!.step.value.id : "", task.id);
    assert.equal(step!.step.case === "task" ? step!.step.value.spec?.command : "", "make");
  }),
  scenario("StartTask", "runs-to-succeeded", "the execution runs PENDING → RUNNING → SUCCEEDED, with started_at and completed_at", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const task = await createTask(ctx, environment.id);
    const { taskExecution } = await automations(ctx).startTask({ id: task.id });
    const done = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(where(done), "SUCCEEDED[Conformance task=SUCCEEDED]");
    assert.ok(done.metadata?.startedAt, "no started_at");
    assert.ok(done.metadata?.completedAt, "no completed_at");
    assert.equal(done.status?.failureMessage, "");
  }),
  scenario("StartTask", "plan-in-topological-groups", "the plan holds the dependency closure in topological groups; each step waits for its dependencies' step ids", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const db = await createService(ctx, environment.id, { metadata: { name: "db" } });
    const install = await createTask(ctx, environment.id, { metadata: { name: "install" } });
    const build = await createTask(ctx, environment.id, { metadata: { name: "build" }, dependsOn: [install.id, db.id] });
    const lint = await createTask(ctx, environment.id, { metadata: { name: "lint" }, dependsOn: [install.id] });
    const test = await createTask(ctx, environment.id, { metadata: { name: "test" }, dependsOn: [build.id, lint.id] });
    await createTask(ctx, environment.id, { metadata: { name: "unrelated" } });
    const plan = (await automations(ctx).startTask({ id: test.id })).taskExecution!.spec!.plan;
    assert.deepEqual(plan.map((g) => g.steps.map((s) => s.label).sort()), [["db", "install"], ["build", "lint"], ["test"]]);
    const steps = new Map(plan.flatMap((g) => g.steps).map((s) => [s.label, s]));
    const idOf = (label: string) => steps.get(label)!.id;
    assert.deepEqual([...steps.get("build")!.dependsOn].sort(), [idOf("install"), idOf("db")].sort());
    assert.deepEqual([...steps.get("test")!.dependsOn].sort(), [idOf("build"), idOf("lint")].sort());
    assert.deepEqual(steps.get("db")!.step, { case: "serviceId", value: db.id });
    assert.equal(new Set([...steps.values()].map((s) => s.id)).size, 5, "step ids are not unique");
  }),
  scenario("StartTask", "failing-command-fails-execution", "a failing command fails its step and the execution (label: reason); later groups never start", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const broken = await createTask(ctx, environment.id, { metadata: { name: "broken" }, spec: { command: "exit 4" } });
    const fine = await createTask(ctx, environment.id, { metadata: { name: "fine" } });
    const last = await createTask(ctx, environment.id, { metadata: { name: "last" }, dependsOn: [broken.id, fine.id] });
    const { taskExecution } = await automations(ctx).startTask({ id: last.id });
    const done = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(done.status?.phase, TaskExecutionPhase.FAILED);
    assert.ok(done.status?.failureMessage.startsWith("broken: "), `failure_message: ${done.status?.failureMessage}`);
    assert.ok(done.status?.failureMessage.includes("4"), `the exit code is not in failure_message: ${done.status?.failureMessage}`);
    assert.match(where(done), /broken=FAILED/);
    assert.match(where(done), /last=-/);
    assert.ok(done.metadata?.completedAt, "no completed_at");
  }),
  scenario("StartTask", "service-step-starts-service", "a service step starts its service and succeeds once it runs; then the dependent task runs", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const db = await createService(ctx, environment.id, { metadata: { name: "db" } });
    const test = await createTask(ctx, environment.id, { metadata: { name: "test" }, dependsOn: [db.id] });
    const { taskExecution } = await automations(ctx).startTask({ id: test.id });
    const done = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(where(done), "SUCCEEDED[db=SUCCEEDED test=SUCCEEDED]");
    assert.equal((await getService(ctx, db.id)).status?.phase, ServicePhase.RUNNING);
  }),
  scenario("StartTask", "service-step-fails-with-service", "a service step fails when its service fails, and so does the execution", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const db = await createService(ctx, environment.id, { metadata: { name: "db" }, spec: { commands: { start: "false" } } });
    const test = await createTask(ctx, environment.id, { metadata: { name: "test" }, dependsOn: [db.id] });
    const { taskExecution } = await automations(ctx).startTask({ id: test.id });
    const done = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(done.status?.phase, TaskExecutionPhase.FAILED);
    assert.ok(done.status?.failureMessage.startsWith("db: "), `failure_message: ${done.status?.failureMessage}`);
    assert.match(where(done), /test=-/);
  }),
  scenario("StartTask", "environment-not-running-failed-precondition", "starting a task needs the environment running: failed_precondition", async (ctx) => {
    const environment = await createStoppedEnvironment(ctx);
    const task = await createTask(ctx, environment.id);
    await expectCode(automations(ctx).startTask({ id: task.id }), Code.FailedPrecondition);
    assert.deepEqual(await listExecutionIds(ctx, { taskIds: [task.id] }), []);
  }),
  scenario(
    "StartTask",
    "injected-run-failure",
    "a run failure injected by the testing controls fails the next execution (label: message), once",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const environment = await createRunningEnvironment(ctx);
      const task = await createTask(ctx, environment.id, { metadata: { name: "flaky" } });
      const message = `disk full ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "task", id: task.id, step: "run", message });
      const first = await waitForExecutionFinished(ctx, (await automations(ctx).startTask({ id: task.id })).taskExecution!.id);
      assert.equal(first.status?.phase, TaskExecutionPhase.FAILED);
      assert.equal(first.status?.failureMessage, `flaky: ${message}`);
      const second = await waitForExecutionFinished(ctx, (await automations(ctx).startTask({ id: task.id })).taskExecution!.id);
      assert.equal(second.status?.phase, TaskExecutionPhase.SUCCEEDED, "the injection was used twice");
    },
    { needs: needsTestingControls },
  ),
];

const listTaskExecutionsScenarios: Scenario[] = [
  scenario("ListTaskExecutions", "filters-task-reference-environment-phase", "filters by task, task reference, environment and phase, in creation order", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const alpha = uniqueReference(ctx, "alpha");
    const beta = uniqueReference(ctx, "beta");
    const a = await createTask(ctx, environment.id, { metadata: { reference: alpha } });
    const b = await createTask(ctx, environment.id, { metadata: { reference: beta }, spec: { command: "false" } });
    const start = async (id: string) => (await automations(ctx).startTask({ id })).taskExecution!.id;
    const x1 = await start(a.id);
    const x2 = await start(b.id);
    const x3 = await start(a.id);
    for (const x of [x1, x2, x3]) await waitForExecutionFinished(ctx, x);
    const e = [environment.id];
    assert.deepEqual(await listExecutionIds(ctx, { environmentIds: e }), [x1, x2, x3]);
    assert.deepEqual(await listExecutionIds(ctx, { environmentIds: e, taskIds: [a.id] }), [x1, x3]);
    assert.deepEqual(await listExecutionIds(ctx, { taskIds: [b.id] }), [x2]);
    assert.deepEqual(await listExecutionIds(ctx, { environmentIds: e, taskReferences: [beta] }), [x2]);
    assert.deepEqual(await listExecutionIds(ctx, { environmentIds: e, phases: [TaskExecutionPhase.FAILED] }), [x2]);
    assert.deepEqual(await listExecutionIds(ctx, { environmentIds: e, phases: [TaskExecutionPhase.SUCCEEDED, TaskExecutionPhase.RUNNING] }), [x1, x3]);
    assert.deepEqual(await listExecutionIds(ctx, { environmentIds: e, taskIds: [a.id], phases: [TaskExecutionPhase.FAILED] }), []);
  }),
  ...listPageScenarios(
    "ListTaskExecutions",
    async (ctx, environmentId) => {
      const task = await createTask(ctx, environmentId);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await automations(ctx).startTask({ id: task.id })).taskExecution!.id);
      return ids;
    },
    async (ctx, filter, pageSize, token) => {
      const r = await automations(ctx).listTaskExecutions({ filter, pagination: { pageSize, token } });
      return { ids: idsOf(r.taskExecutions), nextToken: r.pagination?.nextToken ?? "" };
    },
    (environmentId) => ({ environmentIds: [environmentId, unknownId()] }),
  ),
  ...listAccessScenarios("ListTaskExecutions"),
];

const getTaskExecutionScenarios: Scenario[] = [
  scenario("GetTaskExecution", "answers-the-execution", "answers the execution StartTask created: its task, environment and plan", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const task = await createTask(ctx, environment.id);
    const { taskExecution: started } = await automations(ctx).startTask({ id: task.id });
    const found = await getExecution(ctx, started!.id);
    assert.equal(found.id, started!.id);
    assert.deepEqual(found.metadata?.taskId, task.id);
    assert.deepEqual(found.metadata?.environmentId, environment.id);
    assert.deepEqual(found.spec?.plan, started!.spec?.plan);
  }),
];

const stopTaskExecutionScenarios: Scenario[] = [
  scenario("StopTaskExecution", "stops-a-running-execution", "sets desired STOPPED; the unfinished steps and the execution end STOPPED with completed_at; repeating it is accepted", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const db = await createService(ctx, environment.id, { metadata: { name: "db" }, spec: { commands: { ready: "exit 1" } } }); // never ready
    const test = await createTask(ctx, environment.id, { metadata: { name: "test" }, dependsOn: [db.id] });
    const { taskExecution } = await automations(ctx).startTask({ id: test.id });
    const id = taskExecution!.id;
    await waitForExecution(ctx, id, "to run", (x) => x.status?.phase === TaskExecutionPhase.RUNNING);
    await automations(ctx).stopTaskExecution({ id });
    await automations(ctx).stopTaskExecution({ id });
    assert.equal((await getExecution(ctx, id)).spec?.desiredPhase, TaskExecutionPhase.STOPPED);
    const stopped = await waitForExecutionFinished(ctx, id);
    assert.equal(where(stopped), "STOPPED[db=STOPPED test=-]");
    assert.ok(stopped.metadata?.completedAt, "no completed_at");
    await automations(ctx).stopTaskExecution({ id });
    assert.deepEqual(await getExecution(ctx, id), stopped);
  }),
  scenario("StopTaskExecution", "finished-stays-as-is", "stopping a finished execution leaves it as it is", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const task = await createTask(ctx, environment.id);
    const done = await waitForExecutionFinished(ctx, (await automations(ctx).startTask({ id: task.id })).taskExecution!.id);
    await automations(ctx).stopTaskExecution({ id: done.id });
    const now = await getExecution(ctx, done.id);
    assert.equal(now.status?.phase, TaskExecutionPhase.SUCCEEDED);
    assert.deepEqual(now.status, done.status);
    assert.deepEqual(now.metadata, done.metadata);
  }),
  scenario("StopTaskExecution", "environment-stop-stops-executions", "when the environment stops, its unfinished executions are STOPPED", async (ctx) => {
    const environment = await createRunningEnvironment(ctx);
    const db = await createService(ctx, environment.id, { spec: { commands: { ready: "exit 1" } } });
    const test = await createTask(ctx, environment.id, { dependsOn: [db.id] });
    const { taskExecution } = await automations(ctx).startTask({ id: test.id });
    await waitForExecution(ctx, taskExecution!.id, "to run", (x) => x.status?.phase === TaskExecutionPhase.RUNNING);
    await environments(ctx).stopEnvironment({ environmentId: environment.id });
    const stopped = await waitForExecutionFinished(ctx, taskExecution!.id);
    assert.equal(stopped.status?.phase, TaskExecutionPhase.STOPPED);
    assert.equal((await environments(ctx).getEnvironment({ environmentId: environment.id })).environment?.spec?.desiredPhase, EnvironmentPhase.STOPPED);
  }),
];

export const environmentAutomationServiceScenarios: Scenario[] = [
  ...createServiceScenarios,
  ...getServiceScenarios,
  ...listServicesScenarios,
  ...updateServiceScenarios,
  ...deleteServiceScenarios,
  ...startServiceScenarios,
  ...stopServiceScenarios,
  ...upsertAutomationsFileScenarios,
  ...createTaskScenarios,
  ...getTaskScenarios,
  ...listTasksScenarios,
  ...updateTaskScenarios,
  ...deleteTaskScenarios,
  ...startTaskScenarios,
  ...listTaskExecutionsScenarios,
  ...getTaskExecutionScenarios,
  ...stopTaskExecutionScenarios,
  ...idRpcs.flatMap(idErrorScenarios),
];
