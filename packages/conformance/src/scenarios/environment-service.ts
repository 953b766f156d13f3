// EnvironmentService: every RPC's documented behaviour (packages/server/README.md, "Semantics:
// EnvironmentService" and "The lifecycle model") — answers, errors, list filters and pages,
// lifecycle transitions, tokens, archival, ports and isolation between organizations. Each
// scenario makes its own environments (names from ctx.uniqueName, force-deleted afterwards) and
// filters every list by them, so it runs beside any other scenario on any target.
import assert from "node:assert/strict";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { CountResponseRelation } from "@gitpod-connect/schema/gitpod/v1/count";
import {
  AdmissionLevel,
  EnvironmentPhase,
  EnvironmentRole,
  EnvironmentService,
  EnvironmentStatus_ContentPhase as ContentPhase,
  EnvironmentStatus_Machine_Phase as MachinePhase,
  GitInitializer_CloneTargetMode as CloneTargetMode,
  ListEnvironmentsRequest_ArchivalStatus as ArchivalStatus,
  ListEnvironmentsRequest_SortField as SortField,
  type Environment,
  type ListEnvironmentsRequestSchema,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService, ServicePhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { IdentityService, Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { SortOrder } from "@gitpod-connect/schema/gitpod/v1/pagination";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerKind } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { expectCode } from "../expect.js";
import type { Scenario, ScenarioContext } from "../scenario.js";
import {
  collectPages,
  contextSpec,
  createEnvironment,
  beingDeletedScenarios,
  createRunningEnvironment,
  createRunningService,
  createService,
  createStoppedEnvironment,
  createTask,
  environments,
  findEnvironment,
  getEnvironment,
  idErrorScenarios,
  idsOf,
  stopToStopped,
  tamper,
  unknownId,
  waitForEnvironment,
  waitForPhase,
  waitForServicePhase,
  waitUntilGone,
  type Caller,
  type EnvironmentClient,
  type IdRpc,
  type Init,
  callerId,
  needsSecondOrganization,
  needsTestingControls,
  scenarioFactory,
  uuidPattern,
} from "./environment-support.js";

const sha1 = /^[0-9a-f]{40}$/;
const scenario = scenarioFactory("EnvironmentService", false);

type ListRequest = Init<typeof ListEnvironmentsRequestSchema>;

/** The ids ListEnvironments answers for `request` (one page of up to 100). */
async function listed(ctx: ScenarioContext, request: ListRequest): Promise<string[]> {
  const { environments: found } = await environments(ctx).listEnvironments({ pagination: { pageSize: 100 }, ...request });
  return idsOf(found);
}

const sorted = (ids: readonly string[]) => [...ids].sort();


/** Our environment for an isolation scenario, and the check that the other caller changed nothing. */
async function isolatedEnvironment(ctx: ScenarioContext): Promise<{ id: string; unchanged: () => Promise<void> }> {
  const created = await createEnvironment(ctx);
  return {
    id: created.id,
    async unchanged() {
      const now = await getEnvironment(ctx, created.id);
      assert.equal(now.metadata?.name, created.metadata?.name, "the other organization's call renamed it");
      assert.equal(now.spec?.specVersion, created.spec?.specVersion, "the other organization's call changed its spec");
      assert.equal(now.spec?.desiredPhase, EnvironmentPhase.RUNNING, "the other organization's call changed its desired phase");
      assert.equal(now.metadata?.archivedAt, undefined, "the other organization's call archived it");
    },
  };
}

function environmentIdRpc(rpc: string, call: (caller: Caller, environmentId: string) => Promise<unknown>): IdRpc {
  return { service: "EnvironmentService", rpc, field: "environment_id", noun: "environment", call, target: isolatedEnvironment };
}

/** AllowPortAccess is deprecated, and still an RPC of the API with documented behaviour. */
function allowPortAccess(client: EnvironmentClient, request: { environmentId: string; port: number }) {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- proving the deprecated RPC is the point
  return client.allowPortAccess(request);
}

const idRpcs: IdRpc[] = [
  environmentIdRpc("GetEnvironment", (c, environmentId) => c(EnvironmentService).getEnvironment({ environmentId })),
  environmentIdRpc("StartEnvironment", (c, environmentId) => c(EnvironmentService).startEnvironment({ environmentId })),
  environmentIdRpc("StopEnvironment", (c, environmentId) => c(EnvironmentService).stopEnvironment({ environmentId })),
  environmentIdRpc("UpdateEnvironment", (c, environmentId) => c(EnvironmentService).updateEnvironment({ environmentId, metadata: { name: "renamed" } })),
  environmentIdRpc("DeleteEnvironment", (c, environmentId) => c(EnvironmentService).deleteEnvironment({ environmentId })),
  environmentIdRpc("CreateEnvironmentLogsToken", (c, environmentId) => c(EnvironmentService).createEnvironmentLogsToken({ environmentId })),
  environmentIdRpc("CreateEnvironmentAccessToken", (c, environmentId) => c(EnvironmentService).createEnvironmentAccessToken({ environmentId })),
  environmentIdRpc("MarkEnvironmentActive", (c, environmentId) =>
    c(EnvironmentService).markEnvironmentActive({ environmentId, activitySignal: { source: "VS Code" } }),
  ),
  environmentIdRpc("UnarchiveEnvironment", (c, environmentId) => c(EnvironmentService).unarchiveEnvironment({ environmentId })),
  environmentIdRpc("ArchiveEnvironment", (c, environmentId) => c(EnvironmentService).archiveEnvironment({ environmentId })),
  environmentIdRpc("CreatePortAccessToken", (c, environmentId) => c(EnvironmentService).createPortAccessToken({ environmentId, port: 3000 })),
  environmentIdRpc("AllowPortAccess", (c, environmentId) => allowPortAccess(c(EnvironmentService), { environmentId, port: 3000 })),
  {
    service: "EnvironmentService",
    rpc: "CreateEnvironmentFromProject",
    field: "project_id",
    noun: "project",
    notFoundNames: "project_id",
    call: (c, projectId) => c(EnvironmentService).createEnvironmentFromProject({ projectId }),
  },
];

// ---- GetEnvironment ----------------------------------------------------------------------------

const getEnvironmentScenarios: Scenario[] = [
  scenario("GetEnvironment", "answers-the-environment", "answers the environment as CreateEnvironment made it", async (ctx) => {
    const created = await createEnvironment(ctx);
    const found = await getEnvironment(ctx, created.id);
    assert.equal(found.id, created.id);
    assert.deepEqual(found.metadata, created.metadata);
    assert.equal(found.spec?.machine?.class, ctx.fixtures.environmentClassId);
    assert.equal(found.spec?.specVersion, 1n);
  }),
  scenario("GetEnvironment", "invalid-token-unauthenticated", "a bearer token the target never issued is unauthenticated", async (ctx) => {
    const client = ctx.clientWithToken(EnvironmentService, `not-a-token-${unknownId()}`);
    await expectCode(client.getEnvironment({ environmentId: unknownId() }), Code.Unauthenticated);
  }),
  scenario("GetEnvironment", "force-deleted-not-found", "a force-deleted environment is not_found at once", async (ctx) => {
    const created = await createEnvironment(ctx);
    await environments(ctx).deleteEnvironment({ environmentId: created.id, force: true });
    await expectCode(environments(ctx).getEnvironment({ environmentId: created.id }), Code.NotFound);
  }),
];

// ---- ListEnvironments --------------------------------------------------------------------------

/** `count` environments whose names share a unique tag (so `search: tag` finds exactly them), oldest first. */
async function taggedEnvironments(ctx: ScenarioContext, count: number): Promise<{ tag: string; created: Environment[] }> {
  const tag = ctx.uniqueName("conformance-list");
  const created: Environment[] = [];
  for (let i = 0; i < count; i++) created.push(await createEnvironment(ctx, { name: `${tag}-${i}` }));
  return { tag, created };
}

const listEnvironmentsScenarios: Scenario[] = [
  scenario("ListEnvironments", "pagination-across-pages", "page_size 2 pages through every match once; the last page has no next_token", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 3);
    const pages = await collectPages(async (token) => {
      const r = await environments(ctx).listEnvironments({ filter: { search: tag }, pagination: { pageSize: 2, token } });
      return { ids: idsOf(r.environments), nextToken: r.pagination?.nextToken ?? "" };
    });
    assert.ok(pages.length >= 2, `3 matches with page_size 2 came in ${pages.length} page(s)`);
    for (const page of pages) assert.ok(page.length <= 2, `a page of ${page.length} with page_size 2`);
    const all = pages.flat();
    assert.equal(new Set(all).size, all.length, `an environment was listed twice: ${all.join(", ")}`);
    assert.deepEqual(sorted(all), sorted(idsOf(created)));
  }),
  scenario("ListEnvironments", "newest-first-by-default", "without a sort, environments come by id descending: newest first", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 3);
    assert.deepEqual(await listed(ctx, { filter: { search: tag } }), idsOf(created).reverse());
  }),
  scenario("ListEnvironments", "sort-ascending", "sort.order ASC lists oldest first", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 3);
    assert.deepEqual(await listed(ctx, { filter: { search: tag }, sort: { field: SortField.ID, order: SortOrder.ASC } }), idsOf(created));
  }),
  scenario("ListEnvironments", "count-on-first-page", "count.include adds an exact count (EQ) to the first page only", async (ctx) => {
    const { tag } = await taggedEnvironments(ctx, 3);
    const client = environments(ctx);
    const first = await client.listEnvironments({ filter: { search: tag }, pagination: { pageSize: 2 }, count: { include: true } });
    assert.equal(first.count?.value, 3);
    assert.equal(first.count?.relation, CountResponseRelation.EQ);
    const token = first.pagination?.nextToken ?? "";
    assert.notEqual(token, "", "the first of two pages has no next_token");
    const second = await client.listEnvironments({ filter: { search: tag }, pagination: { pageSize: 2, token }, count: { include: true } });
    assert.equal(second.count, undefined, "a later page carries a count");
    assert.equal((await client.listEnvironments({ filter: { search: tag } })).count, undefined, "a count nobody asked for");
  }),
  scenario("ListEnvironments", "filter-search", "search matches name (case-insensitively), branch and id", async (ctx) => {
    const tag = ctx.uniqueName("conformance-search");
    const branch = `branch${unknownId().slice(0, 8)}`;
    const a = await createEnvironment(ctx, { name: tag, spec: contextSpec(ctx, `https://github.com/gitpod-io/gitpod/tree/${branch}`) });
    const b = await createEnvironment(ctx);
    assert.deepEqual(await listed(ctx, { filter: { search: tag.toUpperCase() } }), [a.id]);
    assert.deepEqual(await listed(ctx, { filter: { search: branch } }), [a.id]);
    assert.deepEqual(await listed(ctx, { filter: { search: b.id } }), [b.id]);
  }),
  scenario("ListEnvironments", "filter-creator-ids", "creator_ids keeps only environments those subjects created", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 2);
    const me = await callerId(ctx);
    assert.deepEqual(sorted(await listed(ctx, { filter: { search: tag, creatorIds: [me] } })), sorted(idsOf(created)));
    assert.deepEqual(await listed(ctx, { filter: { search: tag, creatorIds: [unknownId()] } }), []);
    assert.deepEqual(sorted(await listed(ctx, { filter: { search: tag, creatorIds: [unknownId(), me] } })), sorted(idsOf(created)), "a list is an OR");
  }),
  scenario("ListEnvironments", "filter-runner-ids", "runner_ids keeps only environments on those runners", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 2);
    assert.deepEqual(sorted(await listed(ctx, { filter: { search: tag, runnerIds: [ctx.fixtures.runnerId] } })), sorted(idsOf(created)));
    assert.deepEqual(await listed(ctx, { filter: { search: tag, runnerIds: [unknownId()] } }), []);
  }),
  scenario("ListEnvironments", "filter-runner-kinds", "runner_kinds matches the kind of the environment's runner", async (ctx) => {
    const { runner } = await ctx.client(RunnerService).getRunner({ runnerId: ctx.fixtures.runnerId });
    const kind = runner?.kind ?? RunnerKind.UNSPECIFIED;
    if (kind === RunnerKind.UNSPECIFIED) ctx.skip("the discovered runner reports no kind");
    const { tag, created } = await taggedEnvironments(ctx, 1);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- any kind but the runner's will do
    const otherKind = kind === RunnerKind.REMOTE ? RunnerKind.LOCAL : RunnerKind.REMOTE;
    assert.deepEqual(await listed(ctx, { filter: { search: tag, runnerKinds: [kind] } }), idsOf(created));
    assert.deepEqual(await listed(ctx, { filter: { search: tag, runnerKinds: [otherKind] } }), []);
  }),
  scenario("ListEnvironments", "filter-project-ids", "project_ids keeps only environments of those projects", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 1);
    assert.deepEqual(await listed(ctx, { filter: { search: tag } }), idsOf(created));
    assert.deepEqual(await listed(ctx, { filter: { search: tag, projectIds: [unknownId()] } }), []);
  }),
  scenario("ListEnvironments", "filter-roles", "roles matches the environment's role (DEFAULT for a created one)", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 1);
    assert.deepEqual(await listed(ctx, { filter: { search: tag, roles: [EnvironmentRole.DEFAULT] } }), idsOf(created));
    assert.deepEqual(await listed(ctx, { filter: { search: tag, roles: [EnvironmentRole.PREBUILD] } }), []);
  }),
  scenario("ListEnvironments", "filter-session-ids", "session_ids keeps only environments of those sessions", async (ctx) => {
    const tag = ctx.uniqueName("conformance-session");
    const sessionId = unknownId();
    const inSession = await createEnvironment(ctx, { name: `${tag}-a`, sessionId });
    await createEnvironment(ctx, { name: `${tag}-b` });
    assert.equal(inSession.metadata?.sessionId, sessionId);
    assert.deepEqual(await listed(ctx, { filter: { search: tag, sessionIds: [sessionId] } }), [inSession.id]);
  }),
  scenario("ListEnvironments", "filter-created-before", "created_before keeps only environments created before that time", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 2);
    const [first, second] = created as [Environment, Environment];
    const firstAt = timestampMs(first.metadata!.createdAt!);
    const secondAt = timestampMs(second.metadata!.createdAt!);
    assert.deepEqual(await listed(ctx, { filter: { search: tag, createdBefore: timestampFromMs(firstAt - 1_000) } }), []);
    assert.deepEqual(sorted(await listed(ctx, { filter: { search: tag, createdBefore: timestampFromMs(secondAt + 1_000) } })), sorted(idsOf(created)));
    if (secondAt > firstAt) assert.deepEqual(await listed(ctx, { filter: { search: tag, createdBefore: second.metadata!.createdAt! } }), [first.id]);
  }),
  scenario(
    "ListEnvironments",
    "filter-status-phases",
    "status_phases keeps only environments in those phases",
    async (ctx) => {
      const tag = ctx.uniqueName("conformance-phase");
      const running = await createRunningEnvironment(ctx, { name: `${tag}-running` });
      const stopped = await createStoppedEnvironment(ctx, { name: `${tag}-stopped` });
      await waitForPhase(ctx, running.id, EnvironmentPhase.RUNNING);
      assert.deepEqual(await listed(ctx, { filter: { search: tag, statusPhases: [EnvironmentPhase.STOPPED] } }), [stopped.id]);
      assert.deepEqual(await listed(ctx, { filter: { search: tag, statusPhases: [EnvironmentPhase.RUNNING] } }), [running.id]);
      assert.deepEqual(
        sorted(await listed(ctx, { filter: { search: tag, statusPhases: [EnvironmentPhase.RUNNING, EnvironmentPhase.STOPPED] } })),
        sorted([running.id, stopped.id]),
      );
      assert.deepEqual(await listed(ctx, { filter: { search: tag, statusPhases: [EnvironmentPhase.DELETING] } }), []);
    },
    { slow: true },
  ),
  scenario(
    "ListEnvironments",
    "filter-archival-status",
    "archived environments are listed only with ARCHIVED or ALL; unset means ACTIVE",
    async (ctx) => {
      const tag = ctx.uniqueName("conformance-archive");
      const active = await createEnvironment(ctx, { name: `${tag}-active` });
      const archived = await createStoppedEnvironment(ctx, { name: `${tag}-archived` });
      await environments(ctx).archiveEnvironment({ environmentId: archived.id });
      assert.deepEqual(await listed(ctx, { filter: { search: tag } }), [active.id]);
      assert.deepEqual(await listed(ctx, { filter: { search: tag, archivalStatus: ArchivalStatus.ACTIVE } }), [active.id]);
      assert.deepEqual(await listed(ctx, { filter: { search: tag, archivalStatus: ArchivalStatus.ARCHIVED } }), [archived.id]);
      assert.deepEqual(sorted(await listed(ctx, { filter: { search: tag, archivalStatus: ArchivalStatus.ALL } })), sorted([active.id, archived.id]));
    },
    { slow: true },
  ),
  scenario(
    "ListEnvironments",
    "sort-by-archived-at",
    "SORT_FIELD_ARCHIVED_AT orders by archival time, newest first by default and oldest first with ASC",
    async (ctx) => {
      const tag = ctx.uniqueName("conformance-archived-at");
      const a = await createStoppedEnvironment(ctx, { name: `${tag}-a` });
      const b = await createStoppedEnvironment(ctx, { name: `${tag}-b` });
      for (const e of [a, b]) await environments(ctx).archiveEnvironment({ environmentId: e.id });
      const filter = { search: tag, archivalStatus: ArchivalStatus.ARCHIVED };
      const archivedAt = async (order: SortOrder) => {
        const { environments: found } = await environments(ctx).listEnvironments({ filter, sort: { field: SortField.ARCHIVED_AT, order } });
        assert.deepEqual(sorted(idsOf(found)), sorted([a.id, b.id]));
        return found.map((e) => timestampMs(e.metadata!.archivedAt!));
      };
      const descending = await archivedAt(SortOrder.UNSPECIFIED);
      assert.ok(descending[0]! >= descending[1]!, `default order is not newest first: ${descending.join(" then ")}`);
      const ascending = await archivedAt(SortOrder.ASC);
      assert.ok(ascending[0]! <= ascending[1]!, `ASC is not oldest first: ${ascending.join(" then ")}`);
    },
    { slow: true },
  ),
  scenario("ListEnvironments", "filter-lockdown-before", "lockdown_before matches lockdown times before it; environments without one never match", async (ctx) => {
    const { tag, created } = await taggedEnvironments(ctx, 2);
    const [locked] = created as [Environment, Environment];
    const lockdownMs = timestampMs(locked.metadata!.createdAt!) + 30 * 24 * 3_600_000;
    try {
      await environments(ctx).updateEnvironment({ environmentId: locked.id, metadata: { lockdownAt: timestampFromMs(lockdownMs) } });
    } catch (error) {
      if (ConnectError.from(error).code === Code.PermissionDenied) ctx.skip("the token is no organization admin");
      throw error;
    }
    assert.deepEqual(await listed(ctx, { filter: { search: tag, lockdownBefore: timestampFromMs(lockdownMs + 60_000) } }), [locked.id]);
    assert.deepEqual(await listed(ctx, { filter: { search: tag, lockdownBefore: timestampFromMs(lockdownMs - 60_000) } }), []);
  }),
  scenario("ListEnvironments", "filters-combine-with-and", "filters combine with AND: a matching and a non-matching criterion find nothing", async (ctx) => {
    const { tag } = await taggedEnvironments(ctx, 1);
    const me = await callerId(ctx);
    assert.deepEqual(await listed(ctx, { filter: { search: tag, creatorIds: [me], runnerIds: [unknownId()] } }), []);
  }),
  scenario("ListEnvironments", "tampered-page-token-invalid-argument", "a tampered page token is invalid_argument naming pagination.token", async (ctx) => {
    const { tag } = await taggedEnvironments(ctx, 2);
    const first = await environments(ctx).listEnvironments({ filter: { search: tag }, pagination: { pageSize: 1 } });
    const token = first.pagination?.nextToken ?? "";
    assert.notEqual(token, "", "the first of two pages has no next_token");
    await expectCode(environments(ctx).listEnvironments({ filter: { search: tag }, pagination: { pageSize: 1, token: tamper(token) } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
  }),
  scenario("ListEnvironments", "page-token-bound-to-filter", "a page token used with another filter is invalid_argument naming pagination.token", async (ctx) => {
    const { tag } = await taggedEnvironments(ctx, 2);
    const first = await environments(ctx).listEnvironments({ filter: { search: tag }, pagination: { pageSize: 1 } });
    const token = first.pagination?.nextToken ?? "";
    assert.notEqual(token, "", "the first of two pages has no next_token");
    await expectCode(
      environments(ctx).listEnvironments({ filter: { search: tag, statusPhases: [EnvironmentPhase.RUNNING] }, pagination: { pageSize: 1, token } }),
      Code.InvalidArgument,
      { field: "pagination.token" },
    );
  }),
  scenario("ListEnvironments", "page-size-over-100-invalid-argument", "page_size above 100 is invalid_argument naming pagination.page_size", async (ctx) => {
    await expectCode(environments(ctx).listEnvironments({ pagination: { pageSize: 101 } }), Code.InvalidArgument, { field: "pagination.page_size" });
  }),
  scenario("ListEnvironments", "malformed-filter-id-invalid-argument", "a runner id in the filter that is no UUID is invalid_argument naming it", async (ctx) => {
    await expectCode(environments(ctx).listEnvironments({ filter: { runnerIds: ["not-a-uuid"] } }), Code.InvalidArgument, { field: "filter.runner_ids[0]" });
  }),
  scenario("ListEnvironments", "unauthenticated-without-token", "a call without a bearer token is unauthenticated", async (ctx) => {
    await expectCode(ctx.clientWithToken(EnvironmentService, undefined).listEnvironments({}), Code.Unauthenticated);
  }),
  scenario(
    "ListEnvironments",
    "other-organization-lists-none-of-ours",
    "another organization's caller lists none of our environments, whatever the filter names",
    async (ctx) => {
      const other = ctx.otherOrganization ?? ctx.skip("no second organization");
      const { tag, created } = await taggedEnvironments(ctx, 1);
      const theirs = other.client(EnvironmentService);
      const filter = { search: tag, archivalStatus: ArchivalStatus.ALL };
      assert.deepEqual(idsOf((await theirs.listEnvironments({ filter })).environments), []);
      assert.deepEqual(idsOf((await theirs.listEnvironments({ filter: { ...filter, runnerIds: [ctx.fixtures.runnerId] } })).environments), []);
      assert.deepEqual(await listed(ctx, { filter }), idsOf(created), "our own list lost it");
    },
    { needs: needsSecondOrganization },
  ),
  scenario(
    "ListEnvironments",
    "other-organization-page-token-rejected",
    "our page token is no page for another organization's caller (rejected, never a page)",
    async (ctx) => {
      const other = ctx.otherOrganization ?? ctx.skip("no second organization");
      const { tag } = await taggedEnvironments(ctx, 2);
      const first = await environments(ctx).listEnvironments({ filter: { search: tag }, pagination: { pageSize: 1 } });
      const token = first.pagination?.nextToken ?? "";
      assert.notEqual(token, "", "the first of two pages has no next_token");
      const call = other.client(EnvironmentService).listEnvironments({ filter: { search: tag }, pagination: { pageSize: 1, token } });
      // The README binds tokens to the organization without naming the code: the kit accepts
      // invalid_argument (a token not issued for this caller) and not_found (isolation's code).
      try {
        const page = await call;
        assert.fail(`another organization got a page for our token: ${idsOf(page.environments).join(", ") || "(empty)"}`);
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        const code = ConnectError.from(error).code;
        assert.ok(code === Code.InvalidArgument || code === Code.NotFound, `expected invalid_argument or not_found, got ${Code[code]}`);
      }
    },
    { needs: needsSecondOrganization },
  ),
];

// ---- ListEnvironmentClasses --------------------------------------------------------------------

const listEnvironmentClassesScenarios: Scenario[] = [
  scenario("ListEnvironmentClasses", "lists-the-discovered-class", "lists the discovered class, enabled, on its runner", async (ctx) => {
    const pages = await collectPages(async (token) => {
      const r = await environments(ctx).listEnvironmentClasses({ pagination: { pageSize: 100, token } });
      const found = r.environmentClasses.find((c) => c.id === ctx.fixtures.environmentClassId);
      if (found) {
        assert.equal(found.runnerId, ctx.fixtures.runnerId);
        assert.equal(found.enabled, true);
      }
      return { ids: idsOf(r.environmentClasses), nextToken: r.pagination?.nextToken ?? "" };
    });
    assert.ok(pages.flat().includes(ctx.fixtures.environmentClassId), "the discovered class is not listed");
  }),
  scenario("ListEnvironmentClasses", "same-as-runner-configuration-service", "answers as RunnerConfigurationService.ListEnvironmentClasses does", async (ctx) => {
    const request = { filter: { runnerIds: [ctx.fixtures.runnerId] }, pagination: { pageSize: 100 } };
    const ours = await environments(ctx).listEnvironmentClasses(request);
    const theirs = await ctx.client(RunnerConfigurationService).listEnvironmentClasses(request);
    assert.deepEqual(idsOf(ours.environmentClasses), idsOf(theirs.environmentClasses));
    assert.ok(idsOf(ours.environmentClasses).includes(ctx.fixtures.environmentClassId));
  }),
  scenario("ListEnvironmentClasses", "filter-runner-ids", "runner_ids keeps only those runners' classes", async (ctx) => {
    const { environmentClasses } = await environments(ctx).listEnvironmentClasses({ filter: { runnerIds: [ctx.fixtures.runnerId] }, pagination: { pageSize: 100 } });
    assert.ok(environmentClasses.length > 0);
    for (const c of environmentClasses) assert.equal(c.runnerId, ctx.fixtures.runnerId);
    const none = await environments(ctx).listEnvironmentClasses({ filter: { runnerIds: [unknownId()] } });
    assert.deepEqual(idsOf(none.environmentClasses), []);
  }),
  scenario("ListEnvironmentClasses", "pagination-across-pages", "page_size 1 pages through the classes once each; the last page has no next_token", async (ctx) => {
    const pages = await collectPages(async (token) => {
      const r = await environments(ctx).listEnvironmentClasses({ pagination: { pageSize: 1, token } });
      return { ids: idsOf(r.environmentClasses), nextToken: r.pagination?.nextToken ?? "" };
    }, 500);
    for (const page of pages) assert.ok(page.length <= 1, `a page of ${page.length} with page_size 1`);
    const all = pages.flat();
    assert.equal(new Set(all).size, all.length, "a class was listed twice");
    assert.ok(all.includes(ctx.fixtures.environmentClassId));
  }),
  scenario("ListEnvironmentClasses", "unauthenticated-without-token", "a call without a bearer token is unauthenticated", async (ctx) => {
    await expectCode(ctx.clientWithToken(EnvironmentService, undefined).listEnvironmentClasses({}), Code.Unauthenticated);
  }),
  scenario(
    "ListEnvironmentClasses",
    "other-organization-lists-none-of-ours",
    "another organization's caller does not see our class",
    async (ctx) => {
      const other = ctx.otherOrganization ?? ctx.skip("no second organization");
      const pages = await collectPages(async (token) => {
        const r = await other.client(EnvironmentService).listEnvironmentClasses({ pagination: { pageSize: 100, token } });
        return { ids: idsOf(r.environmentClasses), nextToken: r.pagination?.nextToken ?? "" };
      });
      assert.ok(!pages.flat().includes(ctx.fixtures.environmentClassId), "another organization lists our class");
    },
    { needs: needsSecondOrganization },
  ),
];

// ---- CreateEnvironment -------------------------------------------------------------------------

const createEnvironmentScenarios: Scenario[] = [
  scenario("CreateEnvironment", "answers-server-set-fields", "answers the new environment: server-set metadata, spec version 1, desired RUNNING, CREATING", async (ctx) => {
    const url = "https://github.com/gitpod-io/gitpod";
    const name = ctx.uniqueName("conformance");
    const e = await createEnvironment(ctx, { name, spec: contextSpec(ctx, url), annotations: { suite: "conformance" } });
    assert.match(e.id, uuidPattern);
    const m = e.metadata;
    assert.ok(m);
    assert.equal(m.organizationId, ctx.fixtures.organizationId);
    assert.equal(m.creator?.id, await callerId(ctx));
    assert.equal(m.runnerId, ctx.fixtures.runnerId);
    assert.equal(m.role, EnvironmentRole.DEFAULT);
    assert.equal(m.name, name);
    assert.equal(m.originalContextUrl, url);
    assert.deepEqual(m.annotations, { suite: "conformance" });
    assert.notEqual(m.sessionId, "", "no session_id");
    assert.ok(m.createdAt, "no created_at");
    assert.deepEqual(m.lastStartedAt, m.createdAt, "last_started_at is not created_at");
    assert.equal(e.spec?.specVersion, 1n);
    assert.equal(e.spec?.desiredPhase, EnvironmentPhase.RUNNING);
    assert.equal(e.spec?.machine?.class, ctx.fixtures.environmentClassId);
    for (const [part, session] of Object.entries({
      machine: e.spec?.machine?.session,
      content: e.spec?.content?.session,
      devcontainer: e.spec?.devcontainer?.session,
      automations_file: e.spec?.automationsFile?.session,
    })) {
      assert.ok(session, `spec.${part}.session is empty`);
    }
    assert.equal(e.status?.phase, EnvironmentPhase.CREATING);
    assert.deepEqual((await getEnvironment(ctx, e.id)).metadata, m);
  }),
  scenario("CreateEnvironment", "keeps-caller-session-and-markers", "keeps the session id and the session markers the caller chose", async (ctx) => {
    const sessionId = unknownId();
    const e = await createEnvironment(ctx, {
      sessionId,
      spec: { ...contextSpec(ctx), content: { session: "content-session", initializer: contextSpec(ctx).content!.initializer! } },
    });
    assert.equal(e.metadata?.sessionId, sessionId);
    assert.equal(e.spec?.content?.session, "content-session");
  }),
  scenario("CreateEnvironment", "name-defaults-to-repository", "without a name, the environment is named after its repository", async (ctx) => {
    const e = await createEnvironment(ctx, { name: undefined, spec: contextSpec(ctx, "https://github.com/gitpod-io/website") });
    assert.equal(e.metadata?.name, "website");
  }),
  scenario("CreateEnvironment", "name-defaults-to-environment", 'without a name or repository, the environment is named "environment"', async (ctx) => {
    const e = await createEnvironment(ctx, { name: undefined, spec: { machine: { class: ctx.fixtures.environmentClassId } } });
    assert.equal(e.metadata?.name, "environment");
  }),
  scenario("CreateEnvironment", "missing-class-invalid-argument", "a spec without machine class is invalid_argument naming spec.machine.class", async (ctx) => {
    await expectCode(environments(ctx).createEnvironment({ spec: {} }), Code.InvalidArgument, { field: "spec.machine.class" });
    await expectCode(environments(ctx).createEnvironment({}), Code.InvalidArgument, { field: "spec.machine.class" });
  }),
  scenario("CreateEnvironment", "unknown-class-not-found", "an unknown environment class is not_found naming spec.machine.class", async (ctx) => {
    await expectCode(environments(ctx).createEnvironment({ spec: { machine: { class: unknownId() } } }), Code.NotFound, { field: "spec.machine.class" });
  }),
  scenario("CreateEnvironment", "git-initializer-needs-remote-uri", "a Git initializer without remote_uri is invalid_argument naming its path", async (ctx) => {
    await expectCode(
      environments(ctx).createEnvironment({
        spec: { machine: { class: ctx.fixtures.environmentClassId }, content: { initializer: { specs: [{ spec: { case: "git", value: { remoteUri: "" } } }] } } },
      }),
      Code.InvalidArgument,
      { field: "spec.content.initializer.specs[0].git.remote_uri" },
    );
  }),
  scenario("CreateEnvironment", "duplicate-port-invalid-argument", "a port listed twice is invalid_argument naming the second", async (ctx) => {
    await expectCode(
      environments(ctx).createEnvironment({ spec: contextSpec(ctx, undefined, { ports: [{ port: 3000, name: "a" }, { port: 3000, name: "b" }] }) }),
      Code.InvalidArgument,
      { field: "spec.ports[1].port" },
    );
  }),
  scenario("CreateEnvironment", "port-below-1024-invalid-argument", "a port below 1024 is invalid_argument naming it", async (ctx) => {
    await expectCode(
      environments(ctx).createEnvironment({ spec: contextSpec(ctx, undefined, { ports: [{ port: 80, name: "http" }] }) }),
      Code.InvalidArgument,
      { field: "spec.ports[0].port" },
    );
  }),
  scenario("CreateEnvironment", "malformed-ssh-key-invalid-argument", "an SSH key that is no OpenSSH public key is invalid_argument naming it", async (ctx) => {
    await expectCode(
      environments(ctx).createEnvironment({ spec: contextSpec(ctx, undefined, { sshPublicKeys: [{ id: "k", value: "not a key" }] }) }),
      Code.InvalidArgument,
      { field: "spec.ssh_public_keys[0].value" },
    );
  }),
  scenario("CreateEnvironment", "malformed-session-id-invalid-argument", "a session_id that is no UUID is invalid_argument naming it", async (ctx) => {
    await expectCode(environments(ctx).createEnvironment({ spec: contextSpec(ctx), sessionId: "not-a-uuid" }), Code.InvalidArgument, { field: "session_id" });
  }),
  scenario(
    "CreateEnvironment",
    "runs-with-content-from-context-url",
    "reaches RUNNING with URLs and content.git from the context URL (branch from /tree/REF)",
    async (ctx) => {
      const url = "https://github.com/gitpod-io/gitpod/tree/develop";
      const created = await createEnvironment(ctx, { spec: contextSpec(ctx, url, { ports: [{ port: 3000, name: "web" }] }) });
      const running = await waitForPhase(ctx, created.id, EnvironmentPhase.RUNNING);
      const git = running.status?.content?.git;
      assert.equal(running.status?.content?.phase, ContentPhase.READY);
      assert.ok(git?.cloneUrl.includes("github.com/gitpod-io/gitpod"), `clone URL ${git?.cloneUrl}`);
      assert.equal(git?.branch, "develop");
      assert.match(git?.latestCommit ?? "", sha1);
      assert.equal(running.status?.machine?.phase, MachinePhase.RUNNING);
      const urls = running.status?.environmentUrls;
      assert.ok(urls?.logs, "a running environment has no logs URL");
      assert.deepEqual(urls.ports.map((p) => p.port), [3000]);
      assert.equal(running.status?.runnerAck?.specVersion, 1n);
    },
    { slow: true },
  ),
  scenario(
    "CreateEnvironment",
    "branch-defaults-to-main",
    "a context URL without /tree/REF checks out main",
    async (ctx) => {
      const created = await createEnvironment(ctx, { spec: contextSpec(ctx, "https://github.com/gitpod-io/gitpod") });
      const running = await waitForPhase(ctx, created.id, EnvironmentPhase.RUNNING);
      assert.equal(running.status?.content?.git?.branch, "main");
    },
    { slow: true },
  ),
  scenario(
    "CreateEnvironment",
    "git-initializer-commit",
    "a Git initializer gives content.git its remote_uri and the commit it names",
    async (ctx) => {
      const remoteUri = "https://github.com/gitpod-io/website.git";
      const commit = "0123456789abcdef0123456789abcdef01234567";
      const created = await createEnvironment(ctx, {
        spec: {
          machine: { class: ctx.fixtures.environmentClassId },
          content: { initializer: { specs: [{ spec: { case: "git", value: { remoteUri, cloneTarget: commit, targetMode: CloneTargetMode.REMOTE_COMMIT } } }] } },
        },
      });
      const running = await waitForPhase(ctx, created.id, EnvironmentPhase.RUNNING);
      assert.equal(running.status?.content?.git?.cloneUrl, remoteUri);
      assert.equal(running.status?.content?.git?.latestCommit, commit);
    },
    { slow: true },
  ),
  scenario("CreateEnvironment", "unauthenticated-without-token", "a call without a bearer token is unauthenticated", async (ctx) => {
    await expectCode(ctx.clientWithToken(EnvironmentService, undefined).createEnvironment({ spec: contextSpec(ctx) }), Code.Unauthenticated);
  }),
  scenario(
    "CreateEnvironment",
    "other-organization-class-not-found",
    "another organization's caller cannot use our environment class: not_found naming spec.machine.class",
    async (ctx) => {
      const other = ctx.otherOrganization ?? ctx.skip("no second organization");
      await expectCode(other.client(EnvironmentService).createEnvironment({ spec: contextSpec(ctx) }), Code.NotFound, { field: "spec.machine.class" });
    },
    { needs: needsSecondOrganization },
  ),
];

// ---- CreateEnvironmentFromProject --------------------------------------------------------------

const createEnvironmentFromProjectScenarios: Scenario[] = [
  scenario(
    "CreateEnvironmentFromProject",
    "other-organization-unknown-project",
    "for another organization's caller, a project id unknown to it is not_found too",
    async (ctx) => {
      const other = ctx.otherOrganization ?? ctx.skip("no second organization");
      await expectCode(other.client(EnvironmentService).createEnvironmentFromProject({ projectId: unknownId() }), Code.NotFound, { field: "project_id" });
    },
    { needs: needsSecondOrganization },
  ),
];

// ---- StartEnvironment --------------------------------------------------------------------------

const startEnvironmentScenarios: Scenario[] = [
  scenario(
    "StartEnvironment",
    "starts-a-stopped-environment",
    "starts a stopped environment again: RUNNING, a new spec version, last_started_at set",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).startEnvironment({ environmentId: stopped.id });
      const started = await getEnvironment(ctx, stopped.id);
      assert.equal(started.spec?.desiredPhase, EnvironmentPhase.RUNNING);
      assert.equal(started.spec?.specVersion, stopped.spec!.specVersion + 1n);
      assert.ok(timestampMs(started.metadata!.lastStartedAt!) >= timestampMs(stopped.metadata!.lastStartedAt!), "last_started_at went back");
      const running = await waitForPhase(ctx, stopped.id, EnvironmentPhase.RUNNING);
      assert.equal(running.status?.machine?.phase, MachinePhase.RUNNING);
      assert.equal(running.status?.content?.phase, ContentPhase.READY);
      assert.ok(running.status?.environmentUrls?.logs, "running again without URLs");
    },
    { slow: true },
  ),
  scenario(
    "StartEnvironment",
    "running-is-idempotent",
    "starting a running environment changes nothing",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      await environments(ctx).startEnvironment({ environmentId: running.id });
      await environments(ctx).startEnvironment({ environmentId: running.id });
      const now = await getEnvironment(ctx, running.id);
      assert.equal(now.spec?.specVersion, running.spec?.specVersion);
      assert.equal(now.status?.phase, EnvironmentPhase.RUNNING);
    },
    { slow: true },
  ),
  scenario("StartEnvironment", "starting-is-idempotent", "starting an environment that is still starting changes nothing", async (ctx) => {
    const created = await createEnvironment(ctx);
    await environments(ctx).startEnvironment({ environmentId: created.id });
    assert.equal((await getEnvironment(ctx, created.id)).spec?.specVersion, created.spec?.specVersion);
  }),
  scenario(
    "StartEnvironment",
    "while-stopping-finishes-stop-then-runs",
    "a start while the environment stops lets the stop finish, then it runs again",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      await environments(ctx).stopEnvironment({ environmentId: running.id });
      await environments(ctx).startEnvironment({ environmentId: running.id });
      const now = await getEnvironment(ctx, running.id);
      assert.equal(now.spec?.desiredPhase, EnvironmentPhase.RUNNING);
      assert.equal(now.spec?.specVersion, running.spec!.specVersion + 2n, "stop and start are one spec version each");
      await waitForEnvironment(ctx, running.id, "to run again with the latest spec", (e) => e.status?.phase === EnvironmentPhase.RUNNING && e.status.runnerAck?.specVersion === now.spec?.specVersion);
    },
    { slow: true },
  ),
  scenario(
    "StartEnvironment",
    "archived-failed-precondition",
    "starting an archived environment is failed_precondition",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).archiveEnvironment({ environmentId: stopped.id });
      await expectCode(environments(ctx).startEnvironment({ environmentId: stopped.id }), Code.FailedPrecondition);
      assert.equal((await getEnvironment(ctx, stopped.id)).spec?.desiredPhase, EnvironmentPhase.STOPPED);
    },
    { slow: true },
  ),
  ...beingDeletedScenarios(
    scenario,
    "StartEnvironment",
    "being-deleted-failed-precondition",
    "starting an environment that is being deleted is failed_precondition",
    async (ctx, environmentId) => {
      await expectCode(environments(ctx).startEnvironment({ environmentId }), Code.FailedPrecondition);
    },
    { slow: true },
  ),
  scenario(
    "StartEnvironment",
    "fires-start-triggers",
    "a start fires the postEnvironmentStart triggers: the service starts, the task gets an execution started by the trigger; manual ones stay",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      const onStart = [{ trigger: { case: "postEnvironmentStart" as const, value: true } }];
      const service = await createService(ctx, stopped.id, { metadata: { triggeredBy: onStart } });
      const manualService = await createService(ctx, stopped.id, { metadata: { triggeredBy: [{ trigger: { case: "manual", value: true } }] } });
      const task = await createTask(ctx, stopped.id, { metadata: { triggeredBy: onStart } });
      await environments(ctx).startEnvironment({ environmentId: stopped.id });
      await waitForServicePhase(ctx, service.id, ServicePhase.RUNNING);
      const automation = ctx.client(EnvironmentAutomationService);
      const { taskExecutions } = await automation.listTaskExecutions({ filter: { taskIds: [task.id] } });
      assert.deepEqual(taskExecutions.map((x) => x.metadata?.startedBy), ["postEnvironmentStart"]);
      assert.equal((await automation.getService({ id: manualService.id })).service?.spec?.desiredPhase, ServicePhase.STOPPED, "a manual trigger fired");
    },
    { slow: true },
  ),
  scenario(
    "StartEnvironment",
    "retries-after-failure",
    "after an injected machine failure the environment stops with the message; a start is a new attempt that runs",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const created = await createEnvironment(ctx);
      const message = `no capacity ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "environment", id: created.id, step: "machine", message });
      const failed = await waitForPhase(ctx, created.id, EnvironmentPhase.STOPPED);
      assert.ok(failed.status?.failureMessage.some((m) => m.includes(message)), `failure_message: ${JSON.stringify(failed.status?.failureMessage)}`);
      assert.ok(failed.status?.machine?.failureMessage.includes(message), `machine.failure_message: ${failed.status?.machine?.failureMessage}`);
      assert.equal(failed.spec?.desiredPhase, EnvironmentPhase.RUNNING, "a failed environment's desired phase changed");
      await environments(ctx).startEnvironment({ environmentId: created.id });
      const running = await waitForPhase(ctx, created.id, EnvironmentPhase.RUNNING);
      assert.deepEqual(running.status?.failureMessage, [], "the new attempt kept the old failure");
    },
    { slow: true, needs: needsTestingControls },
  ),
  scenario(
    "StartEnvironment",
    "content-failure-marks-content-failed",
    "an injected content failure marks the content FAILED with the message and the environment stops",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const created = await createEnvironment(ctx);
      const message = `repository not found ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "environment", id: created.id, step: "content", message });
      const failed = await waitForPhase(ctx, created.id, EnvironmentPhase.STOPPED);
      assert.equal(failed.status?.content?.phase, ContentPhase.FAILED);
      assert.ok(failed.status?.content?.failureMessage.includes(message), `content.failure_message: ${failed.status?.content?.failureMessage}`);
      assert.ok(failed.status?.failureMessage.some((m) => m.includes(message)));
    },
    { slow: true, needs: needsTestingControls },
  ),
  scenario(
    "StartEnvironment",
    "automations-file-failure-keeps-running",
    "an injected automations-file failure marks only the file FAILED: the environment runs on",
    async (ctx) => {
      const controls = ctx.controls ?? ctx.skip("no testing controls");
      const created = await createEnvironment(ctx);
      const message = `invalid YAML ${unknownId().slice(0, 8)}`;
      await controls.injectFailure({ kind: "environment", id: created.id, step: "automations_file", message });
      const running = await waitForPhase(ctx, created.id, EnvironmentPhase.RUNNING);
      assert.equal(running.status?.automationsFile?.phase, ContentPhase.FAILED);
      assert.ok(running.status?.automationsFile?.failureMessage.includes(message));
    },
    { slow: true, needs: needsTestingControls },
  ),
];

