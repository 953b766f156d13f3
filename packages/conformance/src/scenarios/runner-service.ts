// RunnerService: every RPC's documented behaviour (server README, "Semantics: RunnerService").
// Each scenario works on runners of its own (deleted with force when it ends) and never changes
// the discovered fixtures; lists are walked to the end and checked for what this scenario made.
// The SCM RPCs use the documented catalogue (organizations gitpod-io and org, repositories
// org/repo, org/private-repo, alice/repo, gitpod-io/…) and authenticate the caller with a host
// through a PAT host token on the scenario's runner.
import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import { IdentityService, Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import {
  CreateRunnerResponseSchema,
  GetRunnerResponseSchema,
  ListRunnersResponseSchema,
  LogLevel,
  RunnerPhase,
  RunnerReleaseChannel,
  RunnerRole,
  RunnerService,
  RunnerVariant,
  SearchMode,
  type Runner,
} from "@gitpod-connect/schema/gitpod/v1/runner";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { expectCode } from "../expect.js";
import type { Scenario, ScenarioContext } from "../scenario.js";
import {
  assertNoDuplicates,
  assertNoSecrets,
  assertOursInOrder,
  authenticateWithHost,
  callerSubject,
  createEnvironmentClass,
  createTestRunner,
  isolation,
  newId,
  otherOrganization,
  pause,
  scenarioFactory,
  tamper,
  unauthenticatedScenarios,
  uuidPattern,
  walkPages,
} from "./runner-support.js";

const define = scenarioFactory("RunnerService");
const runnersOf = (ctx: ScenarioContext) => ctx.client(RunnerService);
const managerId = () => newId();

async function getRunner(ctx: ScenarioContext, runnerId: string): Promise<Runner> {
  const { runner } = await runnersOf(ctx).getRunner({ runnerId });
  assert.ok(runner, "GetRunner answered no runner");
  return runner;
}

/** Every runner ListRunners shows for `filter`, walking pages of `pageSize`. */
async function listAllRunners(ctx: ScenarioContext, filter: Parameters<ReturnType<typeof runnersOf>["listRunners"]>[0]["filter"], pageSize = 100, client = runnersOf(ctx)) {
  const { items, pages } = await walkPages("ListRunners", pageSize, async (token) => {
    const res = await client.listRunners({ filter, pagination: { pageSize, token } });
    return { items: res.runners, nextToken: res.pagination?.nextToken ?? "" };
  });
  assertNoDuplicates("ListRunners", items.map((r) => r.runnerId));
  return { items, pages };
}

// ---------------------------------------------------------------------------------------------
// CreateRunner

const createRunnerRejections: [behaviour: string, title: string, init: Record<string, unknown>, field: string][] = [
  ["kind-and-provider-invalid", "both kind and provider is invalid_argument naming kind", { provider: RunnerProvider.AWS_EC2, kind: RunnerKind.REMOTE }, "kind"],
  ["neither-kind-nor-provider-invalid", "neither kind nor provider is invalid_argument naming provider", {}, "provider"],
  ["name-too-short-invalid", "a name of two characters is invalid_argument naming name", { provider: RunnerProvider.AWS_EC2, name: "ab" }, "name"],
  ["managed-without-manager-invalid", "a MANAGED runner without runner_manager_id is invalid_argument naming it", { provider: RunnerProvider.MANAGED }, "runner_manager_id"],
  ["manager-for-ec2-invalid", "a runner_manager_id for a non-MANAGED runner is invalid_argument naming it", { provider: RunnerProvider.AWS_EC2, runnerManagerId: "00000000-0000-4000-8000-00000000aaaa" }, "runner_manager_id"],
  ["undefined-provider-invalid", "an undefined provider is invalid_argument naming provider", { provider: 42 }, "provider"],
  ["desired-phase-deleted-invalid", "a desired phase other than ACTIVE/INACTIVE is invalid_argument naming spec.desired_phase", { provider: RunnerProvider.AWS_EC2, spec: { desiredPhase: RunnerPhase.DELETED } }, "spec.desired_phase"],
  ["region-invalid", "a region that does not look like one is invalid_argument naming spec.configuration.region", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { region: "US West" } } }, "spec.configuration.region"],
  ["metrics-url-invalid", "a metrics url that is no absolute http(s) URL is invalid_argument naming it", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { metrics: { url: "collector" } } } }, "spec.configuration.metrics.url"],
  ["update-window-too-short-invalid", "an update window shorter than two hours is invalid_argument naming end_hour", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { updateWindow: { startHour: 1, endHour: 2 } } } }, "spec.configuration.update_window.end_hour"],
  ["update-window-without-start-invalid", "an update window with end_hour but no start_hour is invalid_argument naming start_hour", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { updateWindow: { endHour: 2 } } } }, "spec.configuration.update_window.start_hour"],
  ["update-window-hour-24-invalid", "an update window hour of 24 is invalid_argument naming it", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { updateWindow: { startHour: 24 } } } }, "spec.configuration.update_window.start_hour"],
  ["undefined-log-level-invalid", "an undefined log level is invalid_argument naming it", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { logLevel: 9 } } }, "spec.configuration.log_level"],
  ["forged-honeycomb-key-invalid", "an encrypted_honeycomb_api_key the server did not seal is invalid_argument naming it", { provider: RunnerProvider.AWS_EC2, spec: { configuration: { encryptedHoneycombApiKey: new TextEncoder().encode("hcaik_in_clear_conformance") } } }, "spec.configuration.encrypted_honeycomb_api_key"],
];

