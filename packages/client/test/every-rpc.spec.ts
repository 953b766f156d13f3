// Every RPC of the schema, reached through the high level of the client and working for real: one
// realistic scenario against the reference server (runners, their policies and configuration, SCM
// access, environments and their tokens and ports, projects, automations, events, identity). An
// interceptor records the procedure of every call the client sends; the last test compares that
// record with the methods of the six services of the schema and names any RPC never reached.
//
// The tests of this file run in order and share what earlier ones created (the runner, the
// environments, the services and tasks) through the variables declared at the top of each block.

import { randomUUID } from "node:crypto";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  AdmissionLevel,
  EnvironmentPhase,
  EnvironmentService,
  ListEnvironmentsRequest_ArchivalStatus as ArchivalStatus,
  type Environment,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import {
  EnvironmentAutomationService,
  ServicePhase,
  TaskExecutionPhase,
  type Service,
  type Task,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EventService, ResourceOperation, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService, Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { LLMIntegrationPhase, SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";
import { RunnerPhase, RunnerReleaseChannel, RunnerRole, RunnerService, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { HostAuthenticationTokenSource, LLMProvider, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitpodClient } from "../src/node.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

const schemaServices = [EnvironmentService, EnvironmentAutomationService, RunnerService, RunnerConfigurationService, EventService, IdentityService];

/** `gitpod.v1.X/Method` of every call the client sent (every attempt, waits and streams included). */
const called = new Set<string>();
const recordProcedure: Interceptor = (next) => (req) => {
  called.add(`${req.service.typeName}/${req.method.name}`);
  return next(req);
};

let server: ClientTestServer;
let client: GitpodClient;

beforeAll(async () => {
  server = await startClientTestServer();
  client = server.client({ interceptors: [recordProcedure] });
});
afterAll(() => server.close());

/** Generous for the server's 10 ms steps; a wait that hangs fails the test with its phase instead of timing it out. */
const wait = { timeoutMs: 10_000 };

/** The code a call failed with (fails the test if it did not). */
async function failureCode(call: Promise<unknown>): Promise<Code> {
  try {
    await call;
  } catch (e) {
    return ConnectError.from(e).code;
  }
  throw new Error("the call succeeded; a failure was expected");
}

/** Resolves once the resource is gone (not_found), polling the given read. */
async function expectGone(read: () => Promise<unknown>): Promise<void> {
  await expect.poll(() => failureCode(read()).catch(() => "still there"), { timeout: 5_000, interval: 20 }).toBe(Code.NotFound);
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("runners", () => {
  let runner: Runner;

  it("creates a runner: given name, provider and configuration come back, the kind is derived, the status is CREATED", async () => {
    const res = await client.runners.create({
      name: "every-rpc runner",
      provider: RunnerProvider.AWS_EC2,
      spec: { configuration: { region: "eu-central-1", releaseChannel: RunnerReleaseChannel.STABLE, autoUpdate: true } },
    });
    runner = res.runner!;
    expect(runner.runnerId).not.toBe(server.bootstrap.runnerId);
    expect(runner).toMatchObject({
      name: "every-rpc runner",
      provider: RunnerProvider.AWS_EC2,
      kind: RunnerKind.REMOTE,
      creator: { id: server.bootstrap.adminUserId, principal: Principal.USER },
      spec: { configuration: { region: "eu-central-1", releaseChannel: RunnerReleaseChannel.STABLE, autoUpdate: true } },
      status: { phase: RunnerPhase.CREATED },
    });
    expect(res.exchangeToken).toMatch(/\S{16,}/);
  });

  it("retrieves the runner as created and lists it among the organization's runners", async () => {
    const { runner: retrieved } = await client.runners.retrieve({ runnerId: runner.runnerId });
    expect(retrieved).toEqual(runner);
    const all = await client.runners.list().toArray();
    expect(all.map((r) => r.runnerId).sort()).toEqual([server.bootstrap.runnerId, runner.runnerId].sort());
    const local = await client.runners.list({ filter: { kinds: [RunnerKind.LOCAL] } }).toArray();
    expect(local).toEqual([]);
  });

  it("updates only what is sent: the name and release channel change, the region stays", async () => {
    await client.runners.update({ runnerId: runner.runnerId, name: "every-rpc runner, renamed", spec: { configuration: { releaseChannel: RunnerReleaseChannel.LATEST } } });
    const { runner: updated } = await client.runners.retrieve({ runnerId: runner.runnerId });
    expect(updated).toMatchObject({
      name: "every-rpc runner, renamed",
      spec: { configuration: { region: "eu-central-1", releaseChannel: RunnerReleaseChannel.LATEST } },
    });
    expect(updated!.updatedAt).toBeDefined();
    runner = updated!;
  });

  it("issues a runner token that authenticates as the runner itself", async () => {
    const { exchangeToken } = await client.runners.createRunnerToken({ runnerId: runner.runnerId });
    const asRunner = server.client({ token: exchangeToken });
    const identity = await asRunner.identity.getAuthenticatedIdentity({});
    expect(identity.subject).toMatchObject({ id: runner.runnerId, principal: Principal.RUNNER });
    expect(identity.organizationId).toBe(server.bootstrap.organizationId);
    // A runner sees itself only.
    expect((await asRunner.runners.list().toArray()).map((r) => r.runnerId)).toEqual([runner.runnerId]);
  });

  it("issues a logs token, which is no API credential", async () => {
    const { accessToken } = await client.runners.createLogsToken({ runnerId: runner.runnerId });
    expect(accessToken).toMatch(/^gitpod_logs_\S+/);
    const withLogsToken = server.client({ token: accessToken, retry: false });
    expect(await failureCode(withLogsToken.runners.retrieve({ runnerId: runner.runnerId }))).toBe(Code.Unauthenticated);
  });

  it("grants a group a role on the runner, changes it and revokes it, each change visible in the policy list", async () => {
    const groupId = randomUUID();
    const { policy } = await client.runners.policies.create({ runnerId: runner.runnerId, groupId, role: RunnerRole.ADMIN });
    expect(policy).toMatchObject({ groupId, role: RunnerRole.ADMIN });
    const policies = () => client.runners.policies.list({ runnerId: runner.runnerId }).toArray();
    expect((await policies()).map((p) => [p.groupId, p.role])).toEqual([[groupId, RunnerRole.ADMIN]]);
    const updated = await client.runners.policies.update({ runnerId: runner.runnerId, groupId, role: RunnerRole.USER });
    expect(updated.policy).toMatchObject({ groupId, role: RunnerRole.USER });
    expect((await policies()).map((p) => [p.groupId, p.role])).toEqual([[groupId, RunnerRole.USER]]);
    await client.runners.policies.delete({ runnerId: runner.runnerId, groupId });
    expect(await policies()).toEqual([]);
  });

  describe("configuration", () => {
    let classId: string;

    it("describes the runner's configuration: AWS environment class fields and the SCM systems", async () => {
      const { schema } = await client.runners.configurations.schema.retrieve({ runnerId: runner.runnerId });
      expect(schema!.version).toMatch(/^aws-ec2\//);
      expect(schema!.environmentClasses.map((f) => f.id)).toEqual(expect.arrayContaining(["cpu", "memory"]));
      expect(schema!.scm.map((s) => s.scmId)).toEqual(expect.arrayContaining(["github", "gitlab", "bitbucket"]));
    });

    it("validates a proposed environment class without storing it, and reports each bad field of another", async () => {
      const proposal = {
        runnerId: runner.runnerId,
        displayName: "Proposed class",
        description: "4 CPU, 16 GiB",
        configuration: [
          { key: "cpu", value: "4" },
          { key: "memory", value: "16" },
        ],
      };
      const good = await client.runners.configurations.validate({ runnerId: runner.runnerId, config: { case: "environmentClass", value: proposal } });
      expect(good.result).toEqual({ case: "environmentClass", value: expect.objectContaining({ valid: true, configurationErrors: [] }) });
      const bad = await client.runners.configurations.validate({
        runnerId: runner.runnerId,
        config: { case: "environmentClass", value: { ...proposal, configuration: [{ key: "cpu", value: "four" }] } },
      });
      expect(bad.result.case).toBe("environmentClass");
      const errors = bad.result.case === "environmentClass" ? bad.result.value.configurationErrors : [];
      expect(bad.result.value?.valid).toBe(false);
      expect(errors.map((e) => e.key).sort()).toEqual(["cpu", "memory"]);
      const scm = await client.runners.configurations.validate({
        runnerId: runner.runnerId,
        config: { case: "scmIntegration", value: { scmId: "perforce", host: "p4.example.com", pat: true } },
      });
      expect(scm.result).toEqual({ case: "scmIntegration", value: expect.objectContaining({ valid: false, scmIdError: expect.stringContaining("perforce") }) });
      const classes = await client.runners.configurations.environmentClasses.list({ filter: { runnerIds: [runner.runnerId] } }).toArray();
      expect(classes).toEqual([]);
    });

    it("creates an environment class, retrieves it enabled, lists it and updates its name and description", async () => {
      const configuration = [
        { key: "cpu", value: "8" },
        { key: "memory", value: "32" },
      ];
      const { id } = await client.runners.configurations.environmentClasses.create({ runnerId: runner.runnerId, displayName: "Large", description: "8 CPU, 32 GiB", configuration });
      classId = id;
      const { environmentClass } = await client.runners.configurations.environmentClasses.retrieve({ environmentClassId: classId });
      expect(environmentClass).toMatchObject({ id: classId, runnerId: runner.runnerId, displayName: "Large", description: "8 CPU, 32 GiB", enabled: true, configuration });
      const listed = await client.runners.configurations.environmentClasses.list({ filter: { runnerIds: [runner.runnerId], enabled: true } }).toArray();
      expect(listed.map((c) => c.id)).toEqual([classId]);
      await client.runners.configurations.environmentClasses.update({ environmentClassId: classId, displayName: "Large (8 CPU)", description: "8 CPU, 32 GiB RAM" });
      const { environmentClass: updated } = await client.runners.configurations.environmentClasses.retrieve({ environmentClassId: classId });
      expect(updated).toMatchObject({ displayName: "Large (8 CPU)", description: "8 CPU, 32 GiB RAM", enabled: true, configuration });
    });

    it("creates an LLM integration whose API key comes back only encrypted, updates it and deletes it", async () => {
      const apiKey = "sk-ant-every-rpc-0123456789";
      const { id } = await client.runners.configurations.llmIntegrations.create({
        runnerId: runner.runnerId,
        models: [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5],
        apiKey,
        maxTokens: 8192n,
      });
      const { integration } = await client.runners.configurations.llmIntegrations.retrieve({ id });
      expect(integration).toMatchObject({
        id,
        runnerId: runner.runnerId,
        models: [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5],
        maxTokens: 8192n,
        provider: LLMProvider.LLM_PROVIDER_ANTHROPIC,
        phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE,
      });
      expect(integration!.encryptedApiKey.length).toBeGreaterThan(0);
      expect(Buffer.from(integration!.encryptedApiKey).includes(apiKey)).toBe(false);
      const listed = await client.runners.configurations.llmIntegrations.list({ filter: { runnerIds: [runner.runnerId] } }).toArray();
      expect(listed.map((i) => i.id)).toEqual([id]);
      await client.runners.configurations.llmIntegrations.update({ id, maxTokens: 4096n, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED });
      const { integration: updated } = await client.runners.configurations.llmIntegrations.retrieve({ id });
      expect(updated).toMatchObject({ maxTokens: 4096n, phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED, models: integration!.models });
      await client.runners.configurations.llmIntegrations.delete({ id });
      expect(await failureCode(client.runners.configurations.llmIntegrations.retrieve({ id }))).toBe(Code.NotFound);
      expect(await client.runners.configurations.llmIntegrations.list({ filter: { runnerIds: [runner.runnerId] } }).toArray()).toEqual([]);
    });

    // A self-hosted GitLab, known to the runner only through its SCM integration: the server's SCM
    // catalogue has its fixture repositories and organizations on every host a runner knows.
    describe("SCM access through an SCM integration and a host authentication token", () => {
      const host = "git.example.com";
      let integrationId: string;
      let tokenId: string;

      it("creates a GitLab integration for the host whose client secret comes back only encrypted", async () => {
        ({ id: integrationId } = await client.runners.configurations.scmIntegrations.create({
          runnerId: runner.runnerId,
          scmId: "gitlab",
          host,
          oauthClientId: "every-rpc-client",
          oauthPlaintextClientSecret: "every-rpc-secret",
          pat: true,
        }));
        const { integration } = await client.runners.configurations.scmIntegrations.retrieve({ id: integrationId });
        expect(integration).toMatchObject({ id: integrationId, runnerId: runner.runnerId, scmId: "gitlab", host, pat: true, oauth: { clientId: "every-rpc-client" } });
        expect(integration!.oauth!.encryptedClientSecret.length).toBeGreaterThan(0);
        expect(Buffer.from(integration!.oauth!.encryptedClientSecret).includes("every-rpc-secret")).toBe(false);
        const listed = await client.runners.configurations.scmIntegrations.list({ filter: { runnerIds: [runner.runnerId] } }).toArray();
        expect(listed.map((i) => i.id)).toEqual([integrationId]);
      });

      it("rotates the integration's OAuth client id, which the authentication check then offers, unauthenticated so far", async () => {
        await client.runners.configurations.scmIntegrations.update({ id: integrationId, oauthClientId: "every-rpc-client-2" });
        const { integration } = await client.runners.configurations.scmIntegrations.retrieve({ id: integrationId });
        expect(integration!.oauth!.clientId).toBe("every-rpc-client-2");
        const check = await client.runners.checkAuthenticationForHost({ runnerId: runner.runnerId, host });
        expect(check).toMatchObject({ authenticated: false, scmId: "gitlab", scmName: "GitLab" });
        const authUrl = new URL(check.supportsOauth2!.authUrl);
        expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`https://${host}/oauth/authorize`);
        expect(authUrl.searchParams.get("client_id")).toBe("every-rpc-client-2");
        expect(check.supportsPat).toBeDefined();
      });

      it("stores a personal access token for the host, owned by the caller, and then reports the caller authenticated", async () => {
        const { token } = await client.runners.configurations.hostAuthenticationTokens.create({
          runnerId: runner.runnerId,
          host,
          token: "glpat-every-rpc-0000000000",
          source: HostAuthenticationTokenSource.PAT,
          integrationId,
          scopes: ["read_repository"],
        });
        tokenId = token!.id;
        expect(token).toMatchObject({
          runnerId: runner.runnerId,
          host,
          source: HostAuthenticationTokenSource.PAT,
          integrationId,
          scopes: ["read_repository"],
          subject: { id: server.bootstrap.adminUserId, principal: Principal.USER },
        });
        const check = await client.runners.checkAuthenticationForHost({ runnerId: runner.runnerId, host });
        expect(check.authenticated).toBe(true);
      });

      it("retrieves, lists and updates the host token (expiry and scopes), never returning its value", async () => {
        const { token } = await client.runners.configurations.hostAuthenticationTokens.retrieve({ id: tokenId });
        expect(token).toMatchObject({ id: tokenId, host, integrationId });
        const listed = await client.runners.configurations.hostAuthenticationTokens.list({ filter: { runnerId: runner.runnerId } }).toArray();
        expect(listed.map((t) => t.id)).toEqual([tokenId]);
        expect(JSON.stringify(listed, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("glpat-every-rpc");
        const expiresAt = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
        expiresAt.setMilliseconds(0);
        await client.runners.configurations.hostAuthenticationTokens.update({ id: tokenId, expiresAt: timestampFromDate(expiresAt), scopes: ["api", "read_repository"] });
        const { token: updated } = await client.runners.configurations.hostAuthenticationTokens.retrieve({ id: tokenId });
        expect(timestampDate(updated!.expiresAt!).toISOString()).toBe(expiresAt.toISOString());
        expect(updated!.scopes).toEqual(["api", "read_repository"]);
      });

      it("parses a GitLab branch URL on the host into repository and branch, recommending the runner's class", async () => {
        const contextUrl = `https://${host}/org/repo/-/tree/develop`;
        const parsed = await client.runners.parseContextURL({ runnerId: runner.runnerId, contextUrl });
        expect(parsed).toMatchObject({
          originalContextUrl: contextUrl,
          scmId: "gitlab",
          git: { host, owner: "org", repo: "repo", branch: "develop", cloneUrl: `https://${host}/org/repo.git` },
          recommendedEnvironmentClasses: [classId],
        });
      });

      it("searches the host's repositories page by page", async () => {
        const search = client.runners.searchRepositories({ runnerId: runner.runnerId, scmHost: host, searchString: "template", pagination: { pageSize: 1 } });
        const pages = [];
        for await (const page of search.pages()) pages.push(page.repositories.map((r) => r.name));
        expect(pages).toEqual([["template-python-flask"], ["template-typescript-node"]]);
        const all = await client.runners.searchRepositories({ runnerId: runner.runnerId, scmHost: host }).toArray();
        expect(all.map((r) => r.url)).toContain(`https://${host}/org/repo`);
        expect(all.map((r) => r.url)).not.toContain(`https://${host}/org/private-repo`);
      });

      it("lists the caller's organizations on the host, and filters them by query (a GitLab host)", async () => {
        const organizations = await client.runners.listScmOrganizations({ runnerId: runner.runnerId, scmHost: host }).toArray();
        expect(organizations.map((o) => [o.name, o.url])).toEqual([
          ["gitpod-io", `https://${host}/gitpod-io`],
          ["org", `https://${host}/org`],
          ["org/platform", `https://${host}/org/platform`],
        ]);
        const filtered = await client.runners.listScmOrganizations({ runnerId: runner.runnerId, scmHost: host, query: "plat" }).toArray();
        expect(filtered.map((o) => o.name)).toEqual(["org/platform"]);
      });

      it("checks repository access: a public repository yes, a private one no, with the reason", async () => {
        const open = await client.runners.checkRepositoryAccess({ runnerId: runner.runnerId, repositoryUrl: `https://${host}/org/repo` });
        expect(open).toMatchObject({ hasAccess: true, errorMessage: "" });
        const closed = await client.runners.checkRepositoryAccess({ runnerId: runner.runnerId, repositoryUrl: `https://${host}/org/private-repo` });
        expect(closed.hasAccess).toBe(false);
        expect(closed.errorMessage).toMatch(/\S/);
      });

      it("deletes the host token: the caller is no longer authenticated with the host", async () => {
        await client.runners.configurations.hostAuthenticationTokens.delete({ id: tokenId });
        expect(await failureCode(client.runners.configurations.hostAuthenticationTokens.retrieve({ id: tokenId }))).toBe(Code.NotFound);
        expect((await client.runners.checkAuthenticationForHost({ runnerId: runner.runnerId, host })).authenticated).toBe(false);
        expect(await failureCode(client.runners.searchRepositories({ runnerId: runner.runnerId, scmHost: host }).toArray())).toBe(Code.FailedPrecondition);
      });

      it("deletes the SCM integration: the runner no longer knows the host", async () => {
        await client.runners.configurations.scmIntegrations.delete({ id: integrationId });
        expect(await failureCode(client.runners.configurations.scmIntegrations.retrieve({ id: integrationId }))).toBe(Code.NotFound);
        expect(await failureCode(client.runners.checkAuthenticationForHost({ runnerId: runner.runnerId, host }))).toBe(Code.FailedPrecondition);
      });
    });
  });

  it("deletes the runner: DELETING at once, wanted DELETED, its environment classes gone with it", async () => {
    await client.runners.delete({ runnerId: runner.runnerId });
    const { runner: deleting } = await client.runners.retrieve({ runnerId: runner.runnerId });
    expect(deleting).toMatchObject({ spec: { desiredPhase: RunnerPhase.DELETED }, status: { phase: RunnerPhase.DELETING } });
    expect(await client.runners.configurations.environmentClasses.list({ filter: { runnerIds: [runner.runnerId] } }).toArray()).toEqual([]);
  });
});

describe("environments", () => {
  const contextUrl = "https://github.com/gitpod-io/gitpod/tree/main";
  let environment: Environment;

  it("lists the bootstrap environment class as one to create environments with", async () => {
    const classes = await client.environments.classes.list({ filter: { canCreateEnvironments: true } }).toArray();
    expect(classes).toEqual([expect.objectContaining({ id: server.bootstrap.environmentClassId, runnerId: server.bootstrap.runnerId, enabled: true })]);
  });

  it("creates an environment from a context URL, CREATING, on the class's runner", async () => {
    const { environment: created } = await client.environments.create({
      name: "every-rpc",
      spec: {
        machine: { class: server.bootstrap.environmentClassId },
        content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: contextUrl } } }] } },
        ports: [{ port: 3000, name: "web", admission: AdmissionLevel.ORGANIZATION }],
      },
    });
    environment = created!;
    expect(environment).toMatchObject({
      metadata: { name: "every-rpc", originalContextUrl: contextUrl, runnerId: server.bootstrap.runnerId, creator: { id: server.bootstrap.adminUserId } },
      spec: { desiredPhase: EnvironmentPhase.RUNNING, machine: { class: server.bootstrap.environmentClassId } },
      status: { phase: EnvironmentPhase.CREATING },
    });
  });

  it("waits for it to run: content cloned from the context URL, its port served", async () => {
    const running = await client.environments.waitForPhase(environment.id, EnvironmentPhase.RUNNING, wait);
    expect(running.id).toBe(environment.id);
    expect(running.status).toMatchObject({
      phase: EnvironmentPhase.RUNNING,
      content: { git: { cloneUrl: "https://github.com/gitpod-io/gitpod.git", branch: "main" } },
      environmentUrls: { ports: [{ port: 3000, url: expect.stringMatching(/^http/) }], logs: expect.stringMatching(/^http/) },
    });
    const { environment: retrieved } = await client.environments.retrieve({ environmentId: environment.id });
    expect(retrieved!.status!.phase).toBe(EnvironmentPhase.RUNNING);
    environment = retrieved!;
  });

  it("lists the environment, and finds it by phase", async () => {
    expect((await client.environments.list().toArray()).map((e) => e.id)).toContain(environment.id);
    const running = await client.environments.list({ filter: { statusPhases: [EnvironmentPhase.RUNNING], creatorIds: [server.bootstrap.adminUserId] } }).toArray();
    expect(running.map((e) => e.id)).toContain(environment.id);
    const stopped = await client.environments.list({ filter: { statusPhases: [EnvironmentPhase.STOPPED] } }).toArray();
    expect(stopped.map((e) => e.id)).not.toContain(environment.id);
  });

  it("renames it and changes its timeout: a new spec version, the rest of the spec as it was", async () => {
    await client.environments.update({ environmentId: environment.id, metadata: { name: "every-rpc, renamed" }, spec: { timeout: { disconnected: { seconds: 7200n } } } });
    const { environment: updated } = await client.environments.retrieve({ environmentId: environment.id });
    expect(updated!.metadata!.name).toBe("every-rpc, renamed");
    expect(updated!.spec!.timeout!.disconnected).toMatchObject({ seconds: 7200n });
    expect(updated!.spec!.specVersion).toBeGreaterThan(environment.spec!.specVersion);
    expect(updated!.spec!.ports).toEqual(environment.spec!.ports);
    // The runner takes the new spec up (UPDATING for a step or two) and the environment runs on.
    const read = async () => (await client.environments.retrieve({ environmentId: environment.id })).environment!;
    await expect
      .poll(async () => {
        const now = await read();
        return now.status!.phase === EnvironmentPhase.RUNNING && now.status!.runnerAck?.specVersion === updated!.spec!.specVersion;
      }, { timeout: 5_000, interval: 20 })
      .toBe(true);
    environment = await read();
  });

  it("records an activity signal in its status", async () => {
    const seenAt = new Date("2025-02-12T14:30:00Z");
    await client.environments.markActive({ environmentId: environment.id, activitySignal: { source: "VS Code", timestamp: timestampFromDate(seenAt) } });
    const { environment: marked } = await client.environments.retrieve({ environmentId: environment.id });
    expect(marked!.status!.activitySignal!.source).toBe("VS Code");
    expect(timestampDate(marked!.status!.activitySignal!.timestamp!).toISOString()).toBe(seenAt.toISOString());
  });

  it("issues a logs token that reads the environment's log at its logs URL", async () => {
    const { accessToken } = await client.environments.createLogsToken({ environmentId: environment.id });
    const logsUrl = environment.status!.environmentUrls!.logs;
    const res = await fetch(logsUrl, bearer(accessToken));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("spec version 1 acknowledged");
    expect((await fetch(logsUrl)).status).toBe(401);
  });

  it("issues an access token that authenticates as the environment and sees it", async () => {
    const { accessToken } = await client.environments.createEnvironmentToken({ environmentId: environment.id });
    const asEnvironment = server.client({ token: accessToken });
    const identity = await asEnvironment.identity.getAuthenticatedIdentity({});
    expect(identity.subject).toMatchObject({ id: environment.id, principal: Principal.ENVIRONMENT });
    const { environment: seen } = await asEnvironment.environments.retrieve({ environmentId: environment.id });
    expect(seen!.id).toBe(environment.id);
  });

  it("lets the caller reach its shared port: a port access token opens the port's URL, AllowPortAccess says yes (and no for an unshared port)", async () => {
    const portUrl = environment.status!.environmentUrls!.ports.find((p) => p.port === 3000)!.url;
    const { accessToken } = await client.environments.createPortAccessToken({ environmentId: environment.id, port: 3000 });
    expect((await fetch(portUrl, bearer(accessToken))).status).toBe(200);
    expect((await fetch(portUrl)).status).toBe(401);
    expect((await client.environments.allowPortAccess({ environmentId: environment.id, port: 3000 })).allowed).toBe(true);
    expect((await client.environments.allowPortAccess({ environmentId: environment.id, port: 8080 })).allowed).toBe(false);
  });

  it("stops it: STOPPED, wanted STOPPED, no URLs any more", async () => {
    await client.environments.stop({ environmentId: environment.id });
    const stopped = await client.environments.waitForPhase(environment.id, EnvironmentPhase.STOPPED, wait);
    expect(stopped.spec!.desiredPhase).toBe(EnvironmentPhase.STOPPED);
    expect(stopped.status!.environmentUrls).toBeUndefined();
    expect((await client.environments.allowPortAccess({ environmentId: environment.id, port: 3000 })).allowed).toBe(false);
  });

  it("archives the stopped environment out of the default list, and unarchives it back", async () => {
    const ids = async (archivalStatus?: ArchivalStatus) => (await client.environments.list({ filter: { archivalStatus } }).toArray()).map((e) => e.id);
    await client.environments.archive({ environmentId: environment.id });
    const { environment: archived } = await client.environments.retrieve({ environmentId: environment.id });
    expect(archived!.metadata!.archivedAt).toBeDefined();
    expect(await ids()).not.toContain(environment.id);
    expect(await ids(ArchivalStatus.ARCHIVED)).toEqual([environment.id]);
    // An archived environment does not start before it is unarchived.
    expect(await failureCode(client.environments.start({ environmentId: environment.id }))).toBe(Code.FailedPrecondition);
    await client.environments.unarchive({ environmentId: environment.id });
    const { environment: unarchived } = await client.environments.retrieve({ environmentId: environment.id });
    expect(unarchived!.metadata!.archivedAt).toBeUndefined();
    expect(await ids()).toContain(environment.id);
    expect(await ids(ArchivalStatus.ARCHIVED)).toEqual([]);
  });

  it("starts it again: RUNNING, with a later last-started time and its content kept", async () => {
    await client.environments.start({ environmentId: environment.id });
    const started = await client.environments.waitForPhase(environment.id, EnvironmentPhase.RUNNING, wait);
    expect(timestampDate(started.metadata!.lastStartedAt!).getTime()).toBeGreaterThan(timestampDate(environment.metadata!.lastStartedAt!).getTime());
    expect(started.status!.content!.git!.cloneUrl).toBe("https://github.com/gitpod-io/gitpod.git");
  });

  it("deletes it: DELETED, and then gone from reads and lists", async () => {
    await client.environments.delete({ environmentId: environment.id });
    const deleted = await client.environments.waitForPhase(environment.id, EnvironmentPhase.DELETED, wait);
    expect(deleted.id).toBe(environment.id);
    expect(deleted.status?.phase).toBe(EnvironmentPhase.DELETED);
    await expectGone(() => client.environments.retrieve({ environmentId: environment.id }));
    expect((await client.environments.list({ filter: { archivalStatus: ArchivalStatus.ALL } }).toArray()).map((e) => e.id)).not.toContain(environment.id);
  });

  it("creates an environment from a project: the project's name, repository and automations", async () => {
    const { projectId } = (await server.testing("/projects", {
      name: "Website",
      initializer: { specs: [{ contextUrl: { url: "https://github.com/gitpod-io/website" } }] },
      automationsFile: { services: { web: { name: "Web", commands: { start: "npm start" }, triggeredBy: ["postDevcontainerStart"] } } },
    })) as { projectId: string };
    const { environment: created } = await client.environments.createFromProject({ projectId });
    expect(created).toMatchObject({
      metadata: { projectId, name: "Website" },
      spec: { machine: { class: server.bootstrap.environmentClassId } },
    });
    expect(created!.spec!.content!.initializer!.specs[0]!.spec).toEqual({ case: "contextUrl", value: expect.objectContaining({ url: "https://github.com/gitpod-io/website" }) });
    await client.environments.waitForPhase(created!.id, EnvironmentPhase.RUNNING, wait);
    const [web, ...others] = await client.environments.automations.services.list({ filter: { environmentIds: [created!.id] } }).toArray();
    expect(others).toEqual([]);
    expect(web!.metadata).toMatchObject({ reference: "web", name: "Web" });
    // Its trigger fired when the dev container came up.
    await client.environments.automations.services.waitForPhase(web!.id, ServicePhase.RUNNING, wait);
    expect((await client.environments.list({ filter: { projectIds: [projectId] } }).toArray()).map((e) => e.id)).toEqual([created!.id]);
    await client.environments.delete({ environmentId: created!.id, force: true });
    expect(await failureCode(client.environments.retrieve({ environmentId: created!.id }))).toBe(Code.NotFound);
  });
});

