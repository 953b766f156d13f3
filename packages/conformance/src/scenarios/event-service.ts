// EventService.WatchEvents: a server stream of {operation, resource_type, resource_id} for every
// committed write (server README, "The event model"). A stream is live once its response head
// has arrived (onHeader); every later write reaches it, in commit order. Other scenarios write
// concurrently, so a scenario reads until the event of its own resource and judges only what it
// made — or, to prove a filter, that something it wrote before (in commit order) was left out.
import assert from "node:assert/strict";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, type Client } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import {
  EventService,
  ResourceOperation,
  ResourceType,
  type WatchEventsRequestSchema,
  type WatchEventsResponse,
} from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { expectCode } from "../expect.js";
import { ScenarioFailure, type Scenario, type ScenarioContext } from "../scenario.js";
import {
  callerSubject,
  createEnvironmentClass,
  createTestRunner,
  ignoreNotFound,
  isolation,
  newId,
  otherOrganization,
  scenarioFactory,
  unauthenticatedScenarios,
} from "./runner-support.js";

const define = scenarioFactory("EventService");
type WatchRequest = MessageInitShape<typeof WatchEventsRequestSchema>;
type EventClient = Client<typeof EventService>;

/** How long an event of a write we made may take to arrive. */
const eventWaitMs = 15_000;

const describeEvent = (e: WatchEventsResponse) => `${ResourceOperation[e.operation] ?? e.operation} ${ResourceType[e.resourceType] ?? e.resourceType} ${e.resourceId}`;

interface Watch {
  /** Reads events until one matches; returns all read (the match last). Fails after `timeoutMs`. */
  until(what: string, match: (e: WatchEventsResponse) => boolean, timeoutMs?: number): Promise<WatchEventsResponse[]>;
}

/** Opens a stream and waits for its response head (the subscription exists); it is cancelled when the scenario ends. */
async function openWatch(ctx: ScenarioContext, client: EventClient, request: WatchRequest): Promise<Watch> {
  const abort = new AbortController();
  ctx.cleanup(() => {
    abort.abort();
    return Promise.resolve();
  });
  let headerSeen!: () => void;
  const header = new Promise<"head">((resolve) => (headerSeen = () => resolve("head")));
  const iterator = client.watchEvents(request, { signal: abort.signal, onHeader: () => headerSeen() })[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<WatchEventsResponse>> | undefined = iterator.next();
  pending.catch(() => undefined);
  const first = await withTimeout(Promise.race([header, pending]), eventWaitMs, "the stream's response head");
  if (first !== "head" && first.done) throw new ScenarioFailure("the stream ended before its response head");
  // An event before the head cannot be; if the race gave one, keep it for the reader.
  const early = first !== "head" ? [first.value] : [];
  if (first !== "head") pending = undefined;
  return {
    async until(what, match, timeoutMs = eventWaitMs) {
      const seen: WatchEventsResponse[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const next = early.shift() ?? (await nextEvent());
        seen.push(next);
        if (match(next)) return seen;
      }
      async function nextEvent(): Promise<WatchEventsResponse> {
        pending ??= iterator.next();
        const result = await withTimeout(pending, Math.max(1, deadline - Date.now()), what, seen);
        pending = undefined;
        if (result.done) throw new ScenarioFailure(`the stream ended before ${what}; it delivered: ${seen.map(describeEvent).join(", ") || "nothing"}`);
        return result.value;
      }
    },
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string, seen: WatchEventsResponse[] = []): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioFailure(`no ${what} within ${ms} ms; the stream delivered: ${seen.map(describeEvent).join(", ") || "nothing"}`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first message (or end) of a stream that must fail: its error, given the documented code, passes `expectCode`. */
async function expectStreamCode(ctx: ScenarioContext, client: EventClient, request: WatchRequest, code: Code, options: { field?: string } = {}): Promise<void> {
  const abort = new AbortController();
  ctx.cleanup(() => {
    abort.abort();
    return Promise.resolve();
  });
  const drain = (async () => {
    for await (const event of client.watchEvents(request, { signal: abort.signal })) return event;
    return "end";
  })();
  drain.catch(() => undefined);
  const timer = setTimeout(() => abort.abort(), eventWaitMs);
  try {
    await expectCode(drain, code, options);
  } finally {
    clearTimeout(timer);
  }
}

const events = (ctx: ScenarioContext) => ctx.client(EventService);
const organizationScope = { scope: { case: "organization" as const, value: true } };
const is = (operation: ResourceOperation, resourceType: ResourceType, resourceId: string) => (e: WatchEventsResponse) =>
  e.operation === operation && e.resourceType === resourceType && e.resourceId === resourceId;
const about = (resourceId: string) => (e: WatchEventsResponse) => e.resourceId === resourceId;

/** An environment on the discovered class, force-deleted when the scenario ends. */
async function createEnvironment(ctx: ScenarioContext): Promise<string> {
  const client = ctx.client(EnvironmentService);
  const { environment } = await client.createEnvironment({
    name: ctx.uniqueName("events"),
    spec: {
      machine: { class: ctx.fixtures.environmentClassId },
      content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: "https://github.com/gitpod-io/gitpod" } } }] } },
    },
  });
  assert.ok(environment, "CreateEnvironment answered no environment");
  ctx.cleanup(() => ignoreNotFound(client.deleteEnvironment({ environmentId: environment.id, force: true })));
  return environment.id;
}