const createRunnerScenarios: Scenario[] = [
  define("CreateRunner", "returns-runner-with-name-and-provider", "returns the runner with the name and provider given, kind derived, status CREATED and the documented spec defaults", async (ctx) => {
    const name = ctx.uniqueName("Production Runner");
    const res = await runnersOf(ctx).createRunner({ name, provider: RunnerProvider.AWS_EC2 });
    const runner = res.runner;
    assert.ok(runner, "no runner in the response");
    ctx.cleanup(() => runnersOf(ctx).deleteRunner({ runnerId: runner.runnerId, force: true }));
    assert.match(runner.runnerId, uuidPattern);
    assert.equal(runner.name, name);
    assert.equal(runner.provider, RunnerProvider.AWS_EC2);
    assert.equal(runner.kind, RunnerKind.REMOTE);
    assert.equal(runner.status?.phase, RunnerPhase.CREATED, "a new runner's status is CREATED");
    assert.equal(runner.spec?.desiredPhase, RunnerPhase.ACTIVE, "desired phase defaults to ACTIVE");
    assert.equal(runner.spec?.variant, RunnerVariant.STANDARD, "variant defaults to STANDARD");
    assert.equal(runner.spec?.configuration?.releaseChannel, RunnerReleaseChannel.STABLE, "release channel defaults to STABLE");
    assert.ok(runner.createdAt && runner.updatedAt, "created_at and updated_at are set");
  }),
  define("CreateRunner", "returns-exchange-token", "returns an exchange_token and an empty deprecated access_token", async (ctx) => {
    const res = await runnersOf(ctx).createRunner({ name: ctx.uniqueName("runner"), provider: RunnerProvider.GCP });
    ctx.cleanup(() => runnersOf(ctx).deleteRunner({ runnerId: res.runner!.runnerId, force: true }));
    assert.notEqual(res.exchangeToken, "", "exchange_token is set");
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- access_token is still part of the response; that it is always empty is what this checks
    assert.equal(res.accessToken, "", "the deprecated access_token is always empty");
  }),
  define("CreateRunner", "creator-is-caller", "records the calling subject as creator", async (ctx) => {
    const subject = await callerSubject(ctx);
    const { runner } = await createTestRunner(ctx);
    assert.deepEqual({ id: runner.creator?.id, principal: runner.creator?.principal }, subject);
  }),
  ...(
    [
      ["gcp-is-remote", RunnerProvider.GCP, RunnerKind.REMOTE],
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- LINUX_HOST is no longer offered but still accepted; the kind it derives (LOCAL, as stored) is what this checks
      ["linux-host-is-local", RunnerProvider.LINUX_HOST, RunnerKind.LOCAL],
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- DESKTOP_MAC is no longer offered but still accepted; the kind it derives (LOCAL, as stored) is what this checks
      ["desktop-mac-is-local", RunnerProvider.DESKTOP_MAC, RunnerKind.LOCAL],
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- LOCAL is the kind local runners are still stored with
      ["dev-agent-is-local", RunnerProvider.DEV_AGENT, RunnerKind.LOCAL],
      ["managed-is-remote", RunnerProvider.MANAGED, RunnerKind.REMOTE],
    ] as const
  ).map(([behaviour, provider, kind]) =>
    define("CreateRunner", `derives-kind-${behaviour}`, `derives kind ${RunnerKind[kind]} from provider ${RunnerProvider[provider]}`, async (ctx) => {
      const { runner } = await createTestRunner(ctx, { provider, ...(provider === RunnerProvider.MANAGED ? { runnerManagerId: managerId() } : {}) });
      assert.equal(runner.provider, provider);
      assert.equal(runner.kind, kind);
    }),
  ),
  define("CreateRunner", "legacy-kind-only", "with only the legacy kind, keeps the kind and leaves the provider unspecified", async (ctx) => {
    const { runner } = await createTestRunner(ctx, { provider: RunnerProvider.UNSPECIFIED, kind: RunnerKind.REMOTE });
    assert.equal(runner.kind, RunnerKind.REMOTE);
    assert.equal(runner.provider, RunnerProvider.UNSPECIFIED);
  }),
  define("CreateRunner", "keeps-configuration", "keeps the configuration sent; the update window's end_hour defaults to start_hour + 2 (mod 24)", async (ctx) => {
    const { runner } = await createTestRunner(ctx, {
      spec: {
        desiredPhase: RunnerPhase.ACTIVE,
        variant: RunnerVariant.ENTERPRISE,
        configuration: {
          region: "us-west",
          releaseChannel: RunnerReleaseChannel.LATEST,
          autoUpdate: true,
          logLevel: LogLevel.DEBUG,
          devcontainerImageCacheEnabled: true,
          metrics: { enabled: true, url: "https://metrics.example.com/write", username: "u" },
          updateWindow: { startHour: 22 },
        },
      },
    });
    const c = runner.spec?.configuration;
    assert.equal(runner.spec?.variant, RunnerVariant.ENTERPRISE);
    assert.equal(c?.region, "us-west");
    assert.equal(c?.releaseChannel, RunnerReleaseChannel.LATEST);
    assert.equal(c?.autoUpdate, true);
    assert.equal(c?.logLevel, LogLevel.DEBUG);
    assert.equal(c?.devcontainerImageCacheEnabled, true);
    assert.deepEqual([c?.metrics?.enabled, c?.metrics?.url, c?.metrics?.username], [true, "https://metrics.example.com/write", "u"]);
    assert.deepEqual([c?.updateWindow?.startHour, c?.updateWindow?.endHour], [22, 0], "end_hour is stored filled in: 22 + 2 = 0");
    const again = await getRunner(ctx, runner.runnerId);
    assert.deepEqual([again.spec?.configuration?.region, again.spec?.configuration?.updateWindow?.endHour], ["us-west", 0], "GetRunner shows the same");
  }),
  define("CreateRunner", "metrics-password-never-returned", "never returns the write-only metrics password: not from CreateRunner, GetRunner or ListRunners", async (ctx) => {
    const password = `metrics_pw_${newId()}`;
    const runners = runnersOf(ctx);
    const res = await runners.createRunner({
      name: ctx.uniqueName("secret keeper"),
      provider: RunnerProvider.AWS_EC2,
      spec: { configuration: { metrics: { enabled: true, url: "https://m.example.com", username: "u", password } } },
    });
    const runnerId = res.runner!.runnerId;
    ctx.cleanup(() => runners.deleteRunner({ runnerId, force: true }));
    assert.equal(res.runner?.spec?.configuration?.metrics?.password, "", "CreateRunner: metrics.password is empty");
    assertNoSecrets("CreateRunner", CreateRunnerResponseSchema, res, [password]);
    const got = await runners.getRunner({ runnerId });
    assert.equal(got.runner?.spec?.configuration?.metrics?.password, "", "GetRunner: metrics.password is empty");
    assert.equal(got.runner?.spec?.configuration?.metrics?.url, "https://m.example.com", "the rest of the metrics configuration is kept");
    assertNoSecrets("GetRunner", GetRunnerResponseSchema, got, [password]);
    const asRunner = await ctx.clientWithToken(RunnerService, res.exchangeToken).getRunner({ runnerId });
    assertNoSecrets("GetRunner (the runner itself)", GetRunnerResponseSchema, asRunner, [password]);
    let token = "";
    do {
      const page = await runners.listRunners({ pagination: { pageSize: 100, token } });
      assertNoSecrets("ListRunners", ListRunnersResponseSchema, page, [password]);
      token = page.pagination?.nextToken ?? "";
    } while (token !== "");
  }),
  ...createRunnerRejections.map(([behaviour, title, init, field]) =>
    define("CreateRunner", behaviour, title, async (ctx) => {
      await expectCode(runnersOf(ctx).createRunner({ name: ctx.uniqueName("rejected"), ...init }), Code.InvalidArgument, { field });
    }),
  ),
  define("CreateRunner", "local-configuration-once-per-organization", "allows at most one LOCAL_CONFIGURATION runner per organization (already_exists)", async (ctx) => {
    const runners = runnersOf(ctx);
    const create = () => runners.createRunner({ name: ctx.uniqueName("local runners"), kind: RunnerKind.LOCAL_CONFIGURATION });
    let first;
    try {
      first = await create();
    } catch (error) {
      // Another scenario (or the target's own state) holds the organization's one: that is the rule too.
      await expectCode(Promise.reject(ConnectError.from(error)), Code.AlreadyExists);
      return;
    }
    const runnerId = first.runner!.runnerId;
    ctx.cleanup(() => runners.deleteRunner({ runnerId, force: true }));
    assert.equal(first.runner?.kind, RunnerKind.LOCAL_CONFIGURATION);
    await expectCode(create(), Code.AlreadyExists);
  }),
  define("CreateRunner", "runner-token-permission-denied", "a runner (calling with its own token) may not create runners", async (ctx) => {
    const { exchangeToken } = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).createRunner({ name: ctx.uniqueName("sneaky"), provider: RunnerProvider.GCP }), Code.PermissionDenied);
  }),
  ...unauthenticatedScenarios(define, RunnerService, "CreateRunner", (c, ctx) => c.createRunner({ name: ctx.uniqueName("nobody"), provider: RunnerProvider.GCP })),
];

// ---------------------------------------------------------------------------------------------
// GetRunner