describe("automations", () => {
  let environmentId: string;
  let api: Service;
  let build: Task;

  beforeAll(async () => {
    const { environment } = await client.environments.create({
      spec: {
        machine: { class: server.bootstrap.environmentClassId },
        content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: "https://github.com/gitpod-io/gitpod" } } }] } },
      },
    });
    environmentId = environment!.id;
    await client.environments.waitForPhase(environmentId, EnvironmentPhase.RUNNING, wait);
  });

  it("upserts an automations file: its service and task are created, then updated in place", async () => {
    const file = (command: string) => ({
      services: { docs: { name: "Docs", commands: { start: "npm run docs" } } },
      tasks: { lint: { name: "Lint", command } },
    });
    const first = await client.environments.automations.upsert({ environmentId, automationsFile: file("npm run lint") });
    expect(first.updatedServiceIds).toHaveLength(1);
    expect(first.updatedTaskIds).toHaveLength(1);
    const { service } = await client.environments.automations.services.retrieve({ id: first.updatedServiceIds[0]! });
    expect(service).toMatchObject({ environmentId, metadata: { reference: "docs", name: "Docs" }, spec: { commands: { start: "npm run docs" } } });
    const second = await client.environments.automations.upsert({ environmentId, automationsFile: file("npm run lint -- --fix") });
    expect(second).toMatchObject({ updatedServiceIds: first.updatedServiceIds, updatedTaskIds: first.updatedTaskIds });
    const { task } = await client.environments.automations.tasks.retrieve({ id: first.updatedTaskIds[0]! });
    expect(task).toMatchObject({ metadata: { reference: "lint", name: "Lint" }, spec: { command: "npm run lint -- --fix" } });
  });

  describe("services", () => {
    it("creates a service that does not run until started, and lists it with the file's", async () => {
      const { service } = await client.environments.automations.services.create({
        environmentId,
        metadata: { reference: "api", name: "API" },
        spec: { commands: { start: "node server.js", ready: "curl -s localhost:3001" } },
      });
      api = service!;
      expect(api).toMatchObject({ environmentId, metadata: { reference: "api", name: "API", creator: { id: server.bootstrap.adminUserId } } });
      expect(api.status!.phase).toBe(ServicePhase.UNSPECIFIED);
      const { service: retrieved } = await client.environments.automations.services.retrieve({ id: api.id });
      expect(retrieved!.metadata).toEqual(api.metadata);
      const references = (await client.environments.automations.services.list({ filter: { environmentIds: [environmentId] } }).toArray()).map((s) => s.metadata!.reference);
      expect(references.sort()).toEqual(["api", "docs"]);
    });

    it("updates the service at rest: name and start command", async () => {
      await client.environments.automations.services.update({ id: api.id, metadata: { name: "API server" }, spec: { commands: { start: "node server.js --port 3001" } } });
      const { service } = await client.environments.automations.services.retrieve({ id: api.id });
      expect(service!.metadata!.name).toBe("API server");
      expect(service!.spec!.commands).toMatchObject({ start: "node server.js --port 3001", ready: "curl -s localhost:3001" });
      api = service!;
    });

    it("starts the service to RUNNING and stops it to STOPPED", async () => {
      await client.environments.automations.services.start({ id: api.id });
      const running = await client.environments.automations.services.waitForPhase(api.id, ServicePhase.RUNNING, wait);
      expect(running.spec!.desiredPhase).toBe(ServicePhase.RUNNING);
      await client.environments.automations.services.stop({ id: api.id });
      const stopped = await client.environments.automations.services.waitForPhase(api.id, ServicePhase.STOPPED, wait);
      expect(stopped.spec!.desiredPhase).toBe(ServicePhase.STOPPED);
    });

    it("deletes the service: DELETED, then gone", async () => {
      await client.environments.automations.services.delete({ id: api.id });
      const deleted = await client.environments.automations.services.waitForPhase(api.id, ServicePhase.DELETED, wait);
      expect(deleted.id).toBe(api.id);
      expect(deleted.status?.phase).toBe(ServicePhase.DELETED);
      await expectGone(() => client.environments.automations.services.retrieve({ id: api.id }));
      const references = (await client.environments.automations.services.list({ filter: { environmentIds: [environmentId] } }).toArray()).map((s) => s.metadata!.reference);
      expect(references).toEqual(["docs"]);
    });
  });

  describe("tasks and their executions", () => {
    it("creates a task, retrieves it as created and lists it with the file's", async () => {
      const { task } = await client.environments.automations.tasks.create({
        environmentId,
        metadata: { reference: "build", name: "Build", triggeredBy: [{ trigger: { case: "manual", value: true } }] },
        spec: { command: "npm run build" },
      });
      build = task!;
      expect(build).toMatchObject({ environmentId, metadata: { reference: "build", name: "Build" }, spec: { command: "npm run build" } });
      expect(build.metadata!.triggeredBy).toEqual([expect.objectContaining({ trigger: { case: "manual", value: true } })]);
      const { task: retrieved } = await client.environments.automations.tasks.retrieve({ id: build.id });
      expect(retrieved).toEqual(build);
      const references = (await client.environments.automations.tasks.list({ filter: { environmentIds: [environmentId] } }).toArray()).map((t) => t.metadata!.reference);
      expect(references.sort()).toEqual(["build", "lint"]);
    });

    it("updates the task's command and description", async () => {
      await client.environments.automations.tasks.update({ id: build.id, metadata: { description: "Builds for production" }, spec: { command: "npm run build:prod" } });
      const { task } = await client.environments.automations.tasks.retrieve({ id: build.id });
      expect(task).toMatchObject({ metadata: { reference: "build", name: "Build", description: "Builds for production" }, spec: { command: "npm run build:prod" } });
      build = task!;
    });

    it("starts the task: an execution of the current command, PENDING, that succeeds", async () => {
      const { taskExecution } = await client.environments.automations.tasks.start({ id: build.id });
      expect(taskExecution).toMatchObject({ metadata: { taskId: build.id, environmentId }, status: { phase: TaskExecutionPhase.PENDING } });
      expect(taskExecution!.spec!.plan.flatMap((group) => group.steps).map((s) => s.step)).toEqual([
        { case: "task", value: expect.objectContaining({ id: build.id, spec: expect.objectContaining({ command: "npm run build:prod" }) }) },
      ]);
      const succeeded = await client.environments.automations.tasks.executions.waitForPhase(taskExecution!.id, TaskExecutionPhase.SUCCEEDED, wait);
      expect(succeeded.metadata!.completedAt).toBeDefined();
      const { taskExecution: retrieved } = await client.environments.automations.tasks.executions.retrieve({ id: taskExecution!.id });
      expect(retrieved!.status!.phase).toBe(TaskExecutionPhase.SUCCEEDED);
      expect(retrieved!.status!.steps.map((s) => s.phase)).toEqual([TaskExecutionPhase.SUCCEEDED]);
      const executions = await client.environments.automations.tasks.executions.list({ filter: { taskIds: [build.id] } }).toArray();
      expect(executions.map((x) => x.id)).toEqual([taskExecution!.id]);
    });

    it("stops an execution that waits on a service which never gets ready: STOPPED, wanted STOPPED", async () => {
      // The simulated runner's convention: a ready command `false` fails every check, so the
      // service stays STARTING and the task's step after it never runs.
      const created = await client.environments.automations.services.create({
        environmentId,
        metadata: { reference: "database", name: "Database" },
        spec: { commands: { start: "postgres", ready: "false" } },
      });
      const database = created.service!;
      const { task: e2e } = await client.environments.automations.tasks.create({
        environmentId,
        metadata: { reference: "e2e", name: "End-to-end tests" },
        spec: { command: "npm run e2e" },
        dependsOn: [database.id],
      });
      const { taskExecution } = await client.environments.automations.tasks.start({ id: e2e!.id });
      await client.environments.automations.tasks.executions.waitForPhase(taskExecution!.id, TaskExecutionPhase.RUNNING, wait);
      // The execution's first group asks the service to start; the task's step waits for it.
      await client.environments.automations.services.waitForPhase(database.id, ServicePhase.STARTING, wait);
      const { taskExecution: waiting } = await client.environments.automations.tasks.executions.retrieve({ id: taskExecution!.id });
      expect(waiting!.status!.phase).toBe(TaskExecutionPhase.RUNNING);
      await client.environments.automations.tasks.executions.stop({ id: taskExecution!.id });
      const stopped = await client.environments.automations.tasks.executions.waitForPhase(taskExecution!.id, TaskExecutionPhase.STOPPED, wait);
      expect(stopped.spec!.desiredPhase).toBe(TaskExecutionPhase.STOPPED);
      const stoppedRuns = await client.environments.automations.tasks.executions.list({ filter: { phases: [TaskExecutionPhase.STOPPED], environmentIds: [environmentId] } }).toArray();
      expect(stoppedRuns.map((x) => x.id)).toEqual([taskExecution!.id]);
      await client.environments.automations.services.stop({ id: database.id });
      await client.environments.automations.services.waitForPhase(database.id, ServicePhase.STOPPED, wait);
    });

    it("deletes the task; its executions stay as history", async () => {
      await client.environments.automations.tasks.delete({ id: build.id });
      expect(await failureCode(client.environments.automations.tasks.retrieve({ id: build.id }))).toBe(Code.NotFound);
      const references = (await client.environments.automations.tasks.list({ filter: { environmentIds: [environmentId] } }).toArray()).map((t) => t.metadata!.reference);
      expect(references.sort()).toEqual(["e2e", "lint"]);
      expect(await client.environments.automations.tasks.executions.list({ filter: { taskIds: [build.id] } }).toArray()).toHaveLength(1);
    });
  });
});