// ---- StopEnvironment ---------------------------------------------------------------------------

const stopEnvironmentScenarios: Scenario[] = [
  scenario(
    "StopEnvironment",
    "stops-a-running-environment",
    "stops a running environment: desired STOPPED, then STOPPED with the machine stopped, URLs cleared, content kept",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      await environments(ctx).stopEnvironment({ environmentId: running.id });
      const asked = await getEnvironment(ctx, running.id);
      assert.equal(asked.spec?.desiredPhase, EnvironmentPhase.STOPPED);
      assert.equal(asked.spec?.specVersion, running.spec!.specVersion + 1n);
      const stopped = await waitForPhase(ctx, running.id, EnvironmentPhase.STOPPED);
      assert.equal(stopped.status?.machine?.phase, MachinePhase.STOPPED);
      assert.equal(stopped.status?.content?.phase, ContentPhase.READY, "the content was not kept");
      assert.ok(!stopped.status?.environmentUrls?.logs && !stopped.status?.environmentUrls?.ports.length, "a stopped environment still has URLs");
    },
    { slow: true },
  ),
  scenario(
    "StopEnvironment",
    "stopped-is-idempotent",
    "stopping a stopped environment changes nothing",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).stopEnvironment({ environmentId: stopped.id });
      const now = await getEnvironment(ctx, stopped.id);
      assert.equal(now.spec?.specVersion, stopped.spec?.specVersion);
      assert.equal(now.status?.phase, EnvironmentPhase.STOPPED);
    },
    { slow: true },
  ),
  ...beingDeletedScenarios(
    scenario,
    "StopEnvironment",
    "being-deleted-failed-precondition",
    "stopping an environment that is being deleted is failed_precondition",
    async (ctx, environmentId) => {
      await expectCode(environments(ctx).stopEnvironment({ environmentId }), Code.FailedPrecondition);
    },
    { slow: true },
  ),
  scenario(
    "StopEnvironment",
    "stops-its-services",
    "the environment's running services stop with it",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      const service = await createRunningService(ctx, running.id);
      await stopToStopped(ctx, running.id);
      await waitForServicePhase(ctx, service.id, ServicePhase.STOPPED);
    },
    { slow: true },
  ),
];