const getRunnerScenarios: Scenario[] = [
  define("GetRunner", "returns-created-runner", "returns the runner as CreateRunner did", async (ctx) => {
    const { runner } = await createTestRunner(ctx, { provider: RunnerProvider.GCP, spec: { configuration: { region: "europe-west1" } } });
    const got = await getRunner(ctx, runner.runnerId);
    assert.deepEqual(
      [got.runnerId, got.name, got.kind, got.provider, got.spec?.configuration?.region, got.status?.phase],
      [runner.runnerId, runner.name, RunnerKind.REMOTE, RunnerProvider.GCP, "europe-west1", RunnerPhase.CREATED],
    );
  }),
  define("GetRunner", "fixture-runner", "returns the discovered fixture runner", async (ctx) => {
    const got = await getRunner(ctx, ctx.fixtures.runnerId);
    assert.equal(got.runnerId, ctx.fixtures.runnerId);
  }),
  define("GetRunner", "unknown-id-not-found", "an unknown runner id is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).getRunner({ runnerId: newId() }), Code.NotFound);
  }),
  define("GetRunner", "not-a-uuid-invalid", "a runner_id that is no UUID is invalid_argument naming runner_id", async (ctx) => {
    await expectCode(runnersOf(ctx).getRunner({ runnerId: "runner-1" }), Code.InvalidArgument, { field: "runner_id" });
  }),
  define("GetRunner", "runner-token-reads-itself", "a runner with its own token reads itself", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const { runner } = await ctx.clientWithToken(RunnerService, exchangeToken).getRunner({ runnerId });
    assert.equal(runner?.runnerId, runnerId);
  }),
  define("GetRunner", "runner-token-other-runner-permission-denied", "a runner asking for another runner is permission_denied", async (ctx) => {
    const { exchangeToken } = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).getRunner({ runnerId: other.runnerId }), Code.PermissionDenied);
  }),
  define("GetRunner", "other-organization-not-found", "another organization's runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).getRunner({ runnerId }), Code.NotFound);
    await expectCode(otherOrganization(ctx).client(RunnerService).getRunner({ runnerId: ctx.fixtures.runnerId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "GetRunner", (c, ctx) => c.getRunner({ runnerId: ctx.fixtures.runnerId }), { wrongToken: true }),
];

// ---------------------------------------------------------------------------------------------
// ListRunners

const listRunnersScenarios: Scenario[] = [
  define("ListRunners", "pages-in-creation-order", "pages of 2 through every runner to an empty next_token, ours each once in creation order", async (ctx) => {
    const ours: string[] = [];
    for (let i = 0; i < 3; i++) ours.push((await createTestRunner(ctx)).runnerId);
    const { items, pages } = await listAllRunners(ctx, undefined, 2);
    assert.ok(pages >= 2, `3 runners at page_size 2 take at least 2 pages, got ${pages}`);
    assertOursInOrder("ListRunners", items.map((r) => r.runnerId), ours);
  }),
  define("ListRunners", "filter-providers", "filter.providers keeps only runners of those providers", async (ctx) => {
    const gcp = await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    const ec2 = await createTestRunner(ctx, { provider: RunnerProvider.AWS_EC2 });
    const { items } = await listAllRunners(ctx, { providers: [RunnerProvider.GCP] }, 2);
    assert.ok(items.every((r) => r.provider === RunnerProvider.GCP), "every listed runner is a GCP runner");
    assertOursInOrder("ListRunners providers=[GCP]", items.map((r) => r.runnerId).filter((id) => id === gcp.runnerId || id === ec2.runnerId), [gcp.runnerId]);
  }),
  define("ListRunners", "filter-kinds", "filter.kinds keeps only runners of those kinds", async (ctx) => {
    const local = await createTestRunner(ctx, { provider: RunnerProvider.DEV_AGENT });
    const remote = await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- LOCAL is the kind local runners are still stored with; filtering by it is what this checks
    const { items } = await listAllRunners(ctx, { kinds: [RunnerKind.LOCAL] }, 2);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- LOCAL is the kind local runners are still stored with; every listed runner having it is what this checks
    assert.ok(items.every((r) => r.kind === RunnerKind.LOCAL), "every listed runner is LOCAL");
    const ids = items.map((r) => r.runnerId);
    assert.ok(ids.includes(local.runnerId) && !ids.includes(remote.runnerId));
  }),
  define("ListRunners", "filter-creator-ids", "filter.creator_ids keeps only runners those subjects created", async (ctx) => {
    const subject = await callerSubject(ctx);
    const { runnerId } = await createTestRunner(ctx);
    const mine = await listAllRunners(ctx, { creatorIds: [subject.id] });
    assert.ok(mine.items.every((r) => r.creator?.id === subject.id), "every listed runner was created by the caller");
    assert.ok(mine.items.some((r) => r.runnerId === runnerId), "the caller's new runner is listed");
    const nobodys = await listAllRunners(ctx, { creatorIds: [newId()] });
    assert.deepEqual(nobodys.items, [], "nobody with that id created a runner");
  }),
  define("ListRunners", "filters-combine-with-and", "kinds and providers combine with AND: LOCAL and GCP together match nothing", async (ctx) => {
    await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- LOCAL is the kind local runners are still stored with; combining it with a provider is what this checks
    const { items } = await listAllRunners(ctx, { kinds: [RunnerKind.LOCAL], providers: [RunnerProvider.GCP] });
    assert.deepEqual(items.map((r) => r.runnerId), [], "no GCP runner is LOCAL");
  }),
  define("ListRunners", "tampered-page-token-invalid", "a tampered page token is invalid_argument naming pagination.token", async (ctx) => {
    await createTestRunner(ctx);
    await createTestRunner(ctx);
    const first = await runnersOf(ctx).listRunners({ pagination: { pageSize: 1 } });
    const token = first.pagination?.nextToken ?? "";
    assert.notEqual(token, "", "two runners at page_size 1 give a next_token");
    await expectCode(runnersOf(ctx).listRunners({ pagination: { pageSize: 1, token: tamper(token) } }), Code.InvalidArgument, { field: "pagination.token" });
  }),
  define("ListRunners", "page-token-of-other-filter-invalid", "a page token used with another filter is invalid_argument naming pagination.token", async (ctx) => {
    await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    const first = await runnersOf(ctx).listRunners({ filter: { providers: [RunnerProvider.GCP] }, pagination: { pageSize: 1 } });
    const token = first.pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(
      runnersOf(ctx).listRunners({ filter: { providers: [RunnerProvider.AWS_EC2] }, pagination: { pageSize: 1, token } }),
      Code.InvalidArgument,
      { field: "pagination.token" },
    );
  }),
  define("ListRunners", "page-size-over-100-invalid", "a page_size over 100 is invalid_argument naming pagination.page_size", async (ctx) => {
    await expectCode(runnersOf(ctx).listRunners({ pagination: { pageSize: 101 } }), Code.InvalidArgument, { field: "pagination.page_size" });
  }),
  define("ListRunners", "undefined-kind-invalid", "an undefined kind in the filter is invalid_argument naming filter.kinds", async (ctx) => {
    await expectCode(runnersOf(ctx).listRunners({ filter: { kinds: [9 as RunnerKind] } }), Code.InvalidArgument, { field: "filter.kinds" });
  }),
  define("ListRunners", "runner-token-lists-only-itself", "a runner with its own token lists just itself", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    await createTestRunner(ctx);
    const { items } = await listAllRunners(ctx, undefined, 100, ctx.clientWithToken(RunnerService, exchangeToken));
    assert.deepEqual(items.map((r) => r.runnerId), [runnerId]);
  }),
  define("ListRunners", "other-organization-does-not-list", "another organization lists none of our runners", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { items } = await listAllRunners(ctx, undefined, 100, otherOrganization(ctx).client(RunnerService));
    const ids = items.map((r) => r.runnerId);
    assert.ok(!ids.includes(runnerId) && !ids.includes(ctx.fixtures.runnerId), "our runners are not in the other organization's list");
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "ListRunners", (c) => c.listRunners({})),
];

// ---------------------------------------------------------------------------------------------
// UpdateRunner

const updateRunnerScenarios: Scenario[] = [
  define("UpdateRunner", "changes-name", "changes the name", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const name = ctx.uniqueName("renamed runner");
    await runnersOf(ctx).updateRunner({ runnerId, name });
    assert.equal((await getRunner(ctx, runnerId)).name, name);
  }),
  define("UpdateRunner", "changes-only-set-fields", "changes only the fields that are set, and moves updated_at", async (ctx) => {
    const { runnerId, runner } = await createTestRunner(ctx, {
      spec: { configuration: { region: "eu-central-1", autoUpdate: true, logLevel: LogLevel.INFO, metrics: { enabled: true, url: "https://m.example.com", username: "u" } } },
    });
    await pause(5);
    await runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { releaseChannel: RunnerReleaseChannel.LATEST } } });
    const after = await getRunner(ctx, runnerId);
    const c = after.spec?.configuration;
    assert.equal(after.name, runner.name);
    assert.deepEqual(
      [c?.region, c?.autoUpdate, c?.logLevel, c?.releaseChannel, c?.metrics?.url, c?.metrics?.username],
      ["eu-central-1", true, LogLevel.INFO, RunnerReleaseChannel.LATEST, "https://m.example.com", "u"],
    );
    assert.ok(timestampDate(after.updatedAt!) > timestampDate(runner.updatedAt!), "updated_at moves on a change");
  }),
  define("UpdateRunner", "nothing-set-is-noop", "an update with nothing set succeeds and changes nothing", async (ctx) => {
    const { runnerId, runner } = await createTestRunner(ctx);
    await runnersOf(ctx).updateRunner({ runnerId });
    const after = await getRunner(ctx, runnerId);
    assert.deepEqual([after.name, after.spec?.configuration?.releaseChannel], [runner.name, runner.spec?.configuration?.releaseChannel]);
  }),
  define("UpdateRunner", "update-window-set-and-cleared", "sets an update window (end_hour defaults to start_hour + 2, mod 24) and clears it with an empty window", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { updateWindow: { startHour: 23 } } } });
    const w = (await getRunner(ctx, runnerId)).spec?.configuration?.updateWindow;
    assert.deepEqual([w?.startHour, w?.endHour], [23, 1]);
    await runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { updateWindow: {} } } });
    assert.equal((await getRunner(ctx, runnerId)).spec?.configuration?.updateWindow, undefined, "an empty window clears it");
  }),
  define("UpdateRunner", "honeycomb-key-encrypted", "stores honeycomb_api_key only encrypted, never in clear, and clears it with an empty key", async (ctx) => {
    const key = `hcaik_${newId()}`;
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { honeycombApiKey: key } } });
    const got = await runnersOf(ctx).getRunner({ runnerId });
    const encrypted = got.runner?.spec?.configuration?.encryptedHoneycombApiKey ?? new Uint8Array();
    assert.ok(encrypted.length > 0, "encrypted_honeycomb_api_key is set");
    assertNoSecrets("GetRunner", GetRunnerResponseSchema, got, [key]);
    await runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { honeycombApiKey: "" } } });
    assert.equal((await getRunner(ctx, runnerId)).spec?.configuration?.encryptedHoneycombApiKey.length, 0, "an empty key clears it");
  }),
  define("UpdateRunner", "metrics-password-write-only", "a metrics password set by update is never returned; the other metrics fields stay", async (ctx) => {
    const password = `pw_${newId()}`;
    const { runnerId } = await createTestRunner(ctx, { spec: { configuration: { metrics: { enabled: true, url: "https://m.example.com", username: "u" } } } });
    await runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { metrics: { password } } } });
    const got = await runnersOf(ctx).getRunner({ runnerId });
    assert.deepEqual([got.runner?.spec?.configuration?.metrics?.password, got.runner?.spec?.configuration?.metrics?.url], ["", "https://m.example.com"]);
    assertNoSecrets("GetRunner", GetRunnerResponseSchema, got, [password]);
  }),
  define("UpdateRunner", "unknown-id-not-found", "an update of an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).updateRunner({ runnerId: newId(), name: "New name" }), Code.NotFound);
  }),
  define("UpdateRunner", "name-too-short-invalid", "a name of one character is invalid_argument naming name", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).updateRunner({ runnerId, name: "x" }), Code.InvalidArgument, { field: "name" });
  }),
  define("UpdateRunner", "release-channel-unspecified-invalid", "release_channel UNSPECIFIED is invalid_argument naming it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(
      runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { releaseChannel: RunnerReleaseChannel.UNSPECIFIED } } }),
      Code.InvalidArgument,
      { field: "spec.configuration.release_channel" },
    );
  }),
  define("UpdateRunner", "metrics-url-invalid", "a metrics url with another scheme is invalid_argument naming it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).updateRunner({ runnerId, spec: { configuration: { metrics: { url: "ftp://m.example.com" } } } }), Code.InvalidArgument, {
      field: "spec.configuration.metrics.url",
    });
  }),
  define("UpdateRunner", "desired-phase-deleting-invalid", "a desired phase of DELETING is invalid_argument naming spec.desired_phase", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).updateRunner({ runnerId, spec: { desiredPhase: RunnerPhase.DELETING } }), Code.InvalidArgument, { field: "spec.desired_phase" });
  }),
  define("UpdateRunner", "desired-phase-of-remote-failed-precondition", "changing the desired phase of a runner that is not LOCAL_CONFIGURATION is failed_precondition; sending its current value is accepted", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).updateRunner({ runnerId, spec: { desiredPhase: RunnerPhase.INACTIVE } }), Code.FailedPrecondition);
    await runnersOf(ctx).updateRunner({ runnerId, spec: { desiredPhase: RunnerPhase.ACTIVE } });
    assert.equal((await getRunner(ctx, runnerId)).spec?.desiredPhase, RunnerPhase.ACTIVE);
  }),
  define("UpdateRunner", "being-deleted-failed-precondition", "a runner being deleted cannot be updated (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    await expectCode(runnersOf(ctx).updateRunner({ runnerId, name: "Renamed" }), Code.FailedPrecondition);
  }),
  define("UpdateRunner", "runner-token-permission-denied", "a runner may not update runners, itself included", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).updateRunner({ runnerId, name: "Renamed" }), Code.PermissionDenied);
  }),
  define("UpdateRunner", "other-organization-not-found", "another organization's update of our runner is not_found and changes nothing", async (ctx) => {
    const { runnerId, runner } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).updateRunner({ runnerId, name: "Taken over" }), Code.NotFound);
    assert.equal((await getRunner(ctx, runnerId)).name, runner.name);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "UpdateRunner", (c, ctx) => c.updateRunner({ runnerId: ctx.fixtures.runnerId })),
];