export const eventServiceScenarios: Scenario[] = [
  define("WatchEvents", "runner-create-seen", "a CreateRunner is seen as RESOURCE_OPERATION_CREATE of RESOURCE_TYPE_RUNNER with the runner's id", async (ctx) => {
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER }] });
    const { runnerId } = await createTestRunner(ctx);
    const seen = await watch.until(`CREATE RUNNER ${runnerId}`, about(runnerId));
    assert.equal(describeEvent(seen.at(-1)!), `CREATE RUNNER ${runnerId}`, "the runner's first event is its CREATE");
  }),
  define("WatchEvents", "environment-class-create-seen", "a CreateEnvironmentClass is seen as CREATE of RESOURCE_TYPE_ENVIRONMENT_CLASS with the class id", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), organizationScope);
    const classId = await createEnvironmentClass(ctx, runnerId);
    const seen = await watch.until(`the class ${classId}`, about(classId));
    assert.equal(describeEvent(seen.at(-1)!), `CREATE ENVIRONMENT_CLASS ${classId}`);
  }),
  define("WatchEvents", "environment-class-update-seen", "an UpdateEnvironmentClass is seen as UPDATE of the class", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const classId = await createEnvironmentClass(ctx, runnerId);
    const watch = await openWatch(ctx, events(ctx), organizationScope);
    await ctx.client(RunnerConfigurationService).updateEnvironmentClass({ environmentClassId: classId, enabled: false });
    const seen = await watch.until(`the class ${classId}`, about(classId));
    assert.equal(describeEvent(seen.at(-1)!), `UPDATE ENVIRONMENT_CLASS ${classId}`);
  }),
  define("WatchEvents", "runner-update-seen", "an UpdateRunner (a spec or metadata change) is seen as RESOURCE_OPERATION_UPDATE", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER, resourceIds: [runnerId] }] });
    await ctx.client(RunnerService).updateRunner({ runnerId, name: ctx.uniqueName("renamed") });
    const seen = await watch.until(`an event of ${runnerId}`, about(runnerId));
    assert.equal(describeEvent(seen.at(-1)!), `UPDATE RUNNER ${runnerId}`);
  }),
  define("WatchEvents", "runner-deletion-seen-as-update", "a DeleteRunner without force is seen as UPDATE of the runner (DELETING)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER, resourceIds: [runnerId] }] });
    await ctx.client(RunnerService).deleteRunner({ runnerId });
    const seen = await watch.until(`an event of ${runnerId}`, about(runnerId));
    assert.equal(describeEvent(seen.at(-1)!), `UPDATE RUNNER ${runnerId}`);
  }),
  define("WatchEvents", "runner-force-delete-seen", "a forced DeleteRunner is seen as RESOURCE_OPERATION_DELETE of the runner", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER, resourceIds: [runnerId] }] });
    await ctx.client(RunnerService).deleteRunner({ runnerId, force: true });
    const seen = await watch.until(`the DELETE of ${runnerId}`, is(ResourceOperation.DELETE, ResourceType.RUNNER, runnerId));
    assert.ok(seen.every(about(runnerId)), "the filter keeps only this runner's events");
  }),
  define("WatchEvents", "no-scope-is-organization", "a request without scope watches the caller's organization", async (ctx) => {
    const watch = await openWatch(ctx, events(ctx), {});
    const { runnerId } = await createTestRunner(ctx);
    const seen = await watch.until(`an event of ${runnerId}`, about(runnerId));
    assert.equal(describeEvent(seen.at(-1)!), `CREATE RUNNER ${runnerId}`);
  }),
  define("WatchEvents", "environment-create-and-steps-seen", "a CreateEnvironment is seen as CREATE of RESOURCE_TYPE_ENVIRONMENT, its lifecycle steps as UPDATE_STATUS", async (ctx) => {
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.ENVIRONMENT }] });
    const environmentId = await createEnvironment(ctx);
    const created = await watch.until(`an event of ${environmentId}`, about(environmentId));
    assert.equal(describeEvent(created.at(-1)!), `CREATE ENVIRONMENT ${environmentId}`);
    const step = await watch.until(`a status step of ${environmentId}`, about(environmentId), 30_000);
    assert.equal(describeEvent(step.at(-1)!), `UPDATE_STATUS ENVIRONMENT ${environmentId}`);
    assert.ok(created.concat(step).every((e) => e.resourceType === ResourceType.ENVIRONMENT), "the type filter keeps only environments");
  }, { timeoutMs: 45_000 }),
  define("WatchEvents", "resource-id-filter", "resource_ids keeps only those resources: an update of another runner committed first is left out", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER, resourceIds: [a.runnerId] }] });
    await ctx.client(RunnerService).updateRunner({ runnerId: b.runnerId, name: ctx.uniqueName("b") });
    await ctx.client(RunnerService).updateRunner({ runnerId: a.runnerId, name: ctx.uniqueName("a") });
    const seen = await watch.until(`an event of ${a.runnerId}`, about(a.runnerId));
    assert.deepEqual(seen.map(describeEvent), [`UPDATE RUNNER ${a.runnerId}`], "only the filtered runner's event");
  }),
  define("WatchEvents", "resource-type-filter", "resource_type_filters keeps only those types: a runner update committed first is left out", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.ENVIRONMENT_CLASS }] });
    await ctx.client(RunnerService).updateRunner({ runnerId, name: ctx.uniqueName("typed") });
    const classId = await createEnvironmentClass(ctx, runnerId);
    const seen = await watch.until(`the class ${classId}`, about(classId));
    assert.ok(seen.every((e) => e.resourceType === ResourceType.ENVIRONMENT_CLASS), `only environment classes, got: ${seen.map(describeEvent).join(", ")}`);
  }),
  define("WatchEvents", "creator-filter", "creator_ids keeps only resources of those creators; filters combine with OR", async (ctx) => {
    const b = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), {
      ...organizationScope,
      resourceTypeFilters: [
        { resourceType: ResourceType.RUNNER, creatorIds: [newId()] },
        { resourceType: ResourceType.RUNNER, resourceIds: [b.runnerId] },
      ],
    });
    const a = await createTestRunner(ctx); // created by us, not by the filter's creator: left out
    await ctx.client(RunnerService).updateRunner({ runnerId: b.runnerId, name: ctx.uniqueName("b") });
    const seen = await watch.until(`an event of ${b.runnerId}`, about(b.runnerId));
    assert.ok(!seen.some(about(a.runnerId)), "the runner of another creator is left out");
    assert.equal(describeEvent(seen.at(-1)!), `UPDATE RUNNER ${b.runnerId}`);
    const subject = await callerSubject(ctx);
    const mine = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER, creatorIds: [subject.id] }] });
    const c = await createTestRunner(ctx);
    const created = await mine.until(`an event of ${c.runnerId}`, about(c.runnerId));
    assert.equal(describeEvent(created.at(-1)!), `CREATE RUNNER ${c.runnerId}`, "the caller's own runner passes a filter naming the caller");
  }),
  define("WatchEvents", "scm-integration-create-seen", "a CreateSCMIntegration is seen as CREATE of RESOURCE_TYPE_RUNNER_SCM_INTEGRATION", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.RUNNER_SCM_INTEGRATION }] });
    const { id } = await ctx.client(RunnerConfigurationService).createSCMIntegration({ runnerId, scmId: "gitlab", host: "events.example.com", pat: true });
    const seen = await watch.until(`the integration ${id}`, about(id));
    assert.equal(describeEvent(seen.at(-1)!), `CREATE RUNNER_SCM_INTEGRATION ${id}`);
  }),
  define("WatchEvents", "host-token-create-seen", "a CreateHostAuthenticationToken is seen as CREATE of RESOURCE_TYPE_HOST_AUTHENTICATION_TOKEN", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const watch = await openWatch(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.HOST_AUTHENTICATION_TOKEN }] });
    const { token } = await ctx.client(RunnerConfigurationService).createHostAuthenticationToken({
      runnerId,
      host: "github.com",
      token: "ghp_events",
      source: HostAuthenticationTokenSource.PAT,
    });
    const id = token!.id;
    const seen = await watch.until(`the token ${id}`, about(id));
    assert.equal(describeEvent(seen.at(-1)!), `CREATE HOST_AUTHENTICATION_TOKEN ${id}`);
  }),
  define("WatchEvents", "environment-scope-only-its-environment", "scoped to one environment, the stream leaves other environments out", async (ctx) => {
    const a = await createEnvironment(ctx);
    const b = await createEnvironment(ctx);
    const watch = await openWatch(ctx, events(ctx), { scope: { case: "environmentId", value: a } });
    const envs = ctx.client(EnvironmentService);
    await envs.updateEnvironment({ environmentId: b, metadata: { name: ctx.uniqueName("b renamed") } });
    await envs.updateEnvironment({ environmentId: a, metadata: { name: ctx.uniqueName("a renamed") } });
    const seen = await watch.until(`the UPDATE of ${a}`, is(ResourceOperation.UPDATE, ResourceType.ENVIRONMENT, a), 30_000);
    assert.ok(!seen.some(about(b)), `the other environment is left out; got: ${seen.map(describeEvent).join(", ")}`);
    assert.ok(seen.filter((e) => e.resourceType === ResourceType.ENVIRONMENT).every(about(a)), "environment events are of the scoped one only");
  }, { timeoutMs: 45_000 }),
  define("WatchEvents", "environment-scope-unknown-not-found", "scoped to an unknown environment, the stream is not_found", async (ctx) => {
    await expectStreamCode(ctx, events(ctx), { scope: { case: "environmentId", value: newId() } }, Code.NotFound);
  }),
  define("WatchEvents", "environment-scope-not-uuid-invalid", "an environment_id that is no UUID is invalid_argument naming environment_id", async (ctx) => {
    await expectStreamCode(ctx, events(ctx), { scope: { case: "environmentId", value: "nope" } }, Code.InvalidArgument, { field: "environment_id" });
  }),
  define("WatchEvents", "organization-false-invalid", "organization: false is invalid_argument naming organization", async (ctx) => {
    await expectStreamCode(ctx, events(ctx), { scope: { case: "organization", value: false } }, Code.InvalidArgument, { field: "organization" });
  }),
  define("WatchEvents", "unspecified-resource-type-invalid", "a resource type filter of RESOURCE_TYPE_UNSPECIFIED is invalid_argument naming it", async (ctx) => {
    await expectStreamCode(ctx, events(ctx), { ...organizationScope, resourceTypeFilters: [{ resourceType: ResourceType.UNSPECIFIED }] }, Code.InvalidArgument, {
      field: "resource_type_filters[0].resource_type",
    });
  }),
  define("WatchEvents", "runner-token-sees-only-its-own", "a runner's stream shows its own runner's events, not another runner's committed first", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const watch = await openWatch(ctx, ctx.clientWithToken(EventService, own.exchangeToken), organizationScope);
    await ctx.client(RunnerService).updateRunner({ runnerId: other.runnerId, name: ctx.uniqueName("other") });
    await ctx.client(RunnerService).updateRunner({ runnerId: own.runnerId, name: ctx.uniqueName("own") });
    const seen = await watch.until(`an event of ${own.runnerId}`, about(own.runnerId));
    assert.ok(!seen.some(about(other.runnerId)), "another runner's event is left out");
    assert.equal(describeEvent(seen.at(-1)!), `UPDATE RUNNER ${own.runnerId}`);
  }),
  define("WatchEvents", "other-organization-does-not-see-our-events", "another organization's stream never sees our events", async (ctx) => {
    const other = otherOrganization(ctx);
    const watch = await openWatch(ctx, other.client(EventService), organizationScope);
    const ours = await createTestRunner(ctx);
    await ctx.client(RunnerService).updateRunner({ runnerId: ours.runnerId, name: ctx.uniqueName("ours") });
    // A write of the other organization, committed after ours: everything before it has been delivered.
    const theirRunners = other.client(RunnerService);
    const { runner } = await theirRunners.createRunner({ name: ctx.uniqueName("theirs"), provider: RunnerProvider.GCP });
    const theirs = runner!.runnerId;
    ctx.cleanup(() => ignoreNotFound(theirRunners.deleteRunner({ runnerId: theirs, force: true })));
    const seen = await watch.until(`the other organization's own runner ${theirs}`, about(theirs));
    assert.ok(!seen.some(about(ours.runnerId)), "our runner's events do not reach the other organization");
  }, isolation),
  define("WatchEvents", "other-organization-environment-scope-not-found", "another organization scoping to our environment is not_found", async (ctx) => {
    const environmentId = await createEnvironment(ctx);
    await expectStreamCode(ctx, otherOrganization(ctx).client(EventService), { scope: { case: "environmentId", value: environmentId } }, Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(
    define,
    EventService,
    "WatchEvents",
    async (client) => {
      for await (const event of client.watchEvents(organizationScope, { signal: AbortSignal.timeout(eventWaitMs) })) return event;
      return undefined;
    },
    { wrongToken: true },
  ),
];