// ---- UpdateEnvironment -------------------------------------------------------------------------

const sshKey = (n: string) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${n} conformance@host`;

const updateEnvironmentScenarios: Scenario[] = [
  scenario("UpdateEnvironment", "name-leaves-spec-version", "a new name changes the metadata only: spec_version stays", async (ctx) => {
    const created = await createEnvironment(ctx);
    const name = ctx.uniqueName("renamed");
    await environments(ctx).updateEnvironment({ environmentId: created.id, metadata: { name } });
    const now = await getEnvironment(ctx, created.id);
    assert.equal(now.metadata?.name, name);
    assert.equal(now.spec?.specVersion, created.spec?.specVersion);
  }),
  scenario("UpdateEnvironment", "spec-change-raises-spec-version", "a spec change raises spec_version by one and leaves unset parts alone", async (ctx) => {
    const created = await createEnvironment(ctx);
    await environments(ctx).updateEnvironment({ environmentId: created.id, spec: { content: { gitUsername: "octo", gitEmail: "octo@example.com" } } });
    const now = await getEnvironment(ctx, created.id);
    assert.equal(now.spec?.content?.gitUsername, "octo");
    assert.equal(now.spec?.content?.gitEmail, "octo@example.com");
    assert.equal(now.spec?.content?.session, created.spec?.content?.session, "an unset content session changed");
    assert.equal(now.spec?.specVersion, created.spec!.specVersion + 1n);
    assert.equal(now.metadata?.name, created.metadata?.name);
  }),
  scenario("UpdateEnvironment", "nothing-set-is-a-no-op", "a request that sets nothing changes nothing", async (ctx) => {
    const created = await createEnvironment(ctx);
    await environments(ctx).updateEnvironment({ environmentId: created.id });
    await environments(ctx).updateEnvironment({ environmentId: created.id, spec: { ports: [], sshPublicKeys: [] } });
    const now = await getEnvironment(ctx, created.id);
    assert.equal(now.spec?.specVersion, created.spec?.specVersion);
    assert.deepEqual(now.metadata, created.metadata);
  }),
  scenario("UpdateEnvironment", "ssh-keys-by-id", "SSH keys are added and replaced by id, and removed by an id without value", async (ctx) => {
    const created = await createEnvironment(ctx);
    const client = environments(ctx);
    await client.updateEnvironment({ environmentId: created.id, spec: { sshPublicKeys: [{ id: "a", value: sshKey("A") }, { id: "b", value: sshKey("B") }] } });
    await client.updateEnvironment({ environmentId: created.id, spec: { sshPublicKeys: [{ id: "a", value: sshKey("C") }, { id: "b" }] } });
    const keys = (await getEnvironment(ctx, created.id)).spec?.sshPublicKeys.map((k) => [k.id, k.value]);
    assert.deepEqual(keys, [["a", sshKey("C")]]);
  }),
  scenario("UpdateEnvironment", "port-admission-raises-auth-nonce", "a port's auth_nonce rises when its admission changes, and only then", async (ctx) => {
    const created = await createEnvironment(ctx);
    const client = environments(ctx);
    const port = (admission: AdmissionLevel) => ({ port: 3000, name: "web", admission });
    await client.updateEnvironment({ environmentId: created.id, spec: { ports: [port(AdmissionLevel.CREATOR_ONLY)] } });
    const first = (await getEnvironment(ctx, created.id)).spec?.ports[0]?.authNonce ?? 0n;
    await client.updateEnvironment({ environmentId: created.id, spec: { ports: [port(AdmissionLevel.EVERYONE)] } });
    const second = (await getEnvironment(ctx, created.id)).spec?.ports[0];
    assert.equal(second?.admission, AdmissionLevel.EVERYONE);
    assert.ok(second.authNonce > first, `auth_nonce ${second.authNonce} did not rise above ${first}`);
    await client.updateEnvironment({ environmentId: created.id, spec: { ports: [port(AdmissionLevel.EVERYONE)] } });
    assert.equal((await getEnvironment(ctx, created.id)).spec?.ports[0]?.authNonce, second.authNonce, "the same admission raised auth_nonce");
  }),
  scenario(
    "UpdateEnvironment",
    "initializer-only-while-stopped",
    "the content initializer changes only while stopped: failed_precondition naming spec.content.initializer while running",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      const initializer = { specs: [{ spec: { case: "contextUrl" as const, value: { url: "https://github.com/gitpod-io/website" } } }] };
      await expectCode(environments(ctx).updateEnvironment({ environmentId: running.id, spec: { content: { initializer } } }), Code.FailedPrecondition, {
        field: "spec.content.initializer",
      });
      await stopToStopped(ctx, running.id);
      await environments(ctx).updateEnvironment({ environmentId: running.id, spec: { content: { initializer } } });
      const spec = (await getEnvironment(ctx, running.id)).spec?.content?.initializer?.specs[0]?.spec;
      assert.equal(spec?.case, "contextUrl");
      assert.equal(spec.value.url, "https://github.com/gitpod-io/website");
    },
    { slow: true },
  ),
  scenario(
    "UpdateEnvironment",
    "kernel-controls-only-while-stopped",
    "kernel controls change only while stopped: failed_precondition naming spec.kernel_controls_config while running",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      await expectCode(environments(ctx).updateEnvironment({ environmentId: running.id, spec: { kernelControlsConfig: {} } }), Code.FailedPrecondition, {
        field: "spec.kernel_controls_config",
      });
    },
    { slow: true },
  ),
  scenario(
    "UpdateEnvironment",
    "running-applies-spec-change",
    "a spec change of a running environment is acknowledged and applied: RUNNING again with the new content session",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      const session = `content-${unknownId()}`;
      await environments(ctx).updateEnvironment({ environmentId: running.id, spec: { content: { session } } });
      const version = running.spec!.specVersion + 1n;
      const applied = await waitForEnvironment(
        ctx,
        running.id,
        "to run with the new content session",
        (e) => e.status?.phase === EnvironmentPhase.RUNNING && e.status.content?.session === session && e.status.runnerAck?.specVersion === version,
      );
      assert.equal(applied.spec?.specVersion, version);
      assert.equal(applied.status?.content?.phase, ContentPhase.READY);
    },
    { slow: true },
  ),
  scenario("UpdateEnvironment", "lockdown-admins-future-zero-past", "lockdown_at: a future time sets it, the zero time removes it, a past one is invalid_argument", async (ctx) => {
    const created = await createEnvironment(ctx);
    const client = environments(ctx);
    const createdMs = timestampMs(created.metadata!.createdAt!);
    const future = timestampFromMs(createdMs + 30 * 24 * 3_600_000);
    try {
      await client.updateEnvironment({ environmentId: created.id, metadata: { lockdownAt: future } });
    } catch (error) {
      if (ConnectError.from(error).code === Code.PermissionDenied) ctx.skip("the token is no organization admin");
      throw error;
    }
    assert.deepEqual((await getEnvironment(ctx, created.id)).metadata?.lockdownAt, future);
    await expectCode(client.updateEnvironment({ environmentId: created.id, metadata: { lockdownAt: timestampFromMs(createdMs - 3_600_000) } }), Code.InvalidArgument, {
      field: "metadata.lockdown_at",
    });
    await client.updateEnvironment({ environmentId: created.id, metadata: { lockdownAt: timestampFromMs(0) } });
    assert.equal((await getEnvironment(ctx, created.id)).metadata?.lockdownAt, undefined, "the zero time did not remove the lockdown");
  }),
  scenario("UpdateEnvironment", "short-disconnected-timeout-invalid-argument", "a disconnected timeout between 0 and 30 minutes is invalid_argument naming it", async (ctx) => {
    const created = await createEnvironment(ctx);
    await expectCode(
      environments(ctx).updateEnvironment({ environmentId: created.id, spec: { timeout: { disconnected: { seconds: 60n } } } }),
      Code.InvalidArgument,
      { field: "spec.timeout.disconnected" },
    );
  }),
  scenario("UpdateEnvironment", "absolute-devcontainer-path-invalid-argument", "an absolute dev container file path is invalid_argument naming it", async (ctx) => {
    const created = await createEnvironment(ctx);
    await expectCode(
      environments(ctx).updateEnvironment({ environmentId: created.id, spec: { devcontainer: { devcontainerFilePath: "/etc/devcontainer.json" } } }),
      Code.InvalidArgument,
      { field: "spec.devcontainer.devcontainer_file_path" },
    );
  }),
  ...beingDeletedScenarios(
    scenario,
    "UpdateEnvironment",
    "being-deleted-failed-precondition",
    "changing an environment that is being deleted is failed_precondition",
    async (ctx, environmentId) => {
      await expectCode(environments(ctx).updateEnvironment({ environmentId, metadata: { name: "too late" } }), Code.FailedPrecondition);
    },
    { slow: true },
  ),
  scenario("UpdateEnvironment", "concurrent-updates-serialize", "concurrent updates serialize: none is lost and spec_version rises once per change", async (ctx) => {
    const created = await createEnvironment(ctx);
    const client = environments(ctx);
    const count = 8;
    await Promise.all(
      Array.from({ length: count }, (_, i) => client.updateEnvironment({ environmentId: created.id, spec: { sshPublicKeys: [{ id: `k${i}`, value: sshKey(`K${i}`) }] } })),
    );
    const now = await getEnvironment(ctx, created.id);
    assert.deepEqual(sorted(now.spec?.sshPublicKeys.map((k) => k.id) ?? []), sorted(Array.from({ length: count }, (_, i) => `k${i}`)));
    assert.equal(now.spec?.specVersion, created.spec!.specVersion + BigInt(count));
  }),
];

// ---- DeleteEnvironment -------------------------------------------------------------------------

const deleteEnvironmentScenarios: Scenario[] = [
  scenario(
    "DeleteEnvironment",
    "running-is-stopped-then-removed",
    "deleting a running environment stops it, then removes it: GetEnvironment becomes not_found",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      await environments(ctx).deleteEnvironment({ environmentId: running.id });
      const phases = new Set<EnvironmentPhase>();
      await ctx.waitFor(
        `environment ${running.id} to be removed`,
        async () => {
          const e = await findEnvironment(ctx, running.id);
          if (e?.status) phases.add(e.status.phase);
          return e;
        },
        (e) => e === undefined,
        { timeoutMs: 20_000 },
      );
      assert.ok(!phases.has(EnvironmentPhase.STARTING), "a deleted environment started again");
      await expectCode(environments(ctx).getEnvironment({ environmentId: running.id }), Code.NotFound);
      assert.deepEqual(await listed(ctx, { filter: { search: running.id, archivalStatus: ArchivalStatus.ALL } }), [], "a removed environment is still listed");
    },
    { slow: true },
  ),
  scenario("DeleteEnvironment", "force-removes-at-once", "force: true removes the environment at once, in any phase", async (ctx) => {
    const created = await createEnvironment(ctx);
    await environments(ctx).deleteEnvironment({ environmentId: created.id, force: true });
    await expectCode(environments(ctx).getEnvironment({ environmentId: created.id }), Code.NotFound);
    await expectCode(environments(ctx).deleteEnvironment({ environmentId: created.id }), Code.NotFound);
  }),
  ...beingDeletedScenarios(
    scenario,
    "DeleteEnvironment",
    "repeat-while-deleting-accepted",
    "deleting an environment that is already being deleted is accepted and changes nothing",
    async (ctx, environmentId, clock) => {
      // With the clock frozen no step runs, so even the status must stay as it is.
      const what = (e: Environment) => [e.spec?.specVersion, e.spec?.desiredPhase, ...(clock === "frozen" ? [e.status?.statusVersion] : [])];
      const before = await getEnvironment(ctx, environmentId);
      await environments(ctx).deleteEnvironment({ environmentId });
      assert.deepEqual(what(await getEnvironment(ctx, environmentId)), what(before), "deleting again changed the environment");
      // The deletion goes on (with a frozen clock, waitFor advances it).
      await waitUntilGone(ctx, environmentId);
    },
    { slow: true },
  ),
  scenario(
    "DeleteEnvironment",
    "removes-its-automations",
    "removing an environment removes its services and tasks",
    async (ctx) => {
      const created = await createEnvironment(ctx);
      const service = await createService(ctx, created.id);
      const task = await createTask(ctx, created.id);
      await environments(ctx).deleteEnvironment({ environmentId: created.id, force: true });
      const automation = ctx.client(EnvironmentAutomationService);
      await expectCode(automation.getService({ id: service.id }), Code.NotFound);
      await expectCode(automation.getTask({ id: task.id }), Code.NotFound);
    },
    { slow: true },
  ),
  scenario("DeleteEnvironment", "revokes-its-access-tokens", "removing an environment revokes its access tokens: unauthenticated", async (ctx) => {
    const created = await createEnvironment(ctx);
    const { accessToken } = await environments(ctx).createEnvironmentAccessToken({ environmentId: created.id });
    const asEnvironment = ctx.clientWithToken(EnvironmentService, accessToken);
    assert.equal((await asEnvironment.getEnvironment({ environmentId: created.id })).environment?.id, created.id);
    await environments(ctx).deleteEnvironment({ environmentId: created.id, force: true });
    await expectCode(asEnvironment.getEnvironment({ environmentId: created.id }), Code.Unauthenticated);
  }),
];

// ---- tokens ------------------------------------------------------------------------------------

async function fetchStatus(url: string, token?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.text() };
}

const createEnvironmentLogsTokenScenarios: Scenario[] = [
  scenario(
    "CreateEnvironmentLogsToken",
    "opens-the-logs-url",
    "the logs token opens the environment's logs URL (200, one line per step); without it 401",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      const { accessToken } = await environments(ctx).createEnvironmentLogsToken({ environmentId: running.id });
      assert.ok(accessToken, "no access_token");
      const url = running.status?.environmentUrls?.logs ?? "";
      assert.ok(url, "a running environment has no logs URL");
      const ok = await fetchStatus(url, accessToken);
      assert.equal(ok.status, 200);
      assert.ok(ok.body.trim().split("\n").length >= 2, `a log of one line or none: ${ok.body.slice(0, 200)}`);
      assert.equal((await fetchStatus(url)).status, 401);
    },
    { slow: true },
  ),
  scenario(
    "CreateEnvironmentLogsToken",
    "other-environments-token-forbidden",
    "another environment's logs token is 403 at this environment's logs URL",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      const other = await createEnvironment(ctx);
      const { accessToken } = await environments(ctx).createEnvironmentLogsToken({ environmentId: other.id });
      assert.equal((await fetchStatus(running.status!.environmentUrls!.logs, accessToken)).status, 403);
    },
    { slow: true },
  ),
  scenario("CreateEnvironmentLogsToken", "not-an-api-credential", "a logs token is no API credential: an RPC with it is unauthenticated", async (ctx) => {
    const created = await createEnvironment(ctx);
    const { accessToken } = await environments(ctx).createEnvironmentLogsToken({ environmentId: created.id });
    assert.ok(accessToken);
    await expectCode(ctx.clientWithToken(EnvironmentService, accessToken).getEnvironment({ environmentId: created.id }), Code.Unauthenticated);
  }),
];

const createEnvironmentAccessTokenScenarios: Scenario[] = [
  scenario("CreateEnvironmentAccessToken", "authenticates-as-the-environment", "the token authenticates as the environment principal, which reads and lists only itself", async (ctx) => {
    const created = await createEnvironment(ctx);
    await createEnvironment(ctx);
    const { accessToken } = await environments(ctx).createEnvironmentAccessToken({ environmentId: created.id });
    assert.ok(accessToken);
    const identity = await ctx.clientWithToken(IdentityService, accessToken).getAuthenticatedIdentity({});
    assert.equal(identity.subject?.principal, Principal.ENVIRONMENT);
    assert.equal(identity.organizationId, ctx.fixtures.organizationId);
    const asEnvironment = ctx.clientWithToken(EnvironmentService, accessToken);
    assert.equal((await asEnvironment.getEnvironment({ environmentId: created.id })).environment?.id, created.id);
    assert.deepEqual(idsOf((await asEnvironment.listEnvironments({ pagination: { pageSize: 100 } })).environments), [created.id]);
    await asEnvironment.markEnvironmentActive({ environmentId: created.id, activitySignal: { source: "supervisor" } });
  }),
  scenario("CreateEnvironmentAccessToken", "other-rpcs-permission-denied", "with an environment token, StopEnvironment and CreateEnvironment are permission_denied", async (ctx) => {
    const created = await createEnvironment(ctx);
    const { accessToken } = await environments(ctx).createEnvironmentAccessToken({ environmentId: created.id });
    const asEnvironment = ctx.clientWithToken(EnvironmentService, accessToken);
    await expectCode(asEnvironment.stopEnvironment({ environmentId: created.id }), Code.PermissionDenied);
    await expectCode(asEnvironment.createEnvironment({ spec: contextSpec(ctx) }), Code.PermissionDenied);
    assert.equal((await getEnvironment(ctx, created.id)).spec?.desiredPhase, EnvironmentPhase.RUNNING);
  }),
  scenario("CreateEnvironmentAccessToken", "other-environment-not-found", "an environment token gets not_found for another environment of its organization", async (ctx) => {
    const created = await createEnvironment(ctx);
    const other = await createEnvironment(ctx);
    const { accessToken } = await environments(ctx).createEnvironmentAccessToken({ environmentId: created.id });
    await expectCode(ctx.clientWithToken(EnvironmentService, accessToken).getEnvironment({ environmentId: other.id }), Code.NotFound);
  }),
  scenario("CreateEnvironmentAccessToken", "manages-own-automations", "an environment token manages its own environment's automations", async (ctx) => {
    const created = await createEnvironment(ctx);
    const { accessToken } = await environments(ctx).createEnvironmentAccessToken({ environmentId: created.id });
    const asEnvironment = ctx.clientWithToken(EnvironmentAutomationService, accessToken);
    const { service } = await asEnvironment.createService({
      environmentId: created.id,
      metadata: { reference: "from-environment", name: "From the environment" },
      spec: { commands: { start: "npm start" } },
    });
    assert.equal(service?.environmentId, created.id);
    assert.equal(service.metadata?.creator?.principal, Principal.ENVIRONMENT);
  }),
];

// ---- MarkEnvironmentActive ---------------------------------------------------------------------

const markEnvironmentActiveScenarios: Scenario[] = [
  scenario("MarkEnvironmentActive", "records-the-signal", "records the activity signal (source and timestamp) in the status; status_version rises", async (ctx) => {
    const created = await createEnvironment(ctx);
    const before = await getEnvironment(ctx, created.id);
    const at = timestampFromMs(timestampMs(created.metadata!.createdAt!) - 60_000);
    await environments(ctx).markEnvironmentActive({ environmentId: created.id, activitySignal: { source: "VS Code", timestamp: at } });
    const now = await getEnvironment(ctx, created.id);
    assert.equal(now.status?.activitySignal?.source, "VS Code");
    assert.deepEqual(now.status?.activitySignal?.timestamp, at);
    assert.ok(now.status.statusVersion > before.status!.statusVersion, "status_version did not rise");
  }),
  scenario("MarkEnvironmentActive", "timestamp-defaults-to-now", "a signal without timestamp is recorded with the server's current time", async (ctx) => {
    const created = await createEnvironment(ctx);
    await environments(ctx).markEnvironmentActive({ environmentId: created.id, activitySignal: { source: "SSH" } });
    const signal = (await getEnvironment(ctx, created.id)).status?.activitySignal;
    assert.equal(signal?.source, "SSH");
    assert.ok(signal.timestamp, "no timestamp");
    assert.ok(timestampMs(signal.timestamp) >= timestampMs(created.metadata!.createdAt!), "the timestamp lies before the environment was created");
  }),
  scenario("MarkEnvironmentActive", "short-source-invalid-argument", "a source shorter than 3 characters is invalid_argument naming activity_signal.source", async (ctx) => {
    const created = await createEnvironment(ctx);
    await expectCode(environments(ctx).markEnvironmentActive({ environmentId: created.id, activitySignal: { source: "x" } }), Code.InvalidArgument, {
      field: "activity_signal.source",
    });
  }),
];

// ---- ArchiveEnvironment / UnarchiveEnvironment -------------------------------------------------

const archiveEnvironmentScenarios: Scenario[] = [
  scenario(
    "ArchiveEnvironment",
    "archives-a-stopped-environment",
    "a stopped environment gets archived_at and leaves the default list",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).archiveEnvironment({ environmentId: stopped.id });
      const archived = await getEnvironment(ctx, stopped.id);
      assert.ok(archived.metadata?.archivedAt, "no archived_at");
      assert.deepEqual(await listed(ctx, { filter: { search: stopped.id } }), []);
      assert.deepEqual(await listed(ctx, { filter: { search: stopped.id, archivalStatus: ArchivalStatus.ARCHIVED } }), [stopped.id]);
    },
    { slow: true },
  ),
  scenario(
    "ArchiveEnvironment",
    "running-failed-precondition",
    "archiving an environment that is not stopped is failed_precondition",
    async (ctx) => {
      const running = await createRunningEnvironment(ctx);
      await expectCode(environments(ctx).archiveEnvironment({ environmentId: running.id }), Code.FailedPrecondition);
      assert.equal((await getEnvironment(ctx, running.id)).metadata?.archivedAt, undefined);
    },
    { slow: true },
  ),
  scenario(
    "ArchiveEnvironment",
    "idempotent-keeps-first-time",
    "archiving again is accepted and keeps the first archival time",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).archiveEnvironment({ environmentId: stopped.id });
      const first = (await getEnvironment(ctx, stopped.id)).metadata?.archivedAt;
      assert.ok(first);
      await environments(ctx).archiveEnvironment({ environmentId: stopped.id });
      assert.deepEqual((await getEnvironment(ctx, stopped.id)).metadata?.archivedAt, first);
    },
    { slow: true },
  ),
];

const unarchiveEnvironmentScenarios: Scenario[] = [
  scenario(
    "UnarchiveEnvironment",
    "unarchives-and-starts",
    "unarchiving clears archived_at, brings the environment back into the default list, and it can start again",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).archiveEnvironment({ environmentId: stopped.id });
      await environments(ctx).unarchiveEnvironment({ environmentId: stopped.id });
      assert.equal((await getEnvironment(ctx, stopped.id)).metadata?.archivedAt, undefined);
      assert.deepEqual(await listed(ctx, { filter: { search: stopped.id } }), [stopped.id]);
      await environments(ctx).startEnvironment({ environmentId: stopped.id });
      await waitForPhase(ctx, stopped.id, EnvironmentPhase.RUNNING);
    },
    { slow: true },
  ),
  scenario(
    "UnarchiveEnvironment",
    "idempotent",
    "unarchiving an environment that is not archived is accepted and changes nothing",
    async (ctx) => {
      const stopped = await createStoppedEnvironment(ctx);
      await environments(ctx).unarchiveEnvironment({ environmentId: stopped.id });
      await environments(ctx).unarchiveEnvironment({ environmentId: stopped.id });
      const now = await getEnvironment(ctx, stopped.id);
      assert.equal(now.metadata?.archivedAt, undefined);
      assert.equal(now.spec?.specVersion, stopped.spec?.specVersion);
      assert.equal(now.spec?.desiredPhase, EnvironmentPhase.STOPPED);
    },
    { slow: true },
  ),
];

// ---- ports -------------------------------------------------------------------------------------

/** A running environment sharing port 3000 at `admission`. */
function runningWithPort(ctx: ScenarioContext, admission: AdmissionLevel): Promise<Environment> {
  return createRunningEnvironment(ctx, { spec: contextSpec(ctx, undefined, { ports: [{ port: 3000, name: "web", admission }] }) });
}

const createPortAccessTokenScenarios: Scenario[] = [
  scenario(
    "CreatePortAccessToken",
    "token-opens-the-port",
    "the creator gets a token for a shared port, and it opens that port's URL",
    async (ctx) => {
      const running = await runningWithPort(ctx, AdmissionLevel.CREATOR_ONLY);
      const { accessToken } = await environments(ctx).createPortAccessToken({ environmentId: running.id, port: 3000 });
      assert.ok(accessToken, "no access_token");
      const url = running.status?.environmentUrls?.ports.find((p) => p.port === 3000)?.url ?? "";
      assert.ok(url, "no URL for port 3000");
      assert.equal((await fetchStatus(url, accessToken)).status, 200);
    },
    { slow: true },
  ),
  scenario("CreatePortAccessToken", "unshared-port-failed-precondition", "a port the spec does not share is failed_precondition naming port", async (ctx) => {
    const created = await createEnvironment(ctx, { spec: contextSpec(ctx, undefined, { ports: [{ port: 3000, name: "web" }] }) });
    await expectCode(environments(ctx).createPortAccessToken({ environmentId: created.id, port: 4000 }), Code.FailedPrecondition, { field: "port" });
  }),
  scenario("CreatePortAccessToken", "port-out-of-range-invalid-argument", "port 0 (outside 1–65535) is invalid_argument naming port", async (ctx) => {
    await expectCode(environments(ctx).createPortAccessToken({ environmentId: unknownId(), port: 0 }), Code.InvalidArgument, { field: "port" });
  }),
  scenario("CreatePortAccessToken", "not-an-api-credential", "a port token is no API credential: an RPC with it is unauthenticated", async (ctx) => {
    const created = await createEnvironment(ctx, { spec: contextSpec(ctx, undefined, { ports: [{ port: 3000, name: "web", admission: AdmissionLevel.EVERYONE }] }) });
    const { accessToken } = await environments(ctx).createPortAccessToken({ environmentId: created.id, port: 3000 });
    await expectCode(ctx.clientWithToken(EnvironmentService, accessToken).getEnvironment({ environmentId: created.id }), Code.Unauthenticated);
  }),
];

const allowPortAccessScenarios: Scenario[] = [
  scenario(
    "AllowPortAccess",
    "running-shared-port-allowed",
    "a running environment's shared port lets its creator in: allowed",
    async (ctx) => {
      const running = await runningWithPort(ctx, AdmissionLevel.CREATOR_ONLY);
      assert.equal((await allowPortAccess(environments(ctx), { environmentId: running.id, port: 3000 })).allowed, true);
    },
    { slow: true },
  ),
  scenario(
    "AllowPortAccess",
    "unshared-port-not-allowed",
    "a port the spec does not share is not allowed",
    async (ctx) => {
      const running = await runningWithPort(ctx, AdmissionLevel.EVERYONE);
      assert.equal((await allowPortAccess(environments(ctx), { environmentId: running.id, port: 4000 })).allowed, false);
    },
    { slow: true },
  ),
  scenario(
    "AllowPortAccess",
    "stopped-not-allowed",
    "a stopped environment's ports are not allowed",
    async (ctx) => {
      const running = await runningWithPort(ctx, AdmissionLevel.EVERYONE);
      await stopToStopped(ctx, running.id);
      assert.equal((await allowPortAccess(environments(ctx), { environmentId: running.id, port: 3000 })).allowed, false);
    },
    { slow: true },
  ),
  scenario("AllowPortAccess", "port-out-of-range-invalid-argument", "port 0 (outside 1–65535) is invalid_argument naming port", async (ctx) => {
    await expectCode(allowPortAccess(environments(ctx), { environmentId: unknownId(), port: 0 }), Code.InvalidArgument, { field: "port" });
  }),
];

export const environmentServiceScenarios: Scenario[] = [
  ...getEnvironmentScenarios,
  ...listEnvironmentsScenarios,
  ...listEnvironmentClassesScenarios,
  ...createEnvironmentScenarios,
  ...createEnvironmentFromProjectScenarios,
  ...startEnvironmentScenarios,
  ...stopEnvironmentScenarios,
  ...updateEnvironmentScenarios,
  ...deleteEnvironmentScenarios,
  ...createEnvironmentLogsTokenScenarios,
  ...createEnvironmentAccessTokenScenarios,
  ...markEnvironmentActiveScenarios,
  ...archiveEnvironmentScenarios,
  ...unarchiveEnvironmentScenarios,
  ...createPortAccessTokenScenarios,
  ...allowPortAccessScenarios,
  ...idRpcs.flatMap(idErrorScenarios),
];