// ---------------------------------------------------------------------------------------------
// DeleteRunner

const deleteRunnerScenarios: Scenario[] = [
  define("DeleteRunner", "marks-deleting", "without force: desired phase DELETED, status DELETING", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    const runner = await getRunner(ctx, runnerId);
    assert.equal(runner.spec?.desiredPhase, RunnerPhase.DELETED);
    assert.equal(runner.status?.phase, RunnerPhase.DELETING);
  }),
  define("DeleteRunner", "again-while-deleting-accepted", "asking again while the runner is being deleted is accepted", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    await runnersOf(ctx).deleteRunner({ runnerId });
    assert.equal((await getRunner(ctx, runnerId)).status?.phase, RunnerPhase.DELETING);
  }),
  define("DeleteRunner", "force-removes-at-once", "with force: GetRunner is not_found at once, ListRunners leaves it out, a second delete is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId, force: true });
    await expectCode(runnersOf(ctx).getRunner({ runnerId }), Code.NotFound);
    const { items } = await listAllRunners(ctx, undefined);
    assert.ok(!items.some((r) => r.runnerId === runnerId), "ListRunners leaves the deleted runner out");
    await expectCode(runnersOf(ctx).deleteRunner({ runnerId }), Code.NotFound);
  }),
  define("DeleteRunner", "gone-after-grace-period", "without force, the runner is gone (not_found, not listed) 30 seconds later", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    const started = Date.now();
    await ctx.waitFor(
      "the deleted runner to be gone",
      async () => {
        try {
          await runnersOf(ctx).getRunner({ runnerId });
          return "present";
        } catch (error) {
          await expectCode(Promise.reject(ConnectError.from(error)), Code.NotFound);
          return "gone";
        }
      },
      (state) => state === "gone",
      { timeoutMs: 45_000 },
    );
    const { items } = await listAllRunners(ctx, undefined);
    assert.ok(!items.some((r) => r.runnerId === runnerId), "ListRunners leaves it out");
    // Without a frozen clock the grace period passes in real time: not much earlier than 30 s.
    assert.ok(Date.now() - started > 20_000, `the runner was gone after ${Date.now() - started} ms, before its 30-second grace period`);
  }, { timeoutMs: 60_000 }),
  define("DeleteRunner", "unknown-id-not-found", "deleting an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).deleteRunner({ runnerId: newId() }), Code.NotFound);
  }),
  define("DeleteRunner", "revokes-runner-tokens", "revokes every token issued for the runner: its exchange tokens are unauthenticated", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const { exchangeToken: second } = await runnersOf(ctx).createRunnerToken({ runnerId });
    await runnersOf(ctx).deleteRunner({ runnerId });
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).getRunner({ runnerId }), Code.Unauthenticated);
    await expectCode(ctx.clientWithToken(IdentityService, second).getAuthenticatedIdentity({}), Code.Unauthenticated);
  }),
  define("DeleteRunner", "removes-environment-classes", "removes the runner's environment classes at once, also without force", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const classId = await createEnvironmentClass(ctx, runnerId);
    await runnersOf(ctx).deleteRunner({ runnerId });
    await expectCode(ctx.client(RunnerConfigurationService).getEnvironmentClass({ environmentClassId: classId }), Code.NotFound);
  }),
  define("DeleteRunner", "removes-policies", "removes the runner's policies with it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: newId(), role: RunnerRole.ADMIN });
    await runnersOf(ctx).deleteRunner({ runnerId });
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies, []);
  }),
  define("DeleteRunner", "runner-token-permission-denied", "a runner may not delete runners, itself included", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).deleteRunner({ runnerId }), Code.PermissionDenied);
    assert.equal((await getRunner(ctx, runnerId)).status?.phase, RunnerPhase.CREATED);
  }),
  define("DeleteRunner", "other-organization-not-found", "another organization's delete of our runner is not_found, with or without force, and leaves it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const other = otherOrganization(ctx).client(RunnerService);
    await expectCode(other.deleteRunner({ runnerId }), Code.NotFound);
    await expectCode(other.deleteRunner({ runnerId, force: true }), Code.NotFound);
    assert.equal((await getRunner(ctx, runnerId)).status?.phase, RunnerPhase.CREATED);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "DeleteRunner", (c) => c.deleteRunner({ runnerId: newId() })),
];

// ---------------------------------------------------------------------------------------------
// CreateRunnerToken and CreateRunnerLogsToken