describe("events", () => {
  it("streams the creation of an environment made while watching, and ends when aborted", async () => {
    const abort = new AbortController();
    let live = () => {};
    const headers = new Promise<void>((resolve) => (live = resolve));
    const stream = client.events.watch(
      { scope: { case: "organization", value: true }, resourceTypeFilters: [{ resourceType: ResourceType.ENVIRONMENT }] },
      { signal: abort.signal, onHeader: () => live() },
    );
    const events = stream[Symbol.asyncIterator]();
    // The call starts with the first read; its response head says the subscription exists.
    let next = events.next();
    await headers;
    const { environment } = await client.environments.create({ spec: { machine: { class: server.bootstrap.environmentClassId } } });
    for (;;) {
      const read = await next;
      if (read.done) throw new Error("the event stream ended before the CREATE event");
      const { value } = read;
      if (value.operation === ResourceOperation.CREATE) {
        expect(value).toMatchObject({ resourceType: ResourceType.ENVIRONMENT, resourceId: environment!.id });
        break;
      }
      next = events.next();
    }
    abort.abort();
    // Events the client had already received before the abort still come out first (connect-es
    // reads on from its buffer); then the stream fails as canceled rather than ending cleanly.
    let end: Code | "ended" | undefined;
    for (let read = 0; end === undefined && read < 1_000; read++) {
      end = await events.next().then(
        ({ done }) => (done ? "ended" : undefined),
        (e: unknown) => ConnectError.from(e).code,
      );
    }
    expect(end).toBe(Code.Canceled);
    await client.environments.delete({ environmentId: environment!.id, force: true });
  });
});

describe("identity", () => {
  it("says the API token belongs to the bootstrap admin, a user of the bootstrap organization", async () => {
    const identity = await client.identity.getAuthenticatedIdentity({});
    expect(identity.subject).toMatchObject({ id: server.bootstrap.adminUserId, principal: Principal.USER });
    expect(identity.organizationId).toBe(server.bootstrap.organizationId);
  });
});

describe("coverage", () => {
  it("reached every RPC of the schema, 72 in 6 services, and nothing else", () => {
    const all = schemaServices.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`));
    expect(all).toHaveLength(72);
    const missing = all.filter((p) => !called.has(p));
    expect(missing, `never called through the high level: ${missing.join(", ")}`).toEqual([]);
    const unknown = [...called].filter((p) => !all.includes(p));
    expect(unknown, `called but not in the schema: ${unknown.join(", ")}`).toEqual([]);
  });
});
