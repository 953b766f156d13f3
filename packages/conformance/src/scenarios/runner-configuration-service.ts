// RunnerConfigurationService: every RPC's documented behaviour (server README, "Semantics:
// RunnerConfigurationService"). Each scenario configures a runner of its own (deleted with force
// when it ends: its classes, integrations and tokens go with it), so lists can be filtered to it;
// secrets sent in clear (host token values, OAuth client secrets, LLM API keys) must never come
// back, in any response, in any encoding.
import assert from "node:assert/strict";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { LLMIntegrationPhase, SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  CreateHostAuthenticationTokenResponseSchema,
  CreateLLMIntegrationResponseSchema,
  GetHostAuthenticationTokenResponseSchema,
  GetLLMIntegrationResponseSchema,
  GetSCMIntegrationResponseSchema,
  HostAuthenticationTokenSource,
  LLMIntegrationRequestHeaderType,
  LLMProvider,
  ListHostAuthenticationTokensResponseSchema,
  ListLLMIntegrationsResponseSchema,
  ListSCMIntegrationsResponseSchema,
  RunnerConfigurationService,
  ValidateRunnerConfigurationResponseSchema,
  type EnvironmentClassValidationResult,
  type SCMIntegrationValidationResult,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { expectCode } from "../expect.js";
import type { Scenario, ScenarioContext } from "../scenario.js";
import {
  assertNoDuplicates,
  assertNoSecrets,
  assertOursInOrder,
  callerSubject,
  createEnvironmentClass,
  createTestRunner,
  isolation,
  newId,
  otherOrganization,
  scenarioFactory,
  smallShape,
  tamper,
  unauthenticatedScenarios,
  uuidPattern,
  walkPages,
} from "./runner-support.js";

const define = scenarioFactory("RunnerConfigurationService");
const config = (ctx: ScenarioContext) => ctx.client(RunnerConfigurationService);
const asRunner = (ctx: ScenarioContext, token: string) => ctx.clientWithToken(RunnerConfigurationService, token);
const secretValue = (what: string) => `${what}_SECRET_${newId().replace(/-/g, "")}`;

// ---------------------------------------------------------------------------------------------
// Host authentication tokens

async function createHostToken(ctx: ScenarioContext, runnerId: string, host: string, extra: Record<string, unknown> = {}) {
  const res = await config(ctx).createHostAuthenticationToken({ runnerId, host, token: secretValue("ghp"), source: HostAuthenticationTokenSource.PAT, ...extra });
  assert.ok(res.token, "CreateHostAuthenticationToken answered no token");
  return res.token;
}

async function listHostTokens(ctx: ScenarioContext, filter: Record<string, string>, pageSize = 2, client = config(ctx)) {
  const walked = await walkPages("ListHostAuthenticationTokens", pageSize, async (token) => {
    const res = await client.listHostAuthenticationTokens({ filter, pagination: { pageSize, token } });
    return { items: res.tokens, nextToken: res.pagination?.nextToken ?? "" };
  });
  assertNoDuplicates("ListHostAuthenticationTokens", walked.items.map((t) => t.id));
  return walked;
}

const hostTokenScenarios: Scenario[] = [
  define("CreateHostAuthenticationToken", "returns-token-for-caller", "stores a token for the caller by default with a normalized host, and returns it without its value", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const subject = await callerSubject(ctx);
    const expiresAt = timestampFromMs(Date.UTC(2030, 0, 1));
    const res = await config(ctx).createHostAuthenticationToken({
      runnerId,
      host: "GitHub.COM.",
      token: "gho_conformance_value",
      refreshToken: "ghr_conformance_refresh",
      source: HostAuthenticationTokenSource.OAUTH,
      expiresAt,
      scopes: ["repo", "read:user"],
    });
    const t = res.token!;
    assert.match(t.id, uuidPattern);
    assert.deepEqual([t.runnerId, t.host, t.source, t.scopes, t.integrationId], [runnerId, "github.com", HostAuthenticationTokenSource.OAUTH, ["repo", "read:user"], ""]);
    assert.deepEqual([t.subject?.id, t.subject?.principal], [subject.id, subject.principal], "the owner is the caller");
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the API still documents user_id as the owner's id for users; that is what this checks
    if (subject.principal === Principal.USER) assert.equal(t.userId, subject.id, "user_id is the owner's id for users");
    assert.equal(t.expiresAt?.seconds, expiresAt.seconds);
  }),
  define("CreateHostAuthenticationToken", "secrets-never-returned", "the token and refresh token are never returned: not by Create, Get or List", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const [value, refresh] = [secretValue("ghp"), secretValue("ghr")];
    const created = await config(ctx).createHostAuthenticationToken({ runnerId, host: "github.com", token: value, refreshToken: refresh, source: HostAuthenticationTokenSource.OAUTH });
    assertNoSecrets("CreateHostAuthenticationToken", CreateHostAuthenticationTokenResponseSchema, created, [value, refresh]);
    const got = await config(ctx).getHostAuthenticationToken({ id: created.token!.id });
    assertNoSecrets("GetHostAuthenticationToken", GetHostAuthenticationTokenResponseSchema, got, [value, refresh]);
    const listed = await config(ctx).listHostAuthenticationTokens({ filter: { runnerId }, pagination: { pageSize: 100 } });
    assert.equal(listed.tokens.length, 1);
    assertNoSecrets("ListHostAuthenticationTokens", ListHostAuthenticationTokensResponseSchema, listed, [value, refresh]);
  }),
  define("CreateHostAuthenticationToken", "duplicate-already-exists", "a second token of the same owner, runner and host is already_exists; another runner may hold one for that host", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    await createHostToken(ctx, a.runnerId, "gitlab.com");
    await expectCode(createHostToken(ctx, a.runnerId, "GITLAB.com"), Code.AlreadyExists);
    await createHostToken(ctx, b.runnerId, "gitlab.com");
  }),
  ...(
    [
      ["host-with-scheme-invalid", { host: "https://github.com/org" }, "host"],
      ["host-with-space-invalid", { host: "bad host" }, "host"],
      ["empty-host-invalid", { host: "" }, "host"],
      ["empty-token-invalid", { token: "" }, "token"],
      ["undefined-source-invalid", { source: 7 as HostAuthenticationTokenSource }, "source"],
      ["empty-scope-invalid", { scopes: ["repo", " "] }, "scopes[1]"],
      ["runner-subject-invalid", { subject: { id: "00000000-0000-4000-8000-000000000001", principal: Principal.RUNNER } }, "subject.principal"],
    ] as const
  ).map(([behaviour, change, field]) =>
    define("CreateHostAuthenticationToken", behaviour, `${JSON.stringify(change)} is invalid_argument naming ${field}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx);
      await expectCode(
        config(ctx).createHostAuthenticationToken({ runnerId, host: "github.com", token: "ghp_x", source: HostAuthenticationTokenSource.PAT, ...(change as Record<string, unknown>) }),
        Code.InvalidArgument,
        { field },
      );
    }),
  ),
  define("CreateHostAuthenticationToken", "unknown-user-not-found", "an owner that is no user of the organization is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(createHostToken(ctx, runnerId, "github.com", { subject: { id: newId(), principal: Principal.USER } }), Code.NotFound, { field: "user" });
  }),
  define("CreateHostAuthenticationToken", "unknown-integration-not-found", "an integration_id that is no SCM integration of the organization is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(createHostToken(ctx, runnerId, "github.com", { integrationId: newId() }), Code.NotFound);
  }),
  define("CreateHostAuthenticationToken", "integration-of-other-host-invalid", "an integration for another host is invalid_argument naming integration_id; for the same host it is kept", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id: integrationId } = await config(ctx).createSCMIntegration({ runnerId, scmId: "gitlab", host: "git.example.com", pat: true });
    await expectCode(createHostToken(ctx, runnerId, "other.example.com", { integrationId }), Code.InvalidArgument, { field: "integration_id" });
    const token = await createHostToken(ctx, runnerId, "GIT.example.com", { integrationId });
    assert.equal(token.integrationId, integrationId);
  }),
  define("CreateHostAuthenticationToken", "expired-accepted", "an expires_at in the past is accepted (expiry is reported, not enforced)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const token = await createHostToken(ctx, runnerId, "github.com", { expiresAt: timestampFromMs(Date.UTC(2001, 0, 1)) });
    assert.equal(token.expiresAt?.seconds, BigInt(Date.UTC(2001, 0, 1) / 1000));
  }),
  define("CreateHostAuthenticationToken", "runner-must-name-owner", "a runner must name the owner (invalid_argument subject), and may not create for another runner (permission_denied)", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const runner = asRunner(ctx, exchangeToken);
    await expectCode(runner.createHostAuthenticationToken({ runnerId, host: "github.com", token: "ghp_x", source: HostAuthenticationTokenSource.PAT }), Code.InvalidArgument, {
      field: "subject",
    });
    const subject = await callerSubject(ctx);
    await expectCode(
      runner.createHostAuthenticationToken({ runnerId: other.runnerId, host: "github.com", token: "ghp_x", source: HostAuthenticationTokenSource.PAT, subject }),
      Code.PermissionDenied,
    );
  }),
  define("CreateHostAuthenticationToken", "runner-being-deleted-failed-precondition", "a runner being deleted gets no new token (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerService).deleteRunner({ runnerId });
    await expectCode(createHostToken(ctx, runnerId, "github.com"), Code.FailedPrecondition);
  }),
  define("CreateHostAuthenticationToken", "unknown-runner-not-found", "an unknown runner is not_found naming runner", async (ctx) => {
    await expectCode(createHostToken(ctx, newId(), "github.com"), Code.NotFound, { field: "runner" });
  }),
  define("CreateHostAuthenticationToken", "other-organization-not-found", "another organization creating a token on our runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(
      otherOrganization(ctx).client(RunnerConfigurationService).createHostAuthenticationToken({ runnerId, host: "github.com", token: "ghp_x", source: HostAuthenticationTokenSource.PAT }),
      Code.NotFound,
    );
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "CreateHostAuthenticationToken", (c, ctx) =>
    c.createHostAuthenticationToken({ runnerId: ctx.fixtures.runnerId, host: "github.com", token: "ghp_x", source: HostAuthenticationTokenSource.PAT }),
  ),

  define("GetHostAuthenticationToken", "returns-token", "returns the token as created", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "gitlab.com", { scopes: ["api"] });
    const { token } = await config(ctx).getHostAuthenticationToken({ id: created.id });
    assert.deepEqual([token?.id, token?.runnerId, token?.host, token?.scopes, token?.subject?.id], [created.id, runnerId, "gitlab.com", ["api"], created.subject?.id]);
  }),
  define("GetHostAuthenticationToken", "visible-to-its-runner", "the runner a token is for sees it; another runner gets not_found", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const created = await createHostToken(ctx, own.runnerId, "github.com");
    assert.equal((await asRunner(ctx, own.exchangeToken).getHostAuthenticationToken({ id: created.id })).token?.id, created.id);
    await expectCode(asRunner(ctx, other.exchangeToken).getHostAuthenticationToken({ id: created.id }), Code.NotFound);
  }),
  define("GetHostAuthenticationToken", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).getHostAuthenticationToken({ id: newId() }), Code.NotFound);
  }),
  define("GetHostAuthenticationToken", "not-a-uuid-invalid", "an id that is no UUID is invalid_argument naming id", async (ctx) => {
    await expectCode(config(ctx).getHostAuthenticationToken({ id: "token-1" }), Code.InvalidArgument, { field: "id" });
  }),
  define("GetHostAuthenticationToken", "other-organization-not-found", "another organization's token is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).getHostAuthenticationToken({ id: created.id }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "GetHostAuthenticationToken", (c) => c.getHostAuthenticationToken({ id: newId() })),

  define("ListHostAuthenticationTokens", "pages-by-runner", "filter.runner_id in pages of 2 to an empty next_token, each token once in creation order", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createHostToken(ctx, runnerId, `list${i}.example.com`)).id);
    const { items, pages } = await listHostTokens(ctx, { runnerId });
    assert.equal(pages, 3);
    assert.deepEqual(items.map((t) => t.id), ids);
  }),
  define("ListHostAuthenticationTokens", "filter-subject", "filter.subject_id (and the deprecated user_id) keeps the tokens of that owner", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const subject = await callerSubject(ctx);
    const ids = [(await createHostToken(ctx, runnerId, "github.com")).id, (await createHostToken(ctx, runnerId, "gitlab.com")).id];
    assert.deepEqual((await listHostTokens(ctx, { runnerId, subjectId: subject.id })).items.map((t) => t.id), ids);
    assert.deepEqual((await listHostTokens(ctx, { runnerId, subjectId: newId() })).items, []);
    if (subject.principal === Principal.USER) assert.deepEqual((await listHostTokens(ctx, { runnerId, userId: subject.id })).items.map((t) => t.id), ids);
  }),
  define("ListHostAuthenticationTokens", "without-filter-lists-ours", "without a filter, the caller's tokens of every runner are listed", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    const ids = [(await createHostToken(ctx, a.runnerId, "github.com")).id, (await createHostToken(ctx, b.runnerId, "github.com")).id];
    const { items } = await listHostTokens(ctx, {}, 100);
    assertOursInOrder("ListHostAuthenticationTokens", items.map((t) => t.id), ids);
  }),
  define("ListHostAuthenticationTokens", "tampered-page-token-invalid", "a tampered page token, or one reused with another filter, is invalid_argument naming pagination.token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    for (let i = 0; i < 3; i++) await createHostToken(ctx, runnerId, `t${i}.example.com`);
    const token = (await config(ctx).listHostAuthenticationTokens({ filter: { runnerId }, pagination: { pageSize: 2 } })).pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(config(ctx).listHostAuthenticationTokens({ filter: { runnerId }, pagination: { pageSize: 2, token: tamper(token) } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
    await expectCode(config(ctx).listHostAuthenticationTokens({ filter: { runnerId: newId() }, pagination: { pageSize: 2, token } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
  }),
  define("ListHostAuthenticationTokens", "runner-lists-its-tokens", "a runner lists the tokens for itself", async (ctx) => {
    const { runnerId, exchangeToken } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    const { items } = await listHostTokens(ctx, { runnerId }, 2, asRunner(ctx, exchangeToken));
    assert.deepEqual(items.map((t) => t.id), [created.id]);
  }),
  define("ListHostAuthenticationTokens", "other-organization-does-not-list", "another organization lists none of our tokens", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    const { items } = await listHostTokens(ctx, {}, 100, otherOrganization(ctx).client(RunnerConfigurationService));
    assert.ok(!items.some((t) => t.id === created.id || t.runnerId === runnerId));
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "ListHostAuthenticationTokens", (c) => c.listHostAuthenticationTokens({})),

  define("UpdateHostAuthenticationToken", "replaces-set-fields", "replaces expiry and scopes when set; an empty scopes list leaves them", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com", { scopes: ["repo", "read:user"] });
    const expiresAt = timestampFromMs(Date.UTC(2031, 5, 1));
    await config(ctx).updateHostAuthenticationToken({ id: created.id, token: secretValue("gho"), expiresAt });
    let { token } = await config(ctx).getHostAuthenticationToken({ id: created.id });
    assert.deepEqual([token?.expiresAt?.seconds, token?.scopes], [expiresAt.seconds, ["repo", "read:user"]]);
    await config(ctx).updateHostAuthenticationToken({ id: created.id, scopes: ["repo"] });
    ({ token } = await config(ctx).getHostAuthenticationToken({ id: created.id }));
    assert.deepEqual(token?.scopes, ["repo"]);
    assert.deepEqual([token?.host, token?.runnerId, token?.source], ["github.com", runnerId, HostAuthenticationTokenSource.PAT], "runner, host and source never change");
  }),
  define("UpdateHostAuthenticationToken", "new-value-never-returned", "a new token value set by update is never returned", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    const value = secretValue("gho");
    await config(ctx).updateHostAuthenticationToken({ id: created.id, token: value, refreshToken: value + "r" });
    const got = await config(ctx).getHostAuthenticationToken({ id: created.id });
    assertNoSecrets("GetHostAuthenticationToken", GetHostAuthenticationTokenResponseSchema, got, [value, value + "r"]);
  }),
  define("UpdateHostAuthenticationToken", "empty-token-invalid", "an empty token value is invalid_argument naming token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    await expectCode(config(ctx).updateHostAuthenticationToken({ id: created.id, token: "" }), Code.InvalidArgument, { field: "token" });
  }),
  define("UpdateHostAuthenticationToken", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).updateHostAuthenticationToken({ id: newId(), token: "x" }), Code.NotFound);
  }),
  define("UpdateHostAuthenticationToken", "other-organization-not-found", "another organization's update of our token is not_found and changes nothing", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com", { scopes: ["repo"] });
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).updateHostAuthenticationToken({ id: created.id, scopes: ["stolen"] }), Code.NotFound);
    assert.deepEqual((await config(ctx).getHostAuthenticationToken({ id: created.id })).token?.scopes, ["repo"]);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "UpdateHostAuthenticationToken", (c) => c.updateHostAuthenticationToken({ id: newId(), token: "x" })),

  define("DeleteHostAuthenticationToken", "removes-token", "removes the token: Get is not_found, a second delete is not_found, the same key can be stored again", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    await config(ctx).deleteHostAuthenticationToken({ id: created.id });
    await expectCode(config(ctx).getHostAuthenticationToken({ id: created.id }), Code.NotFound);
    await expectCode(config(ctx).deleteHostAuthenticationToken({ id: created.id }), Code.NotFound);
    await createHostToken(ctx, runnerId, "github.com");
  }),
  define("DeleteHostAuthenticationToken", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).deleteHostAuthenticationToken({ id: newId() }), Code.NotFound);
  }),
  define("DeleteHostAuthenticationToken", "other-organization-not-found", "another organization's delete of our token is not_found and leaves it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const created = await createHostToken(ctx, runnerId, "github.com");
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).deleteHostAuthenticationToken({ id: created.id }), Code.NotFound);
    assert.equal((await config(ctx).getHostAuthenticationToken({ id: created.id })).token?.id, created.id);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "DeleteHostAuthenticationToken", (c) => c.deleteHostAuthenticationToken({ id: newId() })),
];

// ---------------------------------------------------------------------------------------------
// GetRunnerConfigurationSchema

const schemaScenarios: Scenario[] = [
  define("GetRunnerConfigurationSchema", "aws-ec2-schema", "an AWS EC2 runner gets aws-ec2/2025-01: cpu, memory, disk, architecture, spot; the four SCM systems", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx, { provider: RunnerProvider.AWS_EC2 });
    const { schema } = await config(ctx).getRunnerConfigurationSchema({ runnerId });
    assert.equal(schema?.version, "aws-ec2/2025-01");
    const fields = new Map(schema.environmentClasses.map((f) => [f.id, f]));
    assert.deepEqual([...fields.keys()], ["cpu", "memory", "disk", "architecture", "spot"]);
    const cpu = fields.get("cpu")!;
    assert.equal(cpu.required, true);
    assert.equal(cpu.type.case, "int");
    assert.deepEqual(cpu.type.case === "int" ? [cpu.type.value.min, cpu.type.value.max] : [], [1, 448]);
    assert.equal(fields.get("disk")?.required, false);
    assert.deepEqual(schema.scm.map((s) => s.scmId), ["github", "gitlab", "bitbucket", "azure-devops"]);
    const github = schema.scm.find((s) => s.scmId === "github");
    assert.deepEqual([github?.defaultHosts, github?.oauth?.callbackUrl], [["github.com"], "https://app.gitpod.io/auth/oauth2/callback"]);
  }),
  define("GetRunnerConfigurationSchema", "enum-mirrors-deprecated", "enum choices: the deprecated values/default mirror possible_values/default_value", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx, { provider: RunnerProvider.AWS_EC2 });
    const { schema } = await config(ctx).getRunnerConfigurationSchema({ runnerId });
    const architecture = schema!.environmentClasses.find((f) => f.id === "architecture");
    assert.equal(architecture?.type.case, "enum");
    if (architecture?.type.case !== "enum") return;
    const e = architecture.type.value;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated values/default are still served; that they mirror possible_values/default_value is what this checks
    assert.deepEqual(e.values, e.possibleValues.map((v) => v.title));
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated values are still served; that they are the titles amd64/arm64 is what this checks
    assert.deepEqual(e.values, ["amd64", "arm64"]);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated default is still served; that it mirrors default_value is what this checks
    assert.equal(e.default, e.defaultValue?.title);
  }),
  ...(
    [
      ["gcp-schema", { provider: RunnerProvider.GCP }, "gcp/2025-01", "machine_family"],
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- LINUX_HOST is no longer offered but still accepted; the schema it gets is what this checks
      ["local-schema", { provider: RunnerProvider.LINUX_HOST }, "local/2025-01", "cpu"],
      ["managed-schema", { provider: RunnerProvider.MANAGED, runnerManagerId: "00000000-0000-4000-8000-00000000aaaa" }, "aws-ec2/2025-01", "spot"],
      ["legacy-remote-kind-schema", { provider: RunnerProvider.UNSPECIFIED, kind: RunnerKind.REMOTE }, "aws-ec2/2025-01", "architecture"],
    ] as const
  ).map(([behaviour, init, version, field]) =>
    define("GetRunnerConfigurationSchema", behaviour, `a runner created with ${JSON.stringify(init)} gets ${version}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx, init);
      const { schema } = await config(ctx).getRunnerConfigurationSchema({ runnerId });
      assert.equal(schema?.version, version);
      assert.ok(schema.environmentClasses.some((f) => f.id === field), `the schema has the field ${field}`);
    }),
  ),
  define("GetRunnerConfigurationSchema", "local-limits", "the local schema's cpu limit is 128 and it has no architecture", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx, { provider: RunnerProvider.DEV_AGENT });
    const { schema } = await config(ctx).getRunnerConfigurationSchema({ runnerId });
    const cpu = schema!.environmentClasses.find((f) => f.id === "cpu");
    assert.equal(cpu?.type.case === "int" ? cpu.type.value.max : undefined, 128);
    assert.ok(!schema!.environmentClasses.some((f) => f.id === "architecture"));
  }),
  define("GetRunnerConfigurationSchema", "unknown-runner-not-found", "an unknown runner is not_found naming runner", async (ctx) => {
    await expectCode(config(ctx).getRunnerConfigurationSchema({ runnerId: newId() }), Code.NotFound, { field: "runner" });
  }),
  define("GetRunnerConfigurationSchema", "not-a-uuid-invalid", "a runner_id that is no UUID is invalid_argument naming runner_id", async (ctx) => {
    await expectCode(config(ctx).getRunnerConfigurationSchema({ runnerId: "x" }), Code.InvalidArgument, { field: "runner_id" });
  }),
  define("GetRunnerConfigurationSchema", "runner-other-runner-permission-denied", "a runner asking for another runner's schema is permission_denied; its own is fine", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    assert.equal((await asRunner(ctx, own.exchangeToken).getRunnerConfigurationSchema({ runnerId: own.runnerId })).schema?.version, "aws-ec2/2025-01");
    await expectCode(asRunner(ctx, own.exchangeToken).getRunnerConfigurationSchema({ runnerId: other.runnerId }), Code.PermissionDenied);
  }),
  define("GetRunnerConfigurationSchema", "other-organization-not-found", "another organization's runner is not_found", async (ctx) => {
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).getRunnerConfigurationSchema({ runnerId: ctx.fixtures.runnerId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "GetRunnerConfigurationSchema", (c, ctx) => c.getRunnerConfigurationSchema({ runnerId: ctx.fixtures.runnerId })),
];

// ---------------------------------------------------------------------------------------------
// SCM integrations

const githubIntegration = (runnerId: string, host: string, secret = "client-secret", extra: Record<string, unknown> = {}) => ({
  runnerId,
  scmId: "github",
  host,
  oauthClientId: "Iv1.client",
  oauthPlaintextClientSecret: secret,
  pat: true,
  ...extra,
});

async function getIntegration(ctx: ScenarioContext, id: string) {
  const { integration } = await config(ctx).getSCMIntegration({ id });
  assert.ok(integration, "GetSCMIntegration answered no integration");
  return integration;
}

const scmRejections: [string, Record<string, unknown>, string][] = [
  ["unknown-scm-invalid", { scmId: "svn" }, "scm_id"],
  ["empty-scm-invalid", { scmId: "" }, "scm_id"],
  ["host-with-space-invalid", { host: "not a host" }, "host"],
  ["client-id-without-secret-invalid", { oauthPlaintextClientSecret: undefined }, "oauth_plaintext_client_secret"],
  ["secret-without-client-id-invalid", { oauthClientId: undefined }, "oauth_client_id"],
  ["no-way-to-authenticate-invalid", { oauthClientId: undefined, oauthPlaintextClientSecret: undefined, pat: false }, "pat"],
  ["issuer-url-invalid", { issuerUrl: "not a url" }, "issuer_url"],
  ["issuer-url-without-oauth-invalid", { oauthClientId: undefined, oauthPlaintextClientSecret: undefined, issuerUrl: "https://sso.example.com" }, "issuer_url"],
  ["virtual-directory-for-github-invalid", { virtualDirectory: "/tfs" }, "virtual_directory"],
];

const scmScenarios: Scenario[] = [
  define("CreateSCMIntegration", "returns-id-and-stores", "returns an id; GetSCMIntegration shows the integration with a normalized host", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "GitHub.com", "s", { issuerUrl: "https://login.example.com/oauth" }));
    assert.match(id, uuidPattern);
    const i = await getIntegration(ctx, id);
    assert.deepEqual([i.id, i.runnerId, i.scmId, i.host, i.pat, i.oauth?.clientId, i.oauth?.issuerUrl], [id, runnerId, "github", "github.com", true, "Iv1.client", "https://login.example.com/oauth"]);
    assert.equal(i.virtualDirectory, undefined);
  }),
  define("CreateSCMIntegration", "client-secret-never-returned", "the OAuth client secret is returned only encrypted: not in Get, List or Validate responses", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const secret = secretValue("oauth");
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "scm.example.com", secret));
    const got = await config(ctx).getSCMIntegration({ id });
    const encrypted = got.integration?.oauth?.encryptedClientSecret ?? new Uint8Array();
    assert.ok(encrypted.length > 0, "oauth.encrypted_client_secret carries the ciphertext");
    assertNoSecrets("GetSCMIntegration", GetSCMIntegrationResponseSchema, got, [secret]);
    const listed = await config(ctx).listSCMIntegrations({ filter: { runnerIds: [runnerId] } });
    assertNoSecrets("ListSCMIntegrations", ListSCMIntegrationsResponseSchema, listed, [secret]);
    const validated = await config(ctx).validateRunnerConfiguration({
      runnerId,
      config: { case: "scmIntegration", value: { id, scmId: "github", host: "scm.example.com", oauthClientId: "Iv1.client", oauthClientSecret: { case: "oauthPlaintextClientSecret", value: secret }, pat: true } },
    });
    assertNoSecrets("ValidateRunnerConfiguration", ValidateRunnerConfigurationResponseSchema, validated, [secret]);
  }),
  define("CreateSCMIntegration", "duplicate-host-already-exists", "a second integration for the same runner and host is already_exists; another runner may have one", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    await config(ctx).createSCMIntegration(githubIntegration(a.runnerId, "dup.example.com"));
    await expectCode(config(ctx).createSCMIntegration({ runnerId: a.runnerId, scmId: "gitlab", host: "DUP.example.com", pat: true }), Code.AlreadyExists);
    await config(ctx).createSCMIntegration(githubIntegration(b.runnerId, "dup.example.com"));
  }),
  ...scmRejections.map(([behaviour, change, field]) =>
    define("CreateSCMIntegration", behaviour, `${JSON.stringify(change)} is invalid_argument naming ${field}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx);
      await expectCode(config(ctx).createSCMIntegration(githubIntegration(runnerId, "bad.example.com", "s", change)), Code.InvalidArgument, { field });
    }),
  ),
  define("CreateSCMIntegration", "azure-virtual-directory", "an Azure DevOps Server integration takes a virtual directory", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration({ runnerId, scmId: "azure-devops", host: "devops.example.com", pat: true, virtualDirectory: "/tfs" });
    const i = await getIntegration(ctx, id);
    assert.deepEqual([i.scmId, i.virtualDirectory, i.pat, i.oauth], ["azure-devops", "/tfs", true, undefined]);
  }),
  define("CreateSCMIntegration", "runner-being-deleted-failed-precondition", "a runner being deleted gets no new integration (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerService).deleteRunner({ runnerId });
    await expectCode(config(ctx).createSCMIntegration(githubIntegration(runnerId, "late.example.com")), Code.FailedPrecondition);
  }),
  define("CreateSCMIntegration", "unknown-runner-not-found", "an unknown runner is not_found naming runner", async (ctx) => {
    await expectCode(config(ctx).createSCMIntegration(githubIntegration(newId(), "x.example.com")), Code.NotFound, { field: "runner" });
  }),
  define("CreateSCMIntegration", "runner-other-runner-permission-denied", "a runner creating an integration for another runner is permission_denied", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    await expectCode(asRunner(ctx, own.exchangeToken).createSCMIntegration(githubIntegration(other.runnerId, "x.example.com")), Code.PermissionDenied);
  }),
  define("CreateSCMIntegration", "other-organization-not-found", "another organization creating an integration on our runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).createSCMIntegration(githubIntegration(runnerId, "x.example.com")), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "CreateSCMIntegration", (c, ctx) => c.createSCMIntegration(githubIntegration(ctx.fixtures.runnerId, "x.example.com"))),

  define("GetSCMIntegration", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).getSCMIntegration({ id: newId() }), Code.NotFound);
  }),
  define("GetSCMIntegration", "not-a-uuid-invalid", "an id that is no UUID is invalid_argument naming id", async (ctx) => {
    await expectCode(config(ctx).getSCMIntegration({ id: "scm" }), Code.InvalidArgument, { field: "id" });
  }),
  define("GetSCMIntegration", "other-runner-not-found", "a runner sees its own integration; another runner's is not_found", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(own.runnerId, "own.example.com"));
    assert.equal((await asRunner(ctx, own.exchangeToken).getSCMIntegration({ id })).integration?.id, id);
    await expectCode(asRunner(ctx, other.exchangeToken).getSCMIntegration({ id }), Code.NotFound);
  }),
  define("GetSCMIntegration", "other-organization-not-found", "another organization's integration is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "x.example.com"));
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).getSCMIntegration({ id }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "GetSCMIntegration", (c) => c.getSCMIntegration({ id: newId() })),

  define("ListSCMIntegrations", "pages-by-runner", "filter.runner_ids in pages of 2 to an empty next_token, in creation order; two runners list both", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await config(ctx).createSCMIntegration({ runnerId: a.runnerId, scmId: "gitlab", host: `a${i}.example.com`, pat: true })).id);
    const onB = (await config(ctx).createSCMIntegration({ runnerId: b.runnerId, scmId: "gitlab", host: "b.example.com", pat: true })).id;
    const walk = (runnerIds: string[]) =>
      walkPages("ListSCMIntegrations", 2, async (token) => {
        const res = await config(ctx).listSCMIntegrations({ filter: { runnerIds }, pagination: { pageSize: 2, token } });
        return { items: res.integrations, nextToken: res.pagination?.nextToken ?? "" };
      });
    const onlyA = await walk([a.runnerId]);
    assert.equal(onlyA.pages, 3);
    assert.deepEqual(onlyA.items.map((i) => i.id), ids);
    const both = await walk([a.runnerId, b.runnerId]);
    assert.deepEqual(both.items.map((i) => i.id), [...ids, onB]);
  }),
  define("ListSCMIntegrations", "tampered-page-token-invalid", "a tampered page token, or one reused with another filter, is invalid_argument naming pagination.token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    for (let i = 0; i < 3; i++) await config(ctx).createSCMIntegration({ runnerId, scmId: "gitlab", host: `p${i}.example.com`, pat: true });
    const token = (await config(ctx).listSCMIntegrations({ filter: { runnerIds: [runnerId] }, pagination: { pageSize: 2 } })).pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(config(ctx).listSCMIntegrations({ filter: { runnerIds: [runnerId] }, pagination: { pageSize: 2, token: tamper(token) } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
    await expectCode(config(ctx).listSCMIntegrations({ filter: { runnerIds: [newId()] }, pagination: { pageSize: 2, token } }), Code.InvalidArgument, { field: "pagination.token" });
  }),
  define("ListSCMIntegrations", "other-organization-does-not-list", "another organization lists none of our integrations", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "x.example.com"));
    const client = otherOrganization(ctx).client(RunnerConfigurationService);
    const { items } = await walkPages("ListSCMIntegrations", 100, async (token) => {
      const res = await client.listSCMIntegrations({ pagination: { pageSize: 100, token } });
      return { items: res.integrations, nextToken: res.pagination?.nextToken ?? "" };
    });
    assert.ok(!items.some((i) => i.id === id));
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "ListSCMIntegrations", (c) => c.listSCMIntegrations({})),

  define("UpdateSCMIntegration", "replaces-secret-keeps-on-client-id-change", "a new secret replaces the ciphertext; a changed client id keeps the stored secret", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "u.example.com", "first-secret"));
    const before = (await getIntegration(ctx, id)).oauth!.encryptedClientSecret;
    const second = secretValue("second");
    await config(ctx).updateSCMIntegration({ id, oauthPlaintextClientSecret: second });
    const got = await config(ctx).getSCMIntegration({ id });
    const after = got.integration!.oauth!.encryptedClientSecret;
    assert.notDeepEqual(after, before, "a new ciphertext");
    assertNoSecrets("GetSCMIntegration", GetSCMIntegrationResponseSchema, got, [second]);
    await config(ctx).updateSCMIntegration({ id, oauthClientId: "Iv1.other", issuerUrl: "https://sso.example.com" });
    const renamed = (await getIntegration(ctx, id)).oauth!;
    assert.deepEqual([renamed.clientId, renamed.issuerUrl], ["Iv1.other", "https://sso.example.com"]);
    assert.deepEqual(renamed.encryptedClientSecret, after, "the stored secret is kept");
  }),
  define("UpdateSCMIntegration", "empty-client-id-removes-oauth", "oauth_client_id \"\" removes OAuth and deletes the OAUTH host tokens of the runner and host, leaving PAT ones", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "o.example.com"));
    const oauth = await createHostToken(ctx, runnerId, "o.example.com", { source: HostAuthenticationTokenSource.OAUTH });
    await config(ctx).updateSCMIntegration({ id, oauthClientId: "", oauthPlaintextClientSecret: "ignored" });
    assert.equal((await getIntegration(ctx, id)).oauth, undefined);
    await expectCode(config(ctx).getHostAuthenticationToken({ id: oauth.id }), Code.NotFound);
  }),
  define("UpdateSCMIntegration", "pat-off-deletes-pat-tokens", "pat: false deletes the PAT host tokens of the runner and host", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "pat.example.com"));
    const pat = await createHostToken(ctx, runnerId, "pat.example.com", { source: HostAuthenticationTokenSource.PAT });
    await config(ctx).updateSCMIntegration({ id, pat: false });
    assert.equal((await getIntegration(ctx, id)).pat, false);
    await expectCode(config(ctx).getHostAuthenticationToken({ id: pat.id }), Code.NotFound);
  }),
  define("UpdateSCMIntegration", "no-way-left-invalid", "an update that leaves no way to authenticate is invalid_argument naming pat, changing nothing", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration({ runnerId, scmId: "gitlab", host: "n.example.com", pat: true });
    await expectCode(config(ctx).updateSCMIntegration({ id, pat: false }), Code.InvalidArgument, { field: "pat" });
    assert.equal((await getIntegration(ctx, id)).pat, true);
  }),
  define("UpdateSCMIntegration", "clears-issuer-url", "issuer_url \"\" clears it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "i.example.com", "s", { issuerUrl: "https://sso.example.com" }));
    await config(ctx).updateSCMIntegration({ id, issuerUrl: "" });
    assert.equal((await getIntegration(ctx, id)).oauth?.issuerUrl, "");
  }),
  define("UpdateSCMIntegration", "secret-without-oauth-invalid", "a client secret for an integration without OAuth is invalid_argument naming oauth_client_id", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration({ runnerId, scmId: "github", host: "g.example.com", pat: true });
    await expectCode(config(ctx).updateSCMIntegration({ id, oauthPlaintextClientSecret: "s" }), Code.InvalidArgument, { field: "oauth_client_id" });
  }),
  define("UpdateSCMIntegration", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).updateSCMIntegration({ id: newId(), pat: false }), Code.NotFound);
  }),
  define("UpdateSCMIntegration", "other-organization-not-found", "another organization's update is not_found and changes nothing", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "x.example.com"));
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).updateSCMIntegration({ id, pat: false }), Code.NotFound);
    assert.equal((await getIntegration(ctx, id)).pat, true);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "UpdateSCMIntegration", (c) => c.updateSCMIntegration({ id: newId(), pat: false })),

  define("DeleteSCMIntegration", "removes-integration", "removes the integration: Get is not_found, a second delete is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "d.example.com"));
    await config(ctx).deleteSCMIntegration({ id });
    await expectCode(config(ctx).getSCMIntegration({ id }), Code.NotFound);
    await expectCode(config(ctx).deleteSCMIntegration({ id }), Code.NotFound);
  }),
  define("DeleteSCMIntegration", "deletes-oauth-and-pat-tokens", "deletes the OAUTH and PAT host tokens of the runner and host; tokens of unspecified source stay", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration({ runnerId, scmId: "gitlab", host: "t.example.com", pat: true });
    const pat = await createHostToken(ctx, runnerId, "t.example.com", { source: HostAuthenticationTokenSource.PAT });
    const other = await createTestRunner(ctx);
    const elsewhere = await createHostToken(ctx, other.runnerId, "t.example.com", { source: HostAuthenticationTokenSource.PAT });
    await config(ctx).deleteSCMIntegration({ id });
    await expectCode(config(ctx).getHostAuthenticationToken({ id: pat.id }), Code.NotFound);
    assert.equal((await config(ctx).getHostAuthenticationToken({ id: elsewhere.id })).token?.id, elsewhere.id, "another runner's token stays");
    const unspecified = await createHostToken(ctx, runnerId, "u.example.com", { source: HostAuthenticationTokenSource.UNSPECIFIED });
    const { id: second } = await config(ctx).createSCMIntegration({ runnerId, scmId: "gitlab", host: "u.example.com", pat: true });
    await config(ctx).deleteSCMIntegration({ id: second });
    assert.equal((await config(ctx).getHostAuthenticationToken({ id: unspecified.id })).token?.id, unspecified.id, "a token with unspecified source stays");
  }),
  define("DeleteSCMIntegration", "other-organization-not-found", "another organization's delete is not_found and leaves the integration", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration(githubIntegration(runnerId, "x.example.com"));
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).deleteSCMIntegration({ id }), Code.NotFound);
    assert.equal((await getIntegration(ctx, id)).id, id);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "DeleteSCMIntegration", (c) => c.deleteSCMIntegration({ id: newId() })),
];

// ---------------------------------------------------------------------------------------------
// Environment classes

async function getClass(ctx: ScenarioContext, environmentClassId: string) {
  const { environmentClass } = await config(ctx).getEnvironmentClass({ environmentClassId });
  assert.ok(environmentClass, "GetEnvironmentClass answered no class");
  return environmentClass;
}

async function listClasses(ctx: ScenarioContext, filter: Parameters<ReturnType<typeof config>["listEnvironmentClasses"]>[0]["filter"], pageSize = 100, client = config(ctx)) {
  const walked = await walkPages("ListEnvironmentClasses", pageSize, async (token) => {
    const res = await client.listEnvironmentClasses({ filter, pagination: { pageSize, token } });
    return { items: res.environmentClasses, nextToken: res.pagination?.nextToken ?? "" };
  });
  assertNoDuplicates("ListEnvironmentClasses", walked.items.map((c) => c.id));
  return walked;
}

const classRejections: [string, { key: string; value: string }[], string][] = [
  ["unknown-key-invalid", [...smallShape(), { key: "gpu", value: "1" }], "configuration[2].key"],
  ["out-of-range-invalid", [{ key: "cpu", value: "1000" }, { key: "memory", value: "8" }], "configuration[0].value"],
  ["not-a-whole-number-invalid", [{ key: "cpu", value: "2" }, { key: "memory", value: "8.5" }], "configuration[1].value"],
  ["unknown-choice-invalid", [...smallShape(), { key: "architecture", value: "sparc" }], "configuration[2].value"],
  ["bad-boolean-invalid", [...smallShape(), { key: "spot", value: "yes" }], "configuration[2].value"],
  ["missing-required-key-invalid", [{ key: "cpu", value: "2" }], "configuration"],
  ["repeated-key-invalid", [...smallShape(), { key: "cpu", value: "4" }], "configuration[2].key"],
  ["empty-key-invalid", [...smallShape(), { key: "", value: "4" }], "configuration[2].key"],
];

const classScenarios: Scenario[] = [
  define("CreateEnvironmentClass", "returns-id-enabled-as-sent", "returns an id; the class is enabled, on the runner, with the configuration exactly as sent", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const displayName = ctx.uniqueName("Large");
    const configuration = [
      { key: "cpu", value: "8" },
      { key: "memory", value: "32" },
      { key: "architecture", value: "arm64" },
    ];
    const { id } = await config(ctx).createEnvironmentClass({ runnerId, displayName, description: "8 cores, 32 GiB memory", configuration });
    assert.match(id, uuidPattern);
    const c = await getClass(ctx, id);
    assert.deepEqual([c.id, c.runnerId, c.displayName, c.description, c.enabled], [id, runnerId, displayName, "8 cores, 32 GiB memory", true]);
    assert.deepEqual(c.configuration.map((f) => `${f.key}=${f.value}`), ["cpu=8", "memory=32", "architecture=arm64"], "stored as sent: defaults are not filled in");
  }),
  define("CreateEnvironmentClass", "documented-example-accepted", "accepts the docs' example configuration (cpu 8, memory 16384)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createEnvironmentClass({ runnerId, displayName: "Large Instance", description: "8 CPU, 16GB RAM", configuration: [{ key: "cpu", value: "8" }, { key: "memory", value: "16384" }] });
    assert.match(id, uuidPattern);
  }),
  ...classRejections.map(([behaviour, configuration, field]) =>
    define("CreateEnvironmentClass", behaviour, `configuration ${JSON.stringify(configuration)} is invalid_argument naming ${field}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx);
      await expectCode(config(ctx).createEnvironmentClass({ runnerId, displayName: "Rejected", description: "never stored", configuration }), Code.InvalidArgument, { field });
    }),
  ),
  ...(
    [
      ["display-name-too-short-invalid", { displayName: "ab" }, "display_name"],
      ["display-name-padded-invalid", { displayName: " Padded " }, "display_name"],
      ["description-control-character-invalid", { description: "tab\there" }, "description"],
      ["description-too-short-invalid", { description: "no" }, "description"],
    ] as const
  ).map(([behaviour, change, field]) =>
    define("CreateEnvironmentClass", behaviour, `${JSON.stringify(change)} is invalid_argument naming ${field}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx);
      await expectCode(
        config(ctx).createEnvironmentClass({ runnerId, displayName: "Fine name", description: "fine description", configuration: smallShape(), ...change }),
        Code.InvalidArgument,
        { field },
      );
    }),
  ),
  define("CreateEnvironmentClass", "checked-against-provider-schema", "keys and limits follow the runner's provider: no architecture and at most 1024 GiB memory on a local runner", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx, { provider: RunnerProvider.DEV_AGENT });
    await expectCode(
      config(ctx).createEnvironmentClass({ runnerId, displayName: "Arm", description: "arm locally", configuration: [...smallShape(), { key: "architecture", value: "arm64" }] }),
      Code.InvalidArgument,
      { field: "configuration[2].key" },
    );
    await expectCode(
      config(ctx).createEnvironmentClass({ runnerId, displayName: "Big", description: "too much memory", configuration: [{ key: "cpu", value: "2" }, { key: "memory", value: "2048" }] }),
      Code.InvalidArgument,
      { field: "configuration[1].value" },
    );
  }),
  define("CreateEnvironmentClass", "runner-being-deleted-failed-precondition", "a runner being deleted gets no new class (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerService).deleteRunner({ runnerId });
    await expectCode(createEnvironmentClass(ctx, runnerId), Code.FailedPrecondition);
  }),
  define("CreateEnvironmentClass", "unknown-runner-not-found", "an unknown runner is not_found naming runner", async (ctx) => {
    await expectCode(createEnvironmentClass(ctx, newId()), Code.NotFound, { field: "runner" });
  }),
  define("CreateEnvironmentClass", "runner-other-runner-permission-denied", "a runner creating a class for another runner is permission_denied; for itself it may", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const request = { displayName: "By runner", description: "made by the runner", configuration: smallShape() };
    const { id } = await asRunner(ctx, own.exchangeToken).createEnvironmentClass({ ...request, runnerId: own.runnerId });
    assert.equal((await getClass(ctx, id)).runnerId, own.runnerId);
    await expectCode(asRunner(ctx, own.exchangeToken).createEnvironmentClass({ ...request, runnerId: other.runnerId }), Code.PermissionDenied);
  }),
  define("CreateEnvironmentClass", "other-organization-not-found", "another organization creating a class on our runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(
      otherOrganization(ctx).client(RunnerConfigurationService).createEnvironmentClass({ runnerId, displayName: "Foreign", description: "not theirs", configuration: smallShape() }),
      Code.NotFound,
    );
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "CreateEnvironmentClass", (c, ctx) =>
    c.createEnvironmentClass({ runnerId: ctx.fixtures.runnerId, displayName: "Nobody", description: "no token", configuration: smallShape() }),
  ),

  define("GetEnvironmentClass", "fixture-class", "returns the discovered fixture class: enabled, on the fixture runner", async (ctx) => {
    const c = await getClass(ctx, ctx.fixtures.environmentClassId);
    assert.deepEqual([c.id, c.runnerId, c.enabled], [ctx.fixtures.environmentClassId, ctx.fixtures.runnerId, true]);
  }),
  define("GetEnvironmentClass", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).getEnvironmentClass({ environmentClassId: newId() }), Code.NotFound);
  }),
  define("GetEnvironmentClass", "not-a-uuid-invalid", "an id that is no UUID is invalid_argument naming environment_class_id", async (ctx) => {
    await expectCode(config(ctx).getEnvironmentClass({ environmentClassId: "nope" }), Code.InvalidArgument, { field: "environment_class_id" });
  }),
  define("GetEnvironmentClass", "other-runner-not-found", "a runner sees its own classes; another runner's are not_found", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, own.runnerId);
    assert.equal((await asRunner(ctx, own.exchangeToken).getEnvironmentClass({ environmentClassId: id })).environmentClass?.id, id);
    await expectCode(asRunner(ctx, other.exchangeToken).getEnvironmentClass({ environmentClassId: id }), Code.NotFound);
  }),
  define("GetEnvironmentClass", "other-organization-not-found", "another organization's class is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId);
    const other = otherOrganization(ctx).client(RunnerConfigurationService);
    await expectCode(other.getEnvironmentClass({ environmentClassId: id }), Code.NotFound);
    await expectCode(other.getEnvironmentClass({ environmentClassId: ctx.fixtures.environmentClassId }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "GetEnvironmentClass", (c, ctx) => c.getEnvironmentClass({ environmentClassId: ctx.fixtures.environmentClassId })),

  define("ListEnvironmentClasses", "pages-by-runner", "filter.runner_ids in pages of 2 to an empty next_token, in creation order", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createEnvironmentClass(ctx, runnerId, `Class ${i}`));
    const { items, pages } = await listClasses(ctx, { runnerIds: [runnerId] }, 2);
    assert.equal(pages, 3);
    assert.deepEqual(items.map((c) => c.id), ids);
  }),
  define("ListEnvironmentClasses", "pages-without-filter", "without a filter, pages of 2 show ours each once in creation order", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const ids = [await createEnvironmentClass(ctx, runnerId), await createEnvironmentClass(ctx, runnerId), await createEnvironmentClass(ctx, runnerId)];
    const { items } = await listClasses(ctx, undefined, 2);
    assertOursInOrder("ListEnvironmentClasses", items.map((c) => c.id), ids);
  }),
  define("ListEnvironmentClasses", "filter-enabled", "filter.enabled keeps enabled or disabled classes; a disabled class stays listable", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const on = await createEnvironmentClass(ctx, runnerId);
    const off = await createEnvironmentClass(ctx, runnerId);
    await config(ctx).updateEnvironmentClass({ environmentClassId: off, enabled: false });
    assert.deepEqual((await listClasses(ctx, { runnerIds: [runnerId], enabled: false })).items.map((c) => c.id), [off]);
    assert.deepEqual((await listClasses(ctx, { runnerIds: [runnerId], enabled: true })).items.map((c) => c.id), [on]);
    assert.deepEqual((await listClasses(ctx, { runnerIds: [runnerId] })).items.map((c) => c.id), [on, off]);
  }),
  define("ListEnvironmentClasses", "filter-runner-providers", "filter.runner_providers keeps classes of runners with those providers", async (ctx) => {
    const gcp = await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    const ec2 = await createTestRunner(ctx, { provider: RunnerProvider.AWS_EC2 });
    const onGcp = await createEnvironmentClass(ctx, gcp.runnerId);
    const onEc2 = await createEnvironmentClass(ctx, ec2.runnerId);
    const ids = (await listClasses(ctx, { runnerProviders: [RunnerProvider.GCP] })).items.map((c) => c.id);
    assert.ok(ids.includes(onGcp) && !ids.includes(onEc2));
  }),
  define("ListEnvironmentClasses", "filter-runner-kinds", "filter.runner_kinds keeps classes of runners of those kinds", async (ctx) => {
    const local = await createTestRunner(ctx, { provider: RunnerProvider.DEV_AGENT });
    const remote = await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    const onLocal = await createEnvironmentClass(ctx, local.runnerId);
    const onRemote = await createEnvironmentClass(ctx, remote.runnerId);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- LOCAL is the kind local runners are still stored with; filtering by it is what this checks
    const ids = (await listClasses(ctx, { runnerKinds: [RunnerKind.LOCAL] })).items.map((c) => c.id);
    assert.ok(ids.includes(onLocal) && !ids.includes(onRemote));
  }),
  define("ListEnvironmentClasses", "filter-can-create-environments", "can_create_environments: true keeps enabled classes only", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const on = await createEnvironmentClass(ctx, runnerId);
    const off = await createEnvironmentClass(ctx, runnerId);
    await config(ctx).updateEnvironmentClass({ environmentClassId: off, enabled: false });
    const { items } = await listClasses(ctx, { canCreateEnvironments: true });
    assert.ok(items.every((c) => c.enabled), "only enabled classes");
    const ids = items.map((c) => c.id);
    assert.ok(ids.includes(on) && !ids.includes(off));
    assert.deepEqual((await listClasses(ctx, { runnerIds: [runnerId], canCreateEnvironments: false })).items.map((c) => c.id), [on, off], "false does not filter");
  }),
  define("ListEnvironmentClasses", "filters-combine-with-and", "filters combine with AND: another runner's id and our provider match nothing of ours", async (ctx) => {
    const gcp = await createTestRunner(ctx, { provider: RunnerProvider.GCP });
    await createEnvironmentClass(ctx, gcp.runnerId);
    const { items } = await listClasses(ctx, { runnerIds: [gcp.runnerId], runnerProviders: [RunnerProvider.AWS_EC2] });
    assert.deepEqual(items, []);
  }),
  define("ListEnvironmentClasses", "tampered-page-token-invalid", "a tampered page token, or one reused with another filter, is invalid_argument naming pagination.token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    for (let i = 0; i < 3; i++) await createEnvironmentClass(ctx, runnerId);
    const token = (await config(ctx).listEnvironmentClasses({ filter: { runnerIds: [runnerId] }, pagination: { pageSize: 2 } })).pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(config(ctx).listEnvironmentClasses({ filter: { runnerIds: [runnerId] }, pagination: { pageSize: 2, token: tamper(token) } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
    await expectCode(config(ctx).listEnvironmentClasses({ filter: { runnerIds: [newId()] }, pagination: { pageSize: 2, token } }), Code.InvalidArgument, { field: "pagination.token" });
  }),
  define("ListEnvironmentClasses", "runner-lists-only-its-own", "a runner lists only its own runner's classes, whatever filter.runner_ids says", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const mine = await createEnvironmentClass(ctx, own.runnerId);
    await createEnvironmentClass(ctx, other.runnerId);
    const { items } = await listClasses(ctx, { runnerIds: [own.runnerId, other.runnerId] }, 100, asRunner(ctx, own.exchangeToken));
    assert.deepEqual(items.map((c) => c.id), [mine]);
  }),
  define("ListEnvironmentClasses", "other-organization-does-not-list", "another organization lists none of our classes", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId);
    const { items } = await listClasses(ctx, undefined, 100, otherOrganization(ctx).client(RunnerConfigurationService));
    assert.ok(!items.some((c) => c.id === id || c.id === ctx.fixtures.environmentClassId));
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "ListEnvironmentClasses", (c) => c.listEnvironmentClasses({})),

  define("UpdateEnvironmentClass", "changes-set-fields-only", "changes only the fields that are set, and keeps the configuration", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId, "Before");
    await config(ctx).updateEnvironmentClass({ environmentClassId: id, description: "after update" });
    let c = await getClass(ctx, id);
    assert.deepEqual([c.displayName, c.description, c.enabled], ["Before", "after update", true]);
    await config(ctx).updateEnvironmentClass({ environmentClassId: id, displayName: "After", enabled: false });
    c = await getClass(ctx, id);
    assert.deepEqual([c.displayName, c.description, c.enabled], ["After", "after update", false]);
    assert.deepEqual(c.configuration.map((f) => `${f.key}=${f.value}`), ["cpu=2", "memory=8"]);
  }),
  define("UpdateEnvironmentClass", "nothing-set-is-noop", "an update with nothing set succeeds and changes nothing", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId, "Unchanged");
    await config(ctx).updateEnvironmentClass({ environmentClassId: id });
    const c = await getClass(ctx, id);
    assert.deepEqual([c.displayName, c.enabled], ["Unchanged", true]);
  }),
  define("UpdateEnvironmentClass", "enabled-again", "a disabled class can be enabled again", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId);
    await config(ctx).updateEnvironmentClass({ environmentClassId: id, enabled: false });
    assert.equal((await getClass(ctx, id)).enabled, false, "a disabled class stays gettable");
    await config(ctx).updateEnvironmentClass({ environmentClassId: id, enabled: true });
    assert.equal((await getClass(ctx, id)).enabled, true);
  }),
  define("UpdateEnvironmentClass", "display-name-too-short-invalid", "a display name of one character is invalid_argument naming display_name", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId);
    await expectCode(config(ctx).updateEnvironmentClass({ environmentClassId: id, displayName: "x" }), Code.InvalidArgument, { field: "display_name" });
  }),
  define("UpdateEnvironmentClass", "description-control-character-invalid", "a description with a control character is invalid_argument naming description", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, runnerId);
    await expectCode(config(ctx).updateEnvironmentClass({ environmentClassId: id, description: "tab\there" }), Code.InvalidArgument, { field: "description" });
  }),
  define("UpdateEnvironmentClass", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).updateEnvironmentClass({ environmentClassId: newId(), enabled: false }), Code.NotFound);
  }),
  define("UpdateEnvironmentClass", "other-runner-not-found", "a runner updating another runner's class gets not_found", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const id = await createEnvironmentClass(ctx, other.runnerId);
    await expectCode(asRunner(ctx, own.exchangeToken).updateEnvironmentClass({ environmentClassId: id, enabled: false }), Code.NotFound);
    assert.equal((await getClass(ctx, id)).enabled, true);
  }),
  define("UpdateEnvironmentClass", "other-organization-not-found", "another organization's update is not_found and changes nothing", async (ctx) => {
    const other = otherOrganization(ctx).client(RunnerConfigurationService);
    await expectCode(other.updateEnvironmentClass({ environmentClassId: ctx.fixtures.environmentClassId, enabled: false }), Code.NotFound);
    assert.equal((await getClass(ctx, ctx.fixtures.environmentClassId)).enabled, true);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "UpdateEnvironmentClass", (c) => c.updateEnvironmentClass({ environmentClassId: newId(), enabled: false })),
];

// ---------------------------------------------------------------------------------------------
// ValidateRunnerConfiguration

const classResult = (r: { result: { case?: string; value?: unknown } }) => {
  assert.equal(r.result.case, "environmentClass");
  return r.result.value as EnvironmentClassValidationResult;
};
const scmResult = (r: { result: { case?: string; value?: unknown } }) => {
  assert.equal(r.result.case, "scmIntegration");
  return r.result.value as SCMIntegrationValidationResult;
};

const validateScenarios: Scenario[] = [
  define("ValidateRunnerConfiguration", "valid-class-valid-not-stored", "a valid environment class is valid, and nothing is stored", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const res = await config(ctx).validateRunnerConfiguration({ runnerId, config: { case: "environmentClass", value: { displayName: "Medium", description: "4 cores", configuration: [{ key: "cpu", value: "4" }, { key: "memory", value: "16" }] } } });
    const r = classResult(res);
    assert.deepEqual([r.valid, r.configurationErrors, r.displayNameError, r.descriptionError], [true, [], undefined, undefined]);
    assert.deepEqual((await listClasses(ctx, { runnerIds: [runnerId] })).items, [], "nothing was stored");
  }),
  define("ValidateRunnerConfiguration", "class-problems-per-key", "reports configuration problems per key, and display name and description problems", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const res = await config(ctx).validateRunnerConfiguration({
      runnerId,
      config: { case: "environmentClass", value: { displayName: " Padded", description: "bad\u0007bell", configuration: [{ key: "cpu", value: "0" }, { key: "gpu", value: "1" }] } },
    });
    const r = classResult(res);
    assert.equal(r.valid, false);
    assert.ok(r.displayNameError, "display_name_error is set");
    assert.ok(r.descriptionError, "description_error is set");
    assert.deepEqual(r.configurationErrors.map((e) => e.key), ["cpu", "gpu", "memory"], "cpu out of range, gpu unknown, memory missing");
  }),
  define("ValidateRunnerConfiguration", "short-name-in-result", "a too-short display name and description are reported in the result, not as an error", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const r = classResult(await config(ctx).validateRunnerConfiguration({ runnerId, config: { case: "environmentClass", value: { displayName: "ab", description: "no", configuration: smallShape() } } }));
    assert.equal(r.valid, false);
    assert.ok(r.displayNameError && r.descriptionError);
  }),
  define("ValidateRunnerConfiguration", "class-of-other-runner-invalid", "an environment_class.runner_id other than runner_id is invalid_argument naming it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(
      config(ctx).validateRunnerConfiguration({ runnerId, config: { case: "environmentClass", value: { runnerId: newId(), displayName: "Other", description: "elsewhere", configuration: smallShape() } } }),
      Code.InvalidArgument,
      { field: "environment_class.runner_id" },
    );
  }),
  define("ValidateRunnerConfiguration", "runner-id-not-uuid-not-found", "a runner_id that is no UUID names no runner: not_found (the request is never validated)", async (ctx) => {
    await expectCode(
      config(ctx).validateRunnerConfiguration({ runnerId: "not-a-uuid", config: { case: "environmentClass", value: { displayName: "Valid name", description: "Valid description", configuration: smallShape() } } }),
      Code.NotFound,
    );
  }),
  define("ValidateRunnerConfiguration", "no-config-invalid", "no configuration at all is invalid_argument naming config", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(config(ctx).validateRunnerConfiguration({ runnerId }), Code.InvalidArgument, { field: "config" });
  }),
  define("ValidateRunnerConfiguration", "valid-scm-valid-not-stored", "a valid SCM integration proposal is valid, and nothing is stored", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const r = scmResult(
      await config(ctx).validateRunnerConfiguration({
        runnerId,
        config: { case: "scmIntegration", value: { scmId: "github", host: "github.example.com", oauthClientId: "Iv1.abc", oauthClientSecret: { case: "oauthPlaintextClientSecret", value: "secret" }, pat: true } },
      }),
    );
    assert.equal(r.valid, true);
    assert.deepEqual((await config(ctx).listSCMIntegrations({ filter: { runnerIds: [runnerId] } })).integrations, [], "nothing was stored");
  }),
  define("ValidateRunnerConfiguration", "scm-errors-separately", "reports scm_id, host, OAuth and PAT problems separately", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const r = scmResult(
      await config(ctx).validateRunnerConfiguration({
        runnerId,
        config: { case: "scmIntegration", value: { scmId: "cvs", host: "https://x", oauthClientSecret: { case: "oauthPlaintextClientSecret", value: "s" }, pat: false } },
      }),
    );
    assert.equal(r.valid, false);
    assert.ok(r.scmIdError && r.hostError && r.oauthError && r.patError, `every group has its error: ${JSON.stringify(r)}`);
  }),
  define("ValidateRunnerConfiguration", "scm-host-taken-error", "a host another integration of the runner has is a host_error, except for that integration itself", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createSCMIntegration({ runnerId, scmId: "gitlab", host: "gitlab.example.com", pat: true });
    const dup = scmResult(await config(ctx).validateRunnerConfiguration({ runnerId, config: { case: "scmIntegration", value: { scmId: "gitlab", host: "GitLab.example.com", pat: true } } }));
    assert.equal(dup.valid, false);
    assert.ok(dup.hostError, "host_error is set");
    const self = scmResult(await config(ctx).validateRunnerConfiguration({ runnerId, config: { case: "scmIntegration", value: { id, scmId: "gitlab", host: "gitlab.example.com", pat: true } } }));
    assert.equal(self.valid, true);
  }),
  define("ValidateRunnerConfiguration", "unknown-integration-not-found", "an integration id that is no integration of the runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(config(ctx).validateRunnerConfiguration({ runnerId, config: { case: "scmIntegration", value: { id: newId(), scmId: "github", host: "github.com", pat: true } } }), Code.NotFound);
  }),
  define("ValidateRunnerConfiguration", "unknown-runner-not-found", "an unknown runner is not_found", async (ctx) => {
    await expectCode(config(ctx).validateRunnerConfiguration({ runnerId: newId(), config: { case: "scmIntegration", value: { scmId: "github", host: "github.com", pat: true } } }), Code.NotFound);
  }),
  define("ValidateRunnerConfiguration", "runner-other-runner-permission-denied", "a runner validating for another runner is permission_denied", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    await expectCode(
      asRunner(ctx, own.exchangeToken).validateRunnerConfiguration({ runnerId: other.runnerId, config: { case: "scmIntegration", value: { scmId: "github", host: "github.com", pat: true } } }),
      Code.PermissionDenied,
    );
  }),
  define("ValidateRunnerConfiguration", "other-organization-not-found", "another organization validating for our runner is not_found", async (ctx) => {
    await expectCode(
      otherOrganization(ctx).client(RunnerConfigurationService).validateRunnerConfiguration({ runnerId: ctx.fixtures.runnerId, config: { case: "scmIntegration", value: { scmId: "github", host: "github.com", pat: true } } }),
      Code.NotFound,
    );
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "ValidateRunnerConfiguration", (c, ctx) =>
    c.validateRunnerConfiguration({ runnerId: ctx.fixtures.runnerId, config: { case: "scmIntegration", value: { scmId: "github", host: "github.com", pat: true } } }),
  ),
];

// ---------------------------------------------------------------------------------------------
// LLM integrations

const claude = (runnerId: string, extra: Record<string, unknown> = {}) => ({
  runnerId,
  models: [SupportedModel.SONNET_4_5, SupportedModel.OPUS_4_5],
  apiKey: secretValue("sk-ant"),
  maxTokens: 8192n,
  ...extra,
});

async function getLlm(ctx: ScenarioContext, id: string) {
  const { integration } = await config(ctx).getLLMIntegration({ id });
  assert.ok(integration, "GetLLMIntegration answered no integration");
  return integration;
}

const llmScenarios: Scenario[] = [
  define("CreateLLMIntegration", "available-provider-follows-models", "a new integration is AVAILABLE; the provider follows the models; a repeated model is kept once", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId, { models: [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5, SupportedModel.SONNET_4_5] }));
    assert.match(id, uuidPattern);
    const i = await getLlm(ctx, id);
    assert.deepEqual(
      [i.id, i.runnerId, i.models, i.endpoint, i.maxTokens, i.phase, i.provider],
      [id, runnerId, [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5], "", 8192n, LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE, LLMProvider.LLM_PROVIDER_ANTHROPIC],
    );
    const { id: openai } = await config(ctx).createLLMIntegration(claude(runnerId, { models: [SupportedModel.OPENAI_4O], endpoint: "https://gateway.example.com/openai/v1" }));
    const o = await getLlm(ctx, openai);
    assert.deepEqual([o.provider, o.endpoint], [LLMProvider.LLM_PROVIDER_OPENAI, "https://gateway.example.com/openai/v1"], "a runner may have any number of integrations");
  }),
  define("CreateLLMIntegration", "api-key-write-only", "the API key is write-only: responses carry only encrypted_api_key", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const apiKey = secretValue("sk-ant");
    const created = await config(ctx).createLLMIntegration(claude(runnerId, { apiKey }));
    assertNoSecrets("CreateLLMIntegration", CreateLLMIntegrationResponseSchema, created, [apiKey]);
    const got = await config(ctx).getLLMIntegration({ id: created.id });
    assert.ok((got.integration?.encryptedApiKey.length ?? 0) > 0, "encrypted_api_key is set");
    assertNoSecrets("GetLLMIntegration", GetLLMIntegrationResponseSchema, got, [apiKey]);
    const listed = await config(ctx).listLLMIntegrations({ filter: { runnerIds: [runnerId] } });
    assertNoSecrets("ListLLMIntegrations", ListLLMIntegrationsResponseSchema, listed, [apiKey]);
  }),
  define("CreateLLMIntegration", "without-api-key", "an integration without an API key has an empty encrypted_api_key", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId, { apiKey: "", endpoint: "http://localhost:8080/v1", maxTokens: 0n }));
    const i = await getLlm(ctx, id);
    assert.deepEqual([i.encryptedApiKey.length, i.endpoint, i.maxTokens], [0, "http://localhost:8080/v1", 0n]);
  }),
  ...(
    [
      ["models-of-two-providers-invalid", { models: [SupportedModel.SONNET_4, SupportedModel.OPENAI_4O] }, "models"],
      ["unspecified-model-invalid", { models: [SupportedModel.OPUS_4, SupportedModel.UNSPECIFIED] }, "models[1]"],
      ["no-model-invalid", { models: [] }, "models"],
      ["relative-endpoint-invalid", { endpoint: "/v1/messages" }, "endpoint"],
      ["ftp-endpoint-invalid", { endpoint: "ftp://models.example.com" }, "endpoint"],
      ["endpoint-with-credentials-invalid", { endpoint: "https://user:secret@models.example.com" }, "endpoint"],
      ["endpoint-with-fragment-invalid", { endpoint: "https://models.example.com/v1#frag" }, "endpoint"],
    ] as const
  ).map(([behaviour, change, field]) =>
    define("CreateLLMIntegration", behaviour, `${JSON.stringify(change)} is invalid_argument naming ${field}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx);
      await expectCode(config(ctx).createLLMIntegration(claude(runnerId, change)), Code.InvalidArgument, { field });
    }),
  ),
  define("CreateLLMIntegration", "runner-being-deleted-failed-precondition", "a runner being deleted gets no new integration (failed_precondition)", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await ctx.client(RunnerService).deleteRunner({ runnerId });
    await expectCode(config(ctx).createLLMIntegration(claude(runnerId)), Code.FailedPrecondition);
  }),
  define("CreateLLMIntegration", "unknown-runner-not-found", "an unknown runner is not_found naming runner", async (ctx) => {
    await expectCode(config(ctx).createLLMIntegration(claude(newId())), Code.NotFound, { field: "runner" });
  }),
  define("CreateLLMIntegration", "runner-other-runner-permission-denied", "a runner creating an integration for another runner is permission_denied", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    await expectCode(asRunner(ctx, own.exchangeToken).createLLMIntegration(claude(other.runnerId)), Code.PermissionDenied);
  }),
  define("CreateLLMIntegration", "other-organization-not-found", "another organization creating an integration on our runner is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).createLLMIntegration(claude(runnerId)), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "CreateLLMIntegration", (c, ctx) => c.createLLMIntegration(claude(ctx.fixtures.runnerId))),

  define("GetLLMIntegration", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).getLLMIntegration({ id: newId() }), Code.NotFound);
  }),
  define("GetLLMIntegration", "not-a-uuid-invalid", "an id that is no UUID is invalid_argument naming id", async (ctx) => {
    await expectCode(config(ctx).getLLMIntegration({ id: "llm" }), Code.InvalidArgument, { field: "id" });
  }),
  define("GetLLMIntegration", "other-runner-not-found", "a runner sees its own integration; another runner's is not_found", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(own.runnerId));
    assert.equal((await asRunner(ctx, own.exchangeToken).getLLMIntegration({ id })).integration?.id, id);
    await expectCode(asRunner(ctx, other.exchangeToken).getLLMIntegration({ id }), Code.NotFound);
  }),
  define("GetLLMIntegration", "other-organization-not-found", "another organization's integration is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).getLLMIntegration({ id }), Code.NotFound);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "GetLLMIntegration", (c) => c.getLLMIntegration({ id: newId() })),

  define("ListLLMIntegrations", "pages-by-runner", "filter.runner_ids in pages of 2 to an empty next_token, in creation order", async (ctx) => {
    const a = await createTestRunner(ctx);
    const b = await createTestRunner(ctx);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await config(ctx).createLLMIntegration(claude(a.runnerId))).id);
    const onB = (await config(ctx).createLLMIntegration(claude(b.runnerId))).id;
    const walk = (runnerIds: string[]) =>
      walkPages("ListLLMIntegrations", 2, async (token) => {
        const res = await config(ctx).listLLMIntegrations({ filter: { runnerIds }, pagination: { pageSize: 2, token } });
        return { items: res.integrations, nextToken: res.pagination?.nextToken ?? "" };
      });
    const onlyA = await walk([a.runnerId]);
    assert.equal(onlyA.pages, 3);
    assert.deepEqual(onlyA.items.map((i) => i.id), ids);
    assert.deepEqual((await walk([a.runnerId, b.runnerId])).items.map((i) => i.id), [...ids, onB]);
  }),
  define("ListLLMIntegrations", "ona-fields-empty", "llm_managed_by_ona is false and ona_intelligence_providers empty", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const res = await config(ctx).listLLMIntegrations({ filter: { runnerIds: [runnerId] } });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- llm_managed_by_ona is still served; its documented value (false) is what this checks
    assert.deepEqual([res.llmManagedByOna, res.onaIntelligenceProviders, res.integrations], [false, [], []]);
  }),
  define("ListLLMIntegrations", "tampered-page-token-invalid", "a tampered page token, or one reused with another filter, is invalid_argument naming pagination.token", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    for (let i = 0; i < 3; i++) await config(ctx).createLLMIntegration(claude(runnerId));
    const token = (await config(ctx).listLLMIntegrations({ filter: { runnerIds: [runnerId] }, pagination: { pageSize: 2 } })).pagination?.nextToken ?? "";
    assert.notEqual(token, "");
    await expectCode(config(ctx).listLLMIntegrations({ filter: { runnerIds: [runnerId] }, pagination: { pageSize: 2, token: tamper(token) } }), Code.InvalidArgument, {
      field: "pagination.token",
    });
    await expectCode(config(ctx).listLLMIntegrations({ filter: { runnerIds: [newId()] }, pagination: { pageSize: 2, token } }), Code.InvalidArgument, { field: "pagination.token" });
  }),
  define("ListLLMIntegrations", "runner-lists-only-its-own", "a runner lists only its own runner's integrations, whatever the filter", async (ctx) => {
    const own = await createTestRunner(ctx);
    const other = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(own.runnerId));
    await config(ctx).createLLMIntegration(claude(other.runnerId));
    const res = await asRunner(ctx, own.exchangeToken).listLLMIntegrations({ filter: { runnerIds: [own.runnerId, other.runnerId] }, pagination: { pageSize: 100 } });
    assert.deepEqual(res.integrations.map((i) => i.id), [id]);
  }),
  define("ListLLMIntegrations", "other-organization-does-not-list", "another organization lists none of our integrations", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    const client = otherOrganization(ctx).client(RunnerConfigurationService);
    const { items } = await walkPages("ListLLMIntegrations", 100, async (token) => {
      const res = await client.listLLMIntegrations({ pagination: { pageSize: 100, token } });
      return { items: res.integrations, nextToken: res.pagination?.nextToken ?? "" };
    });
    assert.ok(!items.some((i) => i.id === id));
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "ListLLMIntegrations", (c) => c.listLLMIntegrations({})),

  define("UpdateLLMIntegration", "changes-set-fields-only", "changes only what is set; endpoint \"\" goes back to the provider's default", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId, { endpoint: "https://anthropic.example.com" }));
    await config(ctx).updateLLMIntegration({ id, maxTokens: 1024n });
    let i = await getLlm(ctx, id);
    assert.deepEqual([i.maxTokens, i.endpoint, i.models], [1024n, "https://anthropic.example.com", [SupportedModel.SONNET_4_5, SupportedModel.OPUS_4_5]]);
    await config(ctx).updateLLMIntegration({ id, endpoint: "" });
    i = await getLlm(ctx, id);
    assert.deepEqual([i.endpoint, i.maxTokens], ["", 1024n]);
  }),
  define("UpdateLLMIntegration", "models-replace-and-derive-provider", "non-empty models replace them and derive the provider again; an empty list keeps them", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await config(ctx).updateLLMIntegration({ id, models: [SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_O1_MINI] });
    let i = await getLlm(ctx, id);
    assert.deepEqual([i.models, i.provider], [[SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_O1_MINI], LLMProvider.LLM_PROVIDER_OPENAI]);
    await config(ctx).updateLLMIntegration({ id, models: [], maxTokens: 1n });
    i = await getLlm(ctx, id);
    assert.deepEqual(i.models, [SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_O1_MINI]);
    await expectCode(config(ctx).updateLLMIntegration({ id, models: [SupportedModel.OPENAI_4O, SupportedModel.HAIKU_4_5] }), Code.InvalidArgument, { field: "models" });
  }),
  define("UpdateLLMIntegration", "api-key-reencrypted-or-removed", "a new api_key is re-encrypted (never returned); \"\" removes it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    const first = (await getLlm(ctx, id)).encryptedApiKey;
    const key = secretValue("sk-second");
    await config(ctx).updateLLMIntegration({ id, apiKey: key });
    const got = await config(ctx).getLLMIntegration({ id });
    assert.notDeepEqual(got.integration?.encryptedApiKey, first, "a new ciphertext");
    assertNoSecrets("GetLLMIntegration", GetLLMIntegrationResponseSchema, got, [key]);
    await config(ctx).updateLLMIntegration({ id, apiKey: "" });
    assert.equal((await getLlm(ctx, id)).encryptedApiKey.length, 0);
  }),
  define("UpdateLLMIntegration", "phase-with-reason", "phase DISABLED is set with a phase_reason; AVAILABLE again clears it", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await config(ctx).updateLLMIntegration({ id, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED });
    let i = await getLlm(ctx, id);
    assert.equal(i.phase, LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED);
    assert.notEqual(i.phaseReason, "", "phase_reason says who set it");
    await config(ctx).updateLLMIntegration({ id, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE });
    i = await getLlm(ctx, id);
    assert.deepEqual([i.phase, i.phaseReason], [LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE, ""]);
  }),
  define("UpdateLLMIntegration", "phase-unspecified-invalid", "phase UNSPECIFIED is invalid_argument naming phase", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await expectCode(config(ctx).updateLLMIntegration({ id, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_UNSPECIFIED }), Code.InvalidArgument, { field: "phase" });
  }),
  define("UpdateLLMIntegration", "request-headers-encrypted", "request headers replace the old ones; their values are returned encrypted, not in clear", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    const value = secretValue("header");
    await config(ctx).updateLLMIntegration({ id, requestHeaders: [{ key: "X-Team", value: new TextEncoder().encode(value), headerType: LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_LITERAL }] });
    const got = await config(ctx).getLLMIntegration({ id });
    assert.deepEqual(got.integration?.requestHeaders.map((h) => [h.key, h.headerType]), [["X-Team", LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_LITERAL]]);
    assertNoSecrets("GetLLMIntegration", GetLLMIntegrationResponseSchema, got, [value]);
  }),
  ...(
    [
      ["header-name-invalid", { key: "Bad Header", value: "v" }, "request_headers[0].key"],
      ["framing-header-invalid", { key: "Content-Length", value: "1" }, "request_headers[0].key"],
      ["header-value-control-invalid", { key: "X-Ok", value: "one\r\nInjected: two" }, "request_headers[0].value"],
      ["cel-expression-invalid", { key: "X-Cel", value: "request.user +", headerType: LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_CEL_EXPRESSION }, "request_headers[0].value"],
    ] as const
  ).map(([behaviour, header, field]) =>
    define("UpdateLLMIntegration", behaviour, `the request header ${JSON.stringify(header)} is invalid_argument naming ${field}`, async (ctx) => {
      const { runnerId } = await createTestRunner(ctx);
      const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
      await expectCode(
        config(ctx).updateLLMIntegration({
          id,
          requestHeaders: [{ key: header.key, value: new TextEncoder().encode(header.value), headerType: "headerType" in header ? header.headerType : LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_LITERAL }],
        }),
        Code.InvalidArgument,
        { field },
      );
      assert.deepEqual((await getLlm(ctx, id)).requestHeaders, [], "nothing changed");
    }),
  ),
  define("UpdateLLMIntegration", "unknown-id-not-found", "an unknown id is not_found", async (ctx) => {
    await expectCode(config(ctx).updateLLMIntegration({ id: newId(), maxTokens: 1n }), Code.NotFound);
  }),
  define("UpdateLLMIntegration", "other-organization-not-found", "another organization's update is not_found and changes nothing", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).updateLLMIntegration({ id, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED }), Code.NotFound);
    assert.equal((await getLlm(ctx, id)).phase, LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "UpdateLLMIntegration", (c) => c.updateLLMIntegration({ id: newId(), maxTokens: 1n })),

  define("DeleteLLMIntegration", "removes-integration", "removes the integration, with or without force; a second delete is not_found", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    for (const force of [false, true]) {
      const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
      await config(ctx).deleteLLMIntegration({ id, force });
      await expectCode(config(ctx).getLLMIntegration({ id }), Code.NotFound);
      await expectCode(config(ctx).deleteLLMIntegration({ id, force }), Code.NotFound);
    }
  }),
  define("DeleteLLMIntegration", "runner-deletion-removes", "DeleteRunner removes the runner's LLM integrations", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await ctx.client(RunnerService).deleteRunner({ runnerId });
    await expectCode(config(ctx).getLLMIntegration({ id }), Code.NotFound);
  }),
  define("DeleteLLMIntegration", "other-organization-not-found", "another organization's delete is not_found and leaves the integration", async (ctx) => {
    const { runnerId } = await createTestRunner(ctx);
    const { id } = await config(ctx).createLLMIntegration(claude(runnerId));
    await expectCode(otherOrganization(ctx).client(RunnerConfigurationService).deleteLLMIntegration({ id, force: true }), Code.NotFound);
    assert.equal((await getLlm(ctx, id)).id, id);
  }, isolation),
  ...unauthenticatedScenarios(define, RunnerConfigurationService, "DeleteLLMIntegration", (c) => c.deleteLLMIntegration({ id: newId() })),
];

export const runnerConfigurationServiceScenarios: Scenario[] = [
  ...hostTokenScenarios,
  ...schemaScenarios,
  ...scmScenarios,
  ...classScenarios,
  ...validateScenarios,
  ...llmScenarios,
];