const runnerTokenScenarios: Scenario[] = [
  define("CreateRunnerToken", "returns-exchange-token-of-the-runner", "returns a new exchange_token that authenticates as the runner (PRINCIPAL_RUNNER, subject = runner id); access_token empty", async (ctx) => {
    const { runnerId, exchangeToken: first } = await createTestRunner(ctx);
    const res = await runnersOf(ctx).createRunnerToken({ runnerId });
    assert.notEqual(res.exchangeToken, "");
    assert.notEqual(res.exchangeToken, first, "a new token");
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- access_token is still part of the response; that it stays empty is what this checks
    assert.equal(res.accessToken, "");
    const identity = await ctx.clientWithToken(IdentityService, res.exchangeToken).getAuthenticatedIdentity({});
    assert.deepEqual([identity.subject?.id, identity.subject?.principal, identity.organizationId], [runnerId, Principal.RUNNER, ctx.fixtures.organizationId]);
  }),
  define("CreateRunnerToken", "earlier-tokens-stay-valid", "earlier tokens of the runner stay valid", async (ctx) => {
    const { runnerId, exchangeToken: first } = await createTestRunner(ctx);
    await runnersOf(ctx).createRunnerToken({ runnerId });
    const { runner } = await ctx.clientWithToken(RunnerService, first).getRunner({ runnerId });
    assert.equal(runner?.runnerId, runnerId);
  }),
  define("CreateRunnerToken", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).createRunnerToken({ runnerId: newId() }), Code.NotFound);
  }),
  define("CreateRunnerToken", "not-a-uuid-invalid", "an empty runner_id is invalid_argument naming runner_id", async (ctx) => {
    await expectCode(runnersOf(ctx).createRunnerToken({ runnerId: "" }), Code.InvalidArgument, { field: "runner_id" });
  }),
  define("CreateRunnerToken", "being-deleted-failed-precondition", "a runner being deleted gets no new token (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    await expectCode(runnersOf(ctx).createRunnerToken({ runnerId }), Code.FailedPrecondition);
  }),
  define("CreateRunnerToken", "runner-token-permission-denied", "a runner may not create runner tokens", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).createRunnerToken({ runnerId }), Code.PermissionDenied);
  }),
  define("CreateRunnerToken", "other-organization-not-found", "another organization gets no token for our runner (not_found)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).createRunnerToken({ runnerId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "CreateRunnerToken", (c, ctx) => c.createRunnerToken({ runnerId: ctx.fixtures.runnerId })),

  define("CreateRunnerLogsToken", "returns-logs-token", "returns a gitpod_logs_… access token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { accessToken } = await runnersOf(ctx).createRunnerLogsToken({ runnerId });
    assert.match(accessToken, /^gitpod_logs_/);
  }),
  define("CreateRunnerLogsToken", "not-an-api-credential", "the logs token is no API credential: a call with it is unauthenticated", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { accessToken } = await runnersOf(ctx).createRunnerLogsToken({ runnerId });
    await expectCode(ctx.clientWithToken(RunnerService, accessToken).getRunner({ runnerId }), Code.Unauthenticated);
  }),
  define("CreateRunnerLogsToken", "runner-for-itself", "a runner may create a logs token for itself", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const { accessToken } = await ctx.clientWithToken(RunnerService, exchangeToken).createRunnerLogsToken({ runnerId });
    assert.match(accessToken, /^gitpod_logs_/);
  }),
  define("CreateRunnerLogsToken", "runner-for-other-runner-permission-denied", "a runner asking for another runner's logs token is permission_denied", async (ctx) => {
    const { exchangeToken } = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).createRunnerLogsToken({ runnerId: other.runnerId }), Code.PermissionDenied);
  }),
  define("CreateRunnerLogsToken", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).createRunnerLogsToken({ runnerId: newId() }), Code.NotFound);
  }),
  define("CreateRunnerLogsToken", "being-deleted-failed-precondition", "a runner being deleted gets no logs token (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    await expectCode(runnersOf(ctx).createRunnerLogsToken({ runnerId }), Code.FailedPrecondition);
  }),
  define("CreateRunnerLogsToken", "other-organization-not-found", "another organization gets no logs token for our runner (not_found)", async (ctx) => {
    await expectCode(otherOrganization(ctx).client(RunnerService).createRunnerLogsToken({ runnerId: ctx.fixtures.runnerId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "CreateRunnerLogsToken", (c, ctx) => c.createRunnerLogsToken({ runnerId: ctx.fixtures.runnerId })),
];

// ---------------------------------------------------------------------------------------------
// The SCM RPCs

/** A runner of this scenario through which the caller is authenticated with `hosts`. */
async function scmRunner(ctx: ScenarioContext, hosts: readonly string[] = ["github.com"]) {
  const runner = await createTestRunner(ctx);
  for (const host of hosts) await authenticateWithHost(ctx, runner.runnerId, host);
  return runner;
}

const sha = "3f786850e387550fdab836ed7e6dc881de23001b";

const parseCases: [behaviour: string, url: string, git: Record<string, string>, scmId: string][] = [
  ["repository-url", "https://github.com/org/repo", { host: "github.com", owner: "org", repo: "repo", cloneUrl: "https://github.com/org/repo.git", branch: "main", tag: "", commit: "" }, "github"],
  ["clone-url", "https://github.com/org/repo.git", { owner: "org", repo: "repo", branch: "main" }, "github"],
  ["ssh-url", "ssh://git@github.com/org/repo.git", { host: "github.com", owner: "org", repo: "repo", branch: "main" }, "github"],
  ["branch-with-slash", "https://github.com/org/repo/tree/feature/login", { branch: "feature/login" }, "github"],
  ["blob-url-file-path", "https://github.com/org/repo/blob/release/2025.01/docs/CHANGES.md", { branch: "release/2025.01" }, "github"],
  ["release-tag", "https://github.com/org/repo/releases/tag/v1.0.0", { tag: "v1.0.0", branch: "" }, "github"],
  ["tree-tag", "https://github.com/org/repo/tree/v1.1.0", { tag: "v1.1.0", branch: "" }, "github"],
  ["commit-url", `https://github.com/org/repo/commit/${sha}`, { commit: sha, branch: "" }, "github"],
  ["fork-upstream", "https://github.com/alice/repo", { owner: "alice", upstreamRemoteUrl: "https://github.com/org/repo.git" }, "github"],
  ["default-branch-master", "https://github.com/gitpod-io/website", { owner: "gitpod-io", repo: "website", branch: "master" }, "github"],
  ["gitlab-subgroup", "https://gitlab.com/org/platform/api/-/tree/main", { host: "gitlab.com", owner: "org/platform", repo: "api" }, "gitlab"],
  ["bitbucket-src", "https://bitbucket.org/org/repo/src/develop/README.md", { host: "bitbucket.org", branch: "develop" }, "bitbucket"],
];

const parseScenarios: Scenario[] = [
  ...parseCases.map(([behaviour, contextUrl, git, scmId]) =>
    define("ParseContextURL", behaviour, `parses ${contextUrl}`, async (ctx) => {
      const { runnerId } = await scmRunner(ctx, [new URL(contextUrl).hostname]);
      const res = await runnersOf(ctx).parseContextURL({ runnerId, contextUrl });
      assert.equal(res.originalContextUrl, contextUrl, "original_context_url is the URL as sent");
      assert.equal(res.scmId, scmId);
      assert.deepEqual(res.projectIds, []);
      assert.ok(res.git, "git is set");
      const actual = Object.fromEntries(Object.keys(git).map((k) => [k, (res.git as unknown as Record<string, string>)[k]]));
      assert.deepEqual(actual, git);
    }),
  ),
  define("ParseContextURL", "pull-request", "describes a pull request: source branch and head SHA in git, pull_request and the deprecated pr", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo/pull/1" });
    assert.deepEqual([res.git?.branch, res.git?.commit], ["feature/login", sha]);
    assert.deepEqual([res.pullRequest?.id, res.pullRequest?.fromBranch, res.pullRequest?.toBranch, res.pullRequest?.url], ["1", "feature/login", "main", "https://github.com/org/repo/pull/1"]);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- pr is still served in its reduced form; that it mirrors pull_request is what this checks
    assert.deepEqual([res.pr?.id, res.pr?.fromBranch, res.pr?.toBranch], ["1", "feature/login", "main"]);
  }),
  define("ParseContextURL", "issue", "describes an issue on the default branch", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo/issues/3" });
    assert.equal(res.issue?.id, "3");
    assert.notEqual(res.issue?.title, "");
    assert.equal(res.git?.branch, "main");
  }),
  define("ParseContextURL", "recommended-environment-classes", "recommends the runner's enabled environment classes in creation order", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const a = await createEnvironmentClass(ctx, runnerId);
    const disabled = await createEnvironmentClass(ctx, runnerId);
    const b = await createEnvironmentClass(ctx, runnerId);
    await ctx.client(RunnerConfigurationService).updateEnvironmentClass({ environmentClassId: disabled, enabled: false });
    const res = await runnersOf(ctx).parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" });
    assert.deepEqual(res.recommendedEnvironmentClasses, [a, b]);
  }),
  ...(
    [
      ["malformed-url-invalid", "https://github.com/org", Code.InvalidArgument, "context_url"],
      ["not-a-url-invalid", "not a url", Code.InvalidArgument, "context_url"],
      ["scp-style-url-invalid", "git@github.com:org/repo.git", Code.InvalidArgument, "context_url"],
      ["unknown-host-failed-precondition", "https://unknown.example.com/org/repo", Code.FailedPrecondition, undefined],
      ["unknown-repository-not-found", "https://github.com/org/unknown-conformance", Code.NotFound, undefined],
      ["private-repository-permission-denied", "https://github.com/org/private-repo", Code.PermissionDenied, undefined],
      ["unknown-branch-not-found", "https://github.com/org/repo/tree/no-such-branch", Code.NotFound, undefined],
      ["unknown-pull-request-not-found", "https://github.com/org/repo/pull/99", Code.NotFound, undefined],
    ] as const
  ).map(([behaviour, contextUrl, code, field]) =>
    define("ParseContextURL", behaviour, `${contextUrl} is ${Code[code]}`, async (ctx) => {
      const { runnerId } = await scmRunner(ctx);
      await expectCode(runnersOf(ctx).parseContextURL({ runnerId, contextUrl }), code, field ? { field } : {});
    }),
  ),
  define("ParseContextURL", "azure-devops-unimplemented", "an Azure DevOps URL is unimplemented", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, []);
    await ctx.client(RunnerConfigurationService).createSCMIntegration({ runnerId, scmId: "azure-devops", host: "dev.example.com", pat: true });
    await expectCode(runnersOf(ctx).parseContextURL({ runnerId, contextUrl: "https://dev.example.com/org/project/_git/repo" }), Code.Unimplemented);
  }),
  define("ParseContextURL", "not-authenticated-failed-precondition", "without a host token for the host, failed_precondition", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, []);
    await expectCode(runnersOf(ctx).parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" }), Code.FailedPrecondition);
  }),
  define("ParseContextURL", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).parseContextURL({ runnerId: newId(), contextUrl: "https://github.com/org/repo" }), Code.NotFound);
  }),
  define("ParseContextURL", "runner-token-own-view", "a runner always parses through itself: another runner's id is permission_denied, and without a host token of its own it is not authenticated", async (ctx) => {
    const { exchangeToken } = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const asRunner = ctx.clientWithToken(RunnerService, exchangeToken);
    await expectCode(asRunner.parseContextURL({ runnerId: other.runnerId, contextUrl: "https://github.com/org/repo" }), Code.PermissionDenied);
    await expectCode(asRunner.parseContextURL({ contextUrl: "https://github.com/org/repo" }), Code.FailedPrecondition);
  }),
  define("ParseContextURL", "other-organization-not-found", "another organization parsing through our runner is not_found", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "ParseContextURL", (c, ctx) => c.parseContextURL({ runnerId: ctx.fixtures.runnerId, contextUrl: "https://github.com/org/repo" })),
];

const githubRepositoryNames = ["empty", "gitpod", "repo", "repo", "template-python-flask", "template-typescript-node", "website"];

const searchScenarios: Scenario[] = [
  define("SearchRepositories", "lists-readable-repositories-in-natural-order", "lists the readable repositories of the authenticated hosts in natural order, private ones left out", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).searchRepositories({ runnerId });
    assert.deepEqual(res.repositories.map((r) => r.name), githubRepositoryNames);
    assert.ok(res.repositories.some((r) => r.url === "https://github.com/org/repo"));
    assert.ok(!res.repositories.some((r) => r.url === "https://github.com/org/private-repo"), "org/private-repo is nobody's to read");
    assert.equal(res.pagination?.nextToken, "");
  }),
  define("SearchRepositories", "keyword-search", "KEYWORD: every word occurs in owner/name", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).searchRepositories({ runnerId, searchMode: SearchMode.KEYWORD, searchString: "TEMPLATE node" });
    assert.deepEqual(res.repositories.map((r) => r.name), ["template-typescript-node"]);
    const unspecified = await runnersOf(ctx).searchRepositories({ runnerId, searchString: "template" });
    assert.deepEqual(unspecified.repositories.map((r) => r.name), ["template-python-flask", "template-typescript-node"]);
  }),
  define("SearchRepositories", "native-qualifiers", "NATIVE: org:, repo:, fork: qualifiers", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const search = async (searchString: string) =>
      (await runnersOf(ctx).searchRepositories({ runnerId, searchMode: SearchMode.NATIVE, searchString })).repositories.map((r) => r.url);
    assert.deepEqual(await search("org:gitpod-io template"), ["https://github.com/gitpod-io/template-python-flask", "https://github.com/gitpod-io/template-typescript-node"]);
    assert.deepEqual(await search("repo:org/repo"), ["https://github.com/org/repo"]);
    assert.deepEqual(await search("user:alice fork:only"), ["https://github.com/alice/repo"]);
  }),
  define("SearchRepositories", "unknown-native-qualifier-invalid", "an unknown NATIVE qualifier is invalid_argument naming search_string", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).searchRepositories({ runnerId, searchMode: SearchMode.NATIVE, searchString: "stars:>10" }), Code.InvalidArgument, { field: "search_string" });
  }),
  define("SearchRepositories", "pages-with-documented-tokens", "pages with NEXT_PAGE/TOTAL_PAGES/TOTAL_COUNT tokens to an empty next_token; a page past the last is empty", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const first = await runnersOf(ctx).searchRepositories({ runnerId, pagination: { pageSize: 2 } });
    assert.equal(first.pagination?.nextToken, "2/4/7");
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- last_page is still served (the total pages); its value is what this checks
    assert.equal(first.lastPage, 4);
    const { items, pages } = await walkPages("SearchRepositories", 2, async (token) => {
      const res = await runnersOf(ctx).searchRepositories({ runnerId, pagination: { pageSize: 2, token } });
      return { items: res.repositories, nextToken: res.pagination?.nextToken ?? "" };
    });
    assert.equal(pages, 4);
    assert.deepEqual(items.map((r) => r.name), githubRepositoryNames);
    assertNoDuplicates("SearchRepositories", items.map((r) => r.url));
    assert.deepEqual((await runnersOf(ctx).searchRepositories({ runnerId, pagination: { pageSize: 2, token: "9/4/7" } })).repositories, []);
  }),
  define("SearchRepositories", "deprecated-limit", "takes the page size from the deprecated limit when pagination.page_size is unset", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated limit is still honoured when pagination.page_size is unset; that is what this checks
    assert.equal((await runnersOf(ctx).searchRepositories({ runnerId, limit: 3 })).repositories.length, 3);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated limit is still accepted; that pagination.page_size wins over it is what this checks
    assert.equal((await runnersOf(ctx).searchRepositories({ runnerId, limit: 3, pagination: { pageSize: 5 } })).repositories.length, 5);
  }),
  define("SearchRepositories", "limit-over-100-invalid", "a limit over 100 is invalid_argument naming limit", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- limit is still validated (1-100); that check is what this scenario is about
    await expectCode(runnersOf(ctx).searchRepositories({ runnerId, limit: 101 }), Code.InvalidArgument, { field: "limit" });
  }),
  define("SearchRepositories", "bad-page-token-invalid", "a page token not of the documented form is invalid_argument naming pagination.token", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).searchRepositories({ runnerId, pagination: { token: "abc" } }), Code.InvalidArgument, { field: "pagination.token" });
  }),
  define("SearchRepositories", "no-authenticated-host-empty", "without a working token on any host, the list is empty", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, []);
    const res = await runnersOf(ctx).searchRepositories({ runnerId });
    assert.deepEqual(res.repositories, []);
  }),
  define("SearchRepositories", "scm-host-not-authenticated-failed-precondition", "an scm_host the caller is not authenticated with is failed_precondition", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).searchRepositories({ runnerId, scmHost: "gitlab.com" }), Code.FailedPrecondition);
    await expectCode(runnersOf(ctx).searchRepositories({ runnerId, scmHost: "unknown.example.com" }), Code.FailedPrecondition);
  }),
  define("SearchRepositories", "scm-host-restricts", "scm_host restricts the search to that host", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, ["github.com", "gitlab.com"]);
    const res = await runnersOf(ctx).searchRepositories({ runnerId, scmHost: "GitLab.com", pagination: { pageSize: 100 } });
    assert.ok(res.repositories.length > 0);
    assert.ok(res.repositories.every((r) => r.url.startsWith("https://gitlab.com/")), "only gitlab.com repositories");
  }),
  define("SearchRepositories", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).searchRepositories({ runnerId: newId() }), Code.NotFound);
  }),
  define("SearchRepositories", "other-organization-not-found", "another organization searching through our runner is not_found", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).searchRepositories({ runnerId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "SearchRepositories", (c, ctx) => c.searchRepositories({ runnerId: ctx.fixtures.runnerId })),
];

const scmOrganizationScenarios: Scenario[] = [
  define("ListSCMOrganizations", "lists-memberships", "lists the caller's organizations on the host in natural order, with url https://HOST/NAME", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "github.com" });
    assert.deepEqual(res.organizations.map((o) => [o.name, o.url]), [
      ["gitpod-io", "https://github.com/gitpod-io"],
      ["org", "https://github.com/org"],
    ]);
    assert.equal(res.pagination?.nextToken, "");
  }),
  define("ListSCMOrganizations", "query-on-gitlab-only", "query filters by case-insensitive substring on GitLab hosts only", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, ["github.com", "gitlab.com"]);
    const names = async (scmHost: string, query: string) => (await runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost, query })).organizations.map((o) => o.name);
    assert.deepEqual(await names("gitlab.com", "PLAT"), ["org/platform"]);
    assert.deepEqual(await names("github.com", "nothing"), ["gitpod-io", "org"]);
  }),
  define("ListSCMOrganizations", "pages", "pages of 2 through the host's organizations to an empty next_token", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, ["gitlab.com"]);
    const { items, pages } = await walkPages("ListSCMOrganizations", 2, async (token) => {
      const res = await runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "gitlab.com", pagination: { pageSize: 2, token } });
      return { items: res.organizations, nextToken: res.pagination?.nextToken ?? "" };
    });
    assert.equal(pages, 2);
    assert.deepEqual(items.map((o) => o.name), ["gitpod-io", "org", "org/platform"]);
  }),
  define("ListSCMOrganizations", "tampered-page-token-invalid", "a tampered page token, or one reused with another query, is invalid_argument naming pagination.token", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, ["gitlab.com"]);
    const first = await runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "gitlab.com", pagination: { pageSize: 2 } });
    const token = first.pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "gitlab.com", pagination: { pageSize: 2, token: tamper(token) } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "gitlab.com", query: "org", pagination: { pageSize: 2, token } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
  }),
  define("ListSCMOrganizations", "not-authenticated-failed-precondition", "a host the caller is not authenticated with is failed_precondition", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "bitbucket.org" }), Code.FailedPrecondition);
  }),
  define("ListSCMOrganizations", "unknown-host-failed-precondition", "a host no SCM serves is failed_precondition", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "unknown.example.com" }), Code.FailedPrecondition);
  }),
  define("ListSCMOrganizations", "bad-host-invalid", "an empty scm_host, or one with a scheme, is invalid_argument naming scm_host", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "" }), Code.InvalidArgument, { field: "scm_host" });
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId, scmHost: "https://github.com" }), Code.InvalidArgument, { field: "scm_host" });
  }),
  define("ListSCMOrganizations", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).listSCMOrganizations({ runnerId: newId(), scmHost: "github.com" }), Code.NotFound);
  }),
  define("ListSCMOrganizations", "other-organization-not-found", "another organization listing through our runner is not_found", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).listSCMOrganizations({ runnerId, scmHost: "github.com" }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "ListSCMOrganizations", (c, ctx) => c.listSCMOrganizations({ runnerId: ctx.fixtures.runnerId, scmHost: "github.com" })),
];

const checkAuthenticationScenarios: Scenario[] = [
  define("CheckAuthenticationForHost", "authenticated-with-host-token", "a caller with a host token is authenticated; the SCM and its PAT method are described", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "github.com" });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- pat_supported is still served and mirrors supports_pat; that is part of what this checks
    assert.deepEqual([res.authenticated, res.scmId, res.scmName, res.patSupported], [true, "github", "GitHub", true]);
    assert.ok(res.supportsPat, "supports_pat is set for a well-known host");
    assert.match(res.supportsPat.createUrl, /^https:\/\/github\.com\//);
    assert.ok(res.supportsPat.requiredScopes.length > 0, "required scopes are listed");
    assert.equal(res.supportsOauth2, undefined, "no OAuth without an SCM integration with an OAuth app");
    assert.equal((await runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "GITHUB.COM" })).authenticated, true, "host names compare case-insensitively");
  }),
  define("CheckAuthenticationForHost", "not-authenticated-without-token", "a caller without a host token is not authenticated", async (ctx) => {
    const { runnerId } = await scmRunner(ctx, []);
    const res = await runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "bitbucket.org" });
    assert.deepEqual([res.authenticated, res.scmId, res.scmName], [false, "bitbucket", "Bitbucket"]);
  }),
  define("CheckAuthenticationForHost", "expired-token-not-authenticated", "an expired host token is no authentication", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerConfigurationService).createHostAuthenticationToken({
      runnerId,
      host: "github.com",
      token: "ghp_expired",
      source: HostAuthenticationTokenSource.PAT,
      expiresAt: timestampFromMs(Date.now() - 3_600_000),
    });
    assert.equal((await runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "github.com" })).authenticated, false);
  }),
  define("CheckAuthenticationForHost", "oauth-from-integration", "offers OAuth where the runner's SCM integration has an OAuth app (auth_url with client_id and response_type=code)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerConfigurationService).createSCMIntegration({
      runnerId,
      scmId: "gitlab",
      host: "git.example.com",
      oauthClientId: "client-123",
      oauthPlaintextClientSecret: "secret-123",
      pat: true,
    });
    const res = await runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "git.example.com" });
    assert.deepEqual([res.authenticated, res.scmId], [false, "gitlab"]);
    assert.ok(res.supportsOauth2, "supports_oauth2 is set");
    const url = new URL(res.supportsOauth2.authUrl);
    assert.equal(url.host, "git.example.com");
    assert.equal(url.searchParams.get("client_id"), "client-123");
    assert.equal(url.searchParams.get("response_type"), "code");
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- authentication_url is still served and mirrors supports_oauth2.auth_url; that is part of what this checks
    assert.equal(res.authenticationUrl, res.supportsOauth2.authUrl, "the deprecated authentication_url mirrors it");
    assert.ok(res.supportsPat, "PATs are allowed by the integration");
  }),
  define("CheckAuthenticationForHost", "pat-off-in-integration", "an integration without PATs offers no PAT method", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerConfigurationService).createSCMIntegration({
      runnerId,
      scmId: "bitbucket",
      host: "bb.example.com",
      oauthClientId: "bb-client",
      oauthPlaintextClientSecret: "bb-secret",
      pat: false,
    });
    const res = await runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "bb.example.com" });
    assert.equal(res.supportsPat, undefined);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- pat_supported is still served and mirrors supports_pat; that is part of what this checks
    assert.equal(res.patSupported, false);
    assert.ok(res.supportsOauth2);
  }),
  define("CheckAuthenticationForHost", "unknown-host-failed-precondition", "a host the runner knows no SCM for is failed_precondition", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).checkAuthenticationForHost({ runnerId, host: "unknown.example.com" }), Code.FailedPrecondition);
  }),
  ...(
    [
      ["empty-host-invalid", ""],
      ["host-with-scheme-invalid", "https://github.com"],
      ["host-with-space-invalid", "github com"],
    ] as const
  ).map(([behaviour, host]) =>
    define("CheckAuthenticationForHost", behaviour, `the host ${JSON.stringify(host)} is invalid_argument naming host`, async (ctx) => {
      await expectCode(runnersOf(ctx).checkAuthenticationForHost({ runnerId: ctx.fixtures.runnerId, host }), Code.InvalidArgument, { field: "host" });
    }),
  ),
  define("CheckAuthenticationForHost", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).checkAuthenticationForHost({ runnerId: newId(), host: "github.com" }), Code.NotFound);
  }),
  define("CheckAuthenticationForHost", "other-organization-not-found", "another organization checking through our runner is not_found", async (ctx) => {
    await expectCode(otherOrganization(ctx).client(RunnerService).checkAuthenticationForHost({ runnerId: ctx.fixtures.runnerId, host: "github.com" }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "CheckAuthenticationForHost", (c, ctx) => c.checkAuthenticationForHost({ runnerId: ctx.fixtures.runnerId, host: "github.com" })),
];

const checkRepositoryScenarios: Scenario[] = [
  ...(
    [
      ["public-repository", "https://github.com/org/repo"],
      ["public-repository-clone-url", "https://github.com/org/repo.git"],
      ["public-repository-ssh-url", "ssh://git@github.com/org/repo.git"],
    ] as const
  ).map(([behaviour, repositoryUrl]) =>
    define("CheckRepositoryAccess", behaviour, `grants access to the public repository ${repositoryUrl}`, async (ctx) => {
      const { runnerId } = await scmRunner(ctx);
      const res = await runnersOf(ctx).checkRepositoryAccess({ runnerId, repositoryUrl });
      assert.deepEqual([res.hasAccess, res.errorMessage], [true, ""]);
    }),
  ),
  define("CheckRepositoryAccess", "unknown-repository-no-access", "an unknown repository is has_access false with an error message, not an error", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/nothing-here" });
    assert.equal(res.hasAccess, false);
    assert.notEqual(res.errorMessage, "");
  }),
  define("CheckRepositoryAccess", "private-repository-no-access", "a private repository the caller may not read is has_access false with an error message", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    const res = await runnersOf(ctx).checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/private-repo" });
    assert.equal(res.hasAccess, false);
    assert.notEqual(res.errorMessage, "");
  }),
  define("CheckRepositoryAccess", "not-authenticated-failed-precondition", "not authenticated with the host is failed_precondition", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).checkRepositoryAccess({ runnerId, repositoryUrl: "https://bitbucket.org/org/repo" }), Code.FailedPrecondition);
  }),
  define("CheckRepositoryAccess", "unknown-host-failed-precondition", "a host no SCM serves is failed_precondition", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(runnersOf(ctx).checkRepositoryAccess({ runnerId, repositoryUrl: "https://unknown.example.com/a/b" }), Code.FailedPrecondition);
  }),
  ...(
    [
      ["no-repository-invalid", "https://github.com/org"],
      ["mailto-invalid", "mailto:someone@example.com"],
    ] as const
  ).map(([behaviour, repositoryUrl]) =>
    define("CheckRepositoryAccess", behaviour, `${repositoryUrl} is invalid_argument naming repository_url`, async (ctx) => {
      const { runnerId } = await scmRunner(ctx);
      await expectCode(runnersOf(ctx).checkRepositoryAccess({ runnerId, repositoryUrl }), Code.InvalidArgument, { field: "repository_url" });
    }),
  ),
  define("CheckRepositoryAccess", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).checkRepositoryAccess({ runnerId: newId(), repositoryUrl: "https://github.com/org/repo" }), Code.NotFound);
  }),
  define("CheckRepositoryAccess", "other-organization-not-found", "another organization checking through our runner is not_found", async (ctx) => {
    const { runnerId } = await scmRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/repo" }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "CheckRepositoryAccess", (c, ctx) =>
    c.checkRepositoryAccess({ runnerId: ctx.fixtures.runnerId, repositoryUrl: "https://github.com/org/repo" }),
  ),
];

// ---------------------------------------------------------------------------------------------
// Runner policies

const policyScenarios: Scenario[] = [
  define("ListRunnerPolicies", "pages-in-creation-order", "pages of 2 through a runner's policies in creation order to an empty next_token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groups = Array.from({ length: 5 }, () => newId());
    for (const [i, groupId] of groups.entries()) await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: i % 2 ? RunnerRole.ADMIN : RunnerRole.USER });
    const { items, pages } = await walkPages("ListRunnerPolicies", 2, async (token) => {
      const res = await runnersOf(ctx).listRunnerPolicies({ runnerId, pagination: { pageSize: 2, token } });
      return { items: res.policies, nextToken: res.pagination?.nextToken ?? "" };
    });
    assert.equal(pages, 3);
    assert.deepEqual(items.map((p) => [p.groupId, p.role]), groups.map((g, i) => [g, i % 2 ? RunnerRole.ADMIN : RunnerRole.USER]));
  }),
  define("ListRunnerPolicies", "empty-for-new-runner", "a new runner has no policies", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const res = await runnersOf(ctx).listRunnerPolicies({ runnerId });
    assert.deepEqual([res.policies, res.pagination?.nextToken ?? ""], [[], ""]);
  }),
  define("ListRunnerPolicies", "page-token-of-other-runner-invalid", "a tampered page token, or one of another runner, is invalid_argument naming pagination.token", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    for (let i = 0; i < 3; i++) await runnersOf(ctx).createRunnerPolicy({ runnerId: a.runnerId, groupId: newId(), role: RunnerRole.USER });
    const token = (await runnersOf(ctx).listRunnerPolicies({ runnerId: a.runnerId, pagination: { pageSize: 2 } })).pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(runnersOf(ctx).listRunnerPolicies({ runnerId: a.runnerId, pagination: { pageSize: 2, token: tamper(token) } }), Code.InvalidArgument, { field: "pagination.token" });
    await expectCode(runnersOf(ctx).listRunnerPolicies({ runnerId: b.runnerId, pagination: { pageSize: 2, token } }), Code.InvalidArgument, { field: "pagination.token" });
  }),
  define("ListRunnerPolicies", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).listRunnerPolicies({ runnerId: newId() }), Code.NotFound);
  }),
  define("ListRunnerPolicies", "runner-token-lists-own", "a runner may list its own policies", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER });
    const res = await ctx.clientWithToken(RunnerService, exchangeToken).listRunnerPolicies({ runnerId });
    assert.deepEqual(res.policies.map((p) => p.groupId), [groupId]);
  }),
  define("ListRunnerPolicies", "other-organization-not-found", "another organization listing our runner's policies is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).listRunnerPolicies({ runnerId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "ListRunnerPolicies", (c, ctx) => c.listRunnerPolicies({ runnerId: ctx.fixtures.runnerId })),

  define("CreateRunnerPolicy", "returns-policy", "returns the policy with the group and role given, and lists it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    const { policy } = await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.ADMIN });
    assert.deepEqual([policy?.groupId, policy?.role], [groupId, RunnerRole.ADMIN]);
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies.map((p) => [p.groupId, p.role]), [[groupId, RunnerRole.ADMIN]]);
  }),
  define("CreateRunnerPolicy", "duplicate-already-exists", "a second policy for the same runner and group is already_exists; the same group on another runner is fine", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER });
    await expectCode(runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.ADMIN }), Code.AlreadyExists);
    await runnersOf(ctx).createRunnerPolicy({ runnerId: other.runnerId, groupId, role: RunnerRole.ADMIN });
  }),
  define("CreateRunnerPolicy", "concurrent-duplicates-one-wins", "of 6 concurrent creates for one group exactly one wins, the others are already_exists", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER })));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, "exactly one create succeeds");
    for (const r of results) if (r.status === "rejected") await expectCode(Promise.reject(ConnectError.from(r.reason)), Code.AlreadyExists);
    assert.equal((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies.length, 1);
  }),
  define("CreateRunnerPolicy", "unspecified-role-invalid", "role UNSPECIFIED is invalid_argument naming role", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: newId(), role: RunnerRole.UNSPECIFIED }), Code.InvalidArgument, { field: "role" });
  }),
  define("CreateRunnerPolicy", "undefined-role-invalid", "an undefined role is invalid_argument naming role", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: newId(), role: 9 as RunnerRole }), Code.InvalidArgument, { field: "role" });
  }),
  define("CreateRunnerPolicy", "group-not-uuid-invalid", "a group_id that is no UUID is invalid_argument naming group_id", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: "admins", role: RunnerRole.USER }), Code.InvalidArgument, { field: "group_id" });
  }),
  define("CreateRunnerPolicy", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).createRunnerPolicy({ runnerId: newId(), groupId: newId(), role: RunnerRole.USER }), Code.NotFound);
  }),
  define("CreateRunnerPolicy", "being-deleted-failed-precondition", "a runner being deleted gets no new policy (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await runnersOf(ctx).deleteRunner({ runnerId });
    await expectCode(runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: newId(), role: RunnerRole.USER }), Code.FailedPrecondition);
  }),
  define("CreateRunnerPolicy", "runner-token-permission-denied", "a runner may not create policies", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).createRunnerPolicy({ runnerId, groupId: newId(), role: RunnerRole.USER }), Code.PermissionDenied);
  }),
  define("CreateRunnerPolicy", "other-organization-not-found", "another organization creating a policy on our runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerService).createRunnerPolicy({ runnerId, groupId: newId(), role: RunnerRole.USER }), Code.NotFound);
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies, []);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "CreateRunnerPolicy", (c, ctx) => c.createRunnerPolicy({ runnerId: ctx.fixtures.runnerId, groupId: newId(), role: RunnerRole.USER })),

  define("UpdateRunnerPolicy", "changes-role", "changes the group's role and returns the policy", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.ADMIN });
    const { policy } = await runnersOf(ctx).updateRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER });
    assert.deepEqual([policy?.groupId, policy?.role], [groupId, RunnerRole.USER]);
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies.map((p) => p.role), [RunnerRole.USER]);
  }),
  define("UpdateRunnerPolicy", "missing-policy-not-found", "updating a policy that does not exist is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(runnersOf(ctx).updateRunnerPolicy({ runnerId, groupId: newId(), role: RunnerRole.ADMIN }), Code.NotFound);
  }),
  define("UpdateRunnerPolicy", "unspecified-role-invalid", "role UNSPECIFIED is invalid_argument naming role", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.ADMIN });
    await expectCode(runnersOf(ctx).updateRunnerPolicy({ runnerId, groupId, role: RunnerRole.UNSPECIFIED }), Code.InvalidArgument, { field: "role" });
  }),
  define("UpdateRunnerPolicy", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(runnersOf(ctx).updateRunnerPolicy({ runnerId: newId(), groupId: newId(), role: RunnerRole.USER }), Code.NotFound);
  }),
  define("UpdateRunnerPolicy", "runner-token-permission-denied", "a runner may not update policies", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.ADMIN });
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).updateRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER }), Code.PermissionDenied);
  }),
  define("UpdateRunnerPolicy", "other-organization-not-found", "another organization updating our runner's policy is not_found and changes nothing", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.ADMIN });
    await expectCode(otherOrganization(ctx).client(RunnerService).updateRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER }), Code.NotFound);
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies.map((p) => p.role), [RunnerRole.ADMIN]);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "UpdateRunnerPolicy", (c, ctx) => c.updateRunnerPolicy({ runnerId: ctx.fixtures.runnerId, groupId: newId(), role: RunnerRole.USER })),

  define("DeleteRunnerPolicy", "removes-policy", "removes the policy; the others stay", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const [keep, drop] = [newId(), newId()];
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: keep, role: RunnerRole.USER });
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId: drop, role: RunnerRole.USER });
    await runnersOf(ctx).deleteRunnerPolicy({ runnerId, groupId: drop });
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies.map((p) => p.groupId), [keep]);
  }),
  define("DeleteRunnerPolicy", "missing-policy-not-found", "deleting a missing policy (or one already deleted) is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER });
    await runnersOf(ctx).deleteRunnerPolicy({ runnerId, groupId });
    await expectCode(runnersOf(ctx).deleteRunnerPolicy({ runnerId, groupId }), Code.NotFound);
    await expectCode(runnersOf(ctx).deleteRunnerPolicy({ runnerId, groupId: newId() }), Code.NotFound);
  }),
  define("DeleteRunnerPolicy", "runner-token-permission-denied", "a runner may not delete policies", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER });
    await expectCode(ctx.clientWithToken(RunnerService, exchangeToken).deleteRunnerPolicy({ runnerId, groupId }), Code.PermissionDenied);
  }),
  define("DeleteRunnerPolicy", "other-organization-not-found", "another organization deleting our runner's policy is not_found and leaves it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const groupId = newId();
    await runnersOf(ctx).createRunnerPolicy({ runnerId, groupId, role: RunnerRole.USER });
    await expectCode(otherOrganization(ctx).client(RunnerService).deleteRunnerPolicy({ runnerId, groupId }), Code.NotFound);
    assert.deepEqual((await runnersOf(ctx).listRunnerPolicies({ runnerId })).policies.map((p) => p.groupId), [groupId]);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerService, "DeleteRunnerPolicy", (c, ctx) => c.deleteRunnerPolicy({ runnerId: ctx.fixtures.runnerId, groupId: newId() })),
];

export const runnerServiceScenarios: Scenario[] = [
  ...createRunnerScenarios,
  ...getRunnerScenarios,
  ...listRunnersScenarios,
  ...updateRunnerScenarios,
  ...deleteRunnerScenarios,
  ...runnerTokenScenarios,
  ...parseScenarios,
  ...searchScenarios,
  ...scmOrganizationScenarios,
  ...checkAuthenticationScenarios,
  ...checkRepositoryScenarios,
  ...policyScenarios,
];
