// EnvironmentService through a real client over a real socket: what each RPC answers, each
// documented error, list filters and pagination, tokens and their scopes, and isolation between
// organizations.
import { Code } from "@connectrpc/connect";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  EnvironmentPhase,
  EnvironmentRole,
  EnvironmentService,
  ListEnvironmentsRequest_ArchivalStatus as ArchivalStatus,
  ListEnvironmentsRequest_SortField as SortField,
  AdmissionLevel,
  type ListEnvironmentsRequest_SortSchema,
  type ListEnvironmentsRequest_FilterSchema,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { CountResponseRelation } from "@gitpod-connect/schema/gitpod/v1/count";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { SortOrder } from "@gitpod-connect/schema/gitpod/v1/pagination";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environments } from "../../domain/environments/index.js";
import { allPages, expectFailure, tamper } from "../../test-support/expectations.js";
import { addRunner, addUser, runnerToken } from "../../test-support/store-fixtures.js";
import { http1Request } from "../../test-support/raw-request.js";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { contextSpec, createRunning, get, stepMs, stopToStopped, type EnvironmentClient } from "./environment-test-helpers.js";

const projectId = "7f3c2b1a-5d4e-4f60-8a9b-0c1d2e3f4a5b";
let server: TestServer;
let client: EnvironmentClient;
let other: EnvironmentClient;

beforeAll(async () => {
  server = await startTestServer({
    projects: [
      {
        id: projectId,
        name: "Website",
        initializer: { specs: [{ git: { remoteUri: "https://github.com/gitpod-io/website", cloneTarget: "master", targetMode: "CLONE_TARGET_MODE_REMOTE_BRANCH" } }] },
        devcontainerFilePath: ".devcontainer/website.json",
      },
    ],
  });
  client = server.client(EnvironmentService, testTokens.admin);
  other = server.client(EnvironmentService, testTokens.other);
});
afterAll(() => server.close());

const missingId = "00000000-0000-4000-8000-00000000ffff";

describe("CreateEnvironment", () => {
  it("answers with the new environment: server-set metadata, spec version 1, desired RUNNING, status CREATING", async () => {
    const { environment } = await client.createEnvironment({ spec: contextSpec(server), annotations: { team: "web" } });
    const e = environment!;
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.metadata).toMatchObject({
      organizationId: server.bootstrap.organizationId,
      name: "gitpod",
      creator: { id: server.bootstrap.adminUserId, principal: Principal.USER },
      originalContextUrl: "https://github.com/gitpod-io/gitpod/tree/main",
      runnerId: server.bootstrap.runnerId,
      role: EnvironmentRole.DEFAULT,
      annotations: { team: "web" },
      projectId: "",
    });
    expect(timestampMs(e.metadata!.createdAt!)).toBe(server.clock.nowMs());
    expect(e.metadata!.lastStartedAt).toEqual(e.metadata!.createdAt);
    expect(e.metadata!.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.spec).toMatchObject({ specVersion: 1n, desiredPhase: EnvironmentPhase.RUNNING });
    for (const part of [e.spec!.machine, e.spec!.content, e.spec!.devcontainer, e.spec!.automationsFile]) expect(part!.session).not.toBe("");
    expect(e.status).toMatchObject({ statusVersion: 1n, phase: EnvironmentPhase.CREATING });
    expect((await get(client, e.id)).metadata).toEqual(e.metadata);
  });

  it("keeps the name, session and sessions the caller chose", async () => {
    const sessionId = "11111111-2222-4333-8444-555555555555";
    const spec = contextSpec(server, "https://github.com/org/repo", (s) => (s.content!.session = "mine"));
    const { environment } = await client.createEnvironment({ spec, name: "my env", sessionId });
    expect(environment!.metadata).toMatchObject({ name: "my env", sessionId });
    expect(environment!.spec!.content!.session).toBe("mine");
  });

  it("requires an environment class: invalid_argument naming spec.machine.class", async () => {
    await expectFailure(client.createEnvironment({ spec: {} }), Code.InvalidArgument, "spec.machine.class");
    await expectFailure(client.createEnvironment({}), Code.InvalidArgument, "spec.machine.class");
  });

  it("answers not_found naming spec.machine.class for an unknown class or another organization's", async () => {
    await expectFailure(client.createEnvironment({ spec: { machine: { class: missingId } } }), Code.NotFound, "spec.machine.class", missingId);
    await expectFailure(other.createEnvironment({ spec: contextSpec(server) }), Code.NotFound, "spec.machine.class");
  });

  it("answers failed_precondition naming spec.machine.class for a disabled class, and not_found once its runner is deleted", async () => {
    const config = server.client(RunnerConfigurationService, testTokens.admin);
    const runnerId = await addRunner(server);
    const { id } = await config.createEnvironmentClass({
      runnerId,
      displayName: "Large",
      description: "8 cores",
      configuration: [
        { key: "cpu", value: "8" },
        { key: "memory", value: "32" },
        { key: "disk", value: "100" },
      ],
    });
    await config.updateEnvironmentClass({ environmentClassId: id, enabled: false });
    await expectFailure(client.createEnvironment({ spec: { machine: { class: id } } }), Code.FailedPrecondition, "spec.machine.class", "disabled");
    await config.updateEnvironmentClass({ environmentClassId: id, enabled: true });
    const { environment } = await client.createEnvironment({ spec: { machine: { class: id } } });
    expect(environment!.metadata!.runnerId).toBe(runnerId);
    await server.client(RunnerService, testTokens.admin).deleteRunner({ runnerId });
    // Deleting the runner removed its classes.
    await expectFailure(client.createEnvironment({ spec: { machine: { class: id } } }), Code.NotFound, "spec.machine.class");
  });

  it("rejects specs whose parts contradict each other, naming the field", async () => {
    const klass = { machine: { class: server.bootstrap.environmentClassId } };
    await expectFailure(
      client.createEnvironment({ spec: { ...klass, content: { initializer: { specs: [{ spec: { case: "git", value: { remoteUri: "" } } }] } } } }),
      Code.InvalidArgument,
      "spec.content.initializer.specs[0].git.remote_uri",
    );
    await expectFailure(
      client.createEnvironment({ spec: { ...klass, ports: [{ port: 3000, name: "a" }, { port: 3000, name: "b" }] } }),
      Code.InvalidArgument,
      "spec.ports[1].port",
    );
    await expectFailure(
      client.createEnvironment({ spec: { ...klass, sshPublicKeys: [{ id: "k", value: "not a key" }] } }),
      Code.InvalidArgument,
      "spec.ssh_public_keys[0].value",
    );
  });

  it("leaves the proto rules to protovalidate: a port below 1024 is invalid_argument", async () => {
    await expectFailure(
      client.createEnvironment({ spec: { machine: { class: server.bootstrap.environmentClassId }, ports: [{ port: 80, name: "http" }] } }),
      Code.InvalidArgument,
      "spec.ports[0].port",
    );
  });
});

describe("CreateEnvironmentFromProject", () => {
  it("starts an environment with the project's class, initializer and dev container file", async () => {
    const { environment } = await client.createEnvironmentFromProject({ projectId });
    const e = environment!;
    expect(e.metadata).toMatchObject({ projectId, name: "Website" });
    expect(e.spec!.machine!.class).toBe(server.bootstrap.environmentClassId);
    expect(e.spec!.devcontainer!.devcontainerFilePath).toBe(".devcontainer/website.json");
    expect(e.spec!.content!.initializer!.specs[0]!.spec).toMatchObject({ case: "git", value: { remoteUri: "https://github.com/gitpod-io/website" } });
    const running = await stopToStopped(server, client, (await createRunningFrom(projectId)).id);
    expect(running.status!.devcontainer!.devcontainerFilePath).toBe(".devcontainer/website.json");
  });

  it("lets the request's spec and name override the project's", async () => {
    const { environment } = await client.createEnvironmentFromProject({
      projectId,
      name: "override",
      spec: { content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: "https://github.com/org/repo" } } }] } } },
    });
    expect(environment!.metadata!.name).toBe("override");
    expect(environment!.spec!.content!.initializer!.specs[0]!.spec.case).toBe("contextUrl");
  });

  it("answers not_found naming project_id for an unknown project and for another organization's", async () => {
    await expectFailure(client.createEnvironmentFromProject({ projectId: missingId }), Code.NotFound, "project_id");
    await expectFailure(other.createEnvironmentFromProject({ projectId }), Code.NotFound, "project_id");
  });
});

async function createRunningFrom(project: string) {
  const { environment } = await client.createEnvironmentFromProject({ projectId: project });
  for (let i = 0; i < 20; i++) await server.clock.advance(stepMs);
  return get(client, environment!.id);
}

describe("ListEnvironments", () => {
  it("lists newest first across pages, with every environment once", async () => {
    const fresh = await startTestServer();
    try {
      const c = fresh.client(EnvironmentService, testTokens.admin);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await c.createEnvironment({ spec: contextSpec(fresh) })).environment!.id);
      const { items, pages } = await allPages(async (token) => {
        const r = await c.listEnvironments({ pagination: { pageSize: 3, token } });
        return { items: r.environments.map((e) => e.id), nextToken: r.pagination!.nextToken };
      });
      expect(pages).toBe(3);
      expect(items).toEqual([...ids].reverse());
      const ascending = await c.listEnvironments({ sort: { field: SortField.ID, order: SortOrder.ASC }, pagination: { pageSize: 100 } });
      expect(ascending.environments.map((e) => e.id)).toEqual(ids);
    } finally {
      await fresh.close();
    }
  });

  it("filters by runner, phase, creator, project, runner kind, role, session, creation time and search", async () => {
    const fresh = await startTestServer({ projects: [{ id: projectId, name: "P" }] });
    try {
      const c = fresh.client(EnvironmentService, testTokens.admin);
      const aliceToken = "alice-token";
      const alice = await addUser(fresh, { token: aliceToken });
      const ac = fresh.client(EnvironmentService, aliceToken);
      const a = (await c.createEnvironment({ spec: contextSpec(fresh, "https://github.com/org/repo/tree/develop"), name: "alpha" })).environment!;
      await fresh.clock.advance(1_000);
      const b = (await ac.createEnvironment({ spec: contextSpec(fresh, "https://gitlab.com/group/tool") })).environment!;
      const p = (await c.createEnvironmentFromProject({ projectId })).environment!;
      await fresh.clock.advance(stepMs * 20);
      await c.stopEnvironment({ environmentId: b.id });
      await fresh.clock.advance(stepMs * 5);
      const list = async (filter: MessageInitShape<typeof ListEnvironmentsRequest_FilterSchema>) =>
        (await c.listEnvironments({ filter: filter ?? {}, pagination: { pageSize: 100 } })).environments.map((e) => e.id).sort();
      const sorted = (...ids: string[]) => [...ids].sort();

      expect(await list({})).toEqual(sorted(a.id, b.id, p.id));
      expect(await list({ runnerIds: [fresh.bootstrap.runnerId] })).toEqual(sorted(a.id, b.id, p.id));
      expect(await list({ runnerIds: [missingId] })).toEqual([]);
      expect(await list({ statusPhases: [EnvironmentPhase.STOPPED] })).toEqual([b.id]);
      expect(await list({ statusPhases: [EnvironmentPhase.RUNNING, EnvironmentPhase.STOPPED] })).toEqual(sorted(a.id, b.id, p.id));
      expect(await list({ creatorIds: [alice] })).toEqual([b.id]);
      expect(await list({ projectIds: [projectId] })).toEqual([p.id]);
      expect(await list({ runnerKinds: [RunnerKind.REMOTE] })).toEqual(sorted(a.id, b.id, p.id));
      expect(await list({ runnerKinds: [RunnerKind.LOCAL] })).toEqual([]);
      expect(await list({ roles: [EnvironmentRole.DEFAULT] })).toEqual(sorted(a.id, b.id, p.id));
      expect(await list({ roles: [EnvironmentRole.PREBUILD] })).toEqual([]);
      expect(await list({ sessionIds: [a.metadata!.sessionId] })).toEqual([a.id]);
      expect(await list({ createdBefore: b.metadata!.createdAt })).toEqual([a.id]);
      expect(await list({ search: "ALPHA" })).toEqual([a.id]);
      expect(await list({ search: "gitlab.com/group" })).toEqual([b.id]);
      expect(await list({ search: "develop" })).toEqual([a.id]);
      expect(await list({ search: b.id.slice(-6) })).toEqual([b.id]);
      expect(await list({ statusPhases: [EnvironmentPhase.STOPPED], creatorIds: [fresh.bootstrap.adminUserId] })).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("filters by lockdown time and archival status, and sorts by archival time", async () => {
    const fresh = await startTestServer();
    try {
      const c = fresh.client(EnvironmentService, testTokens.admin);
      const [a, b, live] = [await createRunning(fresh, c), await createRunning(fresh, c), await createRunning(fresh, c)];
      const lockdown = timestampFromMs(fresh.clock.nowMs() + 3_600_000);
      await c.updateEnvironment({ environmentId: live.id, metadata: { lockdownAt: lockdown } });
      for (const e of [b, a]) {
        await stopToStopped(fresh, c, e.id);
        await archiveNow(fresh, e.id);
        await fresh.clock.advance(1_000);
      }
      const list = async (request: {
        filter?: MessageInitShape<typeof ListEnvironmentsRequest_FilterSchema>;
        sort?: MessageInitShape<typeof ListEnvironmentsRequest_SortSchema>;
      }) =>
        (await c.listEnvironments({ pagination: { pageSize: 100 }, ...request })).environments.map((e) => e.id);
      expect(await list({ filter: { lockdownBefore: timestampFromMs(fresh.clock.nowMs() + 7_200_000) } })).toEqual([live.id]);
      expect(await list({ filter: { lockdownBefore: timestampFromMs(fresh.clock.nowMs()) } })).toEqual([]);
      expect(await list({})).toEqual([live.id]);
      expect(await list({ filter: { archivalStatus: ArchivalStatus.ACTIVE } })).toEqual([live.id]);
      expect((await list({ filter: { archivalStatus: ArchivalStatus.ALL } })).sort()).toEqual([a.id, b.id, live.id].sort());
      expect(await list({ filter: { archivalStatus: ArchivalStatus.ARCHIVED }, sort: { field: SortField.ARCHIVED_AT } })).toEqual([a.id, b.id]);
      expect(
        await list({ filter: { archivalStatus: ArchivalStatus.ARCHIVED }, sort: { field: SortField.ARCHIVED_AT, order: SortOrder.ASC } }),
      ).toEqual([b.id, a.id]);
    } finally {
      await fresh.close();
    }
  });

  it("counts the matches on the first page when asked: exactly, or at least the limit", async () => {
    const fresh = await startTestServer();
    try {
      const c = fresh.client(EnvironmentService, testTokens.admin);
      for (let i = 0; i < 3; i++) await c.createEnvironment({ spec: contextSpec(fresh) });
      const first = await c.listEnvironments({ pagination: { pageSize: 2 }, count: { include: true } });
      expect(first.count).toMatchObject({ value: 3, relation: CountResponseRelation.EQ });
      const second = await c.listEnvironments({ pagination: { pageSize: 2, token: first.pagination!.nextToken }, count: { include: true } });
      expect(second.count).toBeUndefined();
      expect((await c.listEnvironments({})).count).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it("rejects a tampered page token and one issued for another filter or organization", async () => {
    for (let i = 0; i < 3; i++) await client.createEnvironment({ spec: contextSpec(server) });
    const page = await client.listEnvironments({ pagination: { pageSize: 1 } });
    const token = page.pagination!.nextToken;
    expect(token).not.toBe("");
    await expectFailure(client.listEnvironments({ pagination: { pageSize: 1, token: tamper(token) } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(
      client.listEnvironments({ pagination: { pageSize: 1, token }, filter: { statusPhases: [EnvironmentPhase.RUNNING] } }),
      Code.InvalidArgument,
      "pagination.token",
    );
    await expectFailure(other.listEnvironments({ pagination: { pageSize: 1, token } }), Code.InvalidArgument, "pagination.token");
  });
});

async function archiveNow(s: TestServer, id: string) {
  await s.deps.store.collection(environments).update(id, (r) => {
    r.environment.metadata!.archivedAt = s.clock.now();
    return r;
  });
}

describe("UpdateEnvironment", () => {
  it("changes only what is set; metadata changes leave the spec version alone, spec changes bump it", async () => {
    const env = await createRunning(server, client);
    await client.updateEnvironment({ environmentId: env.id, metadata: { name: "renamed" } });
    let now = await get(client, env.id);
    expect(now.metadata!.name).toBe("renamed");
    expect(now.spec!.specVersion).toBe(env.spec!.specVersion);
    await client.updateEnvironment({ environmentId: env.id, spec: { content: { gitUsername: "octo", gitEmail: "octo@example.com" } } });
    now = await get(client, env.id);
    expect(now.spec!.content).toMatchObject({ gitUsername: "octo", gitEmail: "octo@example.com", session: env.spec!.content!.session });
    expect(now.spec!.specVersion).toBe(env.spec!.specVersion + 1n);
    expect(now.spec!.ports).toEqual(env.spec!.ports);
    await client.updateEnvironment({ environmentId: env.id });
    expect((await get(client, env.id)).spec!.specVersion).toBe(now.spec!.specVersion);
  });

  it("adds, replaces and removes SSH keys by id", async () => {
    const env = await createRunning(server, client);
    const key = (n: string) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${n} user@host`;
    await client.updateEnvironment({ environmentId: env.id, spec: { sshPublicKeys: [{ id: "a", value: key("A") }, { id: "b", value: key("B") }] } });
    await client.updateEnvironment({ environmentId: env.id, spec: { sshPublicKeys: [{ id: "a", value: key("C") }, { id: "b" }] } });
    expect((await get(client, env.id)).spec!.sshPublicKeys.map((k) => [k.id, k.value])).toEqual([["a", key("C")]]);
  });

  it("raises a port's auth nonce when its admission changes", async () => {
    const env = await createRunning(server, client);
    const port = (admission: AdmissionLevel) => ({ port: 3000, name: "web", admission });
    await client.updateEnvironment({ environmentId: env.id, spec: { ports: [port(AdmissionLevel.CREATOR_ONLY)] } });
    await client.updateEnvironment({ environmentId: env.id, spec: { ports: [port(AdmissionLevel.EVERYONE)] } });
    await client.updateEnvironment({ environmentId: env.id, spec: { ports: [port(AdmissionLevel.EVERYONE)] } });
    expect((await get(client, env.id)).spec!.ports[0]).toMatchObject({ admission: AdmissionLevel.EVERYONE, authNonce: 2n });
  });

  it("changes the content initializer and kernel controls only while stopped (failed_precondition otherwise)", async () => {
    const env = await createRunning(server, client);
    const initializer = { specs: [{ spec: { case: "contextUrl" as const, value: { url: "https://github.com/org/repo" } } }] };
    await expectFailure(client.updateEnvironment({ environmentId: env.id, spec: { content: { initializer } } }), Code.FailedPrecondition, "spec.content.initializer", "stopped");
    await expectFailure(client.updateEnvironment({ environmentId: env.id, spec: { kernelControlsConfig: {} } }), Code.FailedPrecondition, "spec.kernel_controls_config");
    await stopToStopped(server, client, env.id);
    await client.updateEnvironment({ environmentId: env.id, spec: { content: { initializer } } });
    expect((await get(client, env.id)).spec!.content!.initializer!.specs[0]!.spec.value).toMatchObject({ url: "https://github.com/org/repo" });
  });

  it("lets only organization admins change the lockdown time: future sets, zero removes, past is invalid", async () => {
    const env = await createRunning(server, client);
    const memberToken = "member-token";
    await addUser(server, { token: memberToken });
    const member = server.client(EnvironmentService, memberToken);
    const future = timestampFromMs(server.clock.nowMs() + 86_400_000);
    await expectFailure(member.updateEnvironment({ environmentId: env.id, metadata: { lockdownAt: future } }), Code.PermissionDenied, "metadata.lockdown_at");
    await client.updateEnvironment({ environmentId: env.id, metadata: { lockdownAt: future } });
    expect((await get(client, env.id)).metadata!.lockdownAt).toEqual(future);
    await expectFailure(
      client.updateEnvironment({ environmentId: env.id, metadata: { lockdownAt: timestampFromMs(server.clock.nowMs() - 1_000) } }),
      Code.InvalidArgument,
      "metadata.lockdown_at",
    );
    await client.updateEnvironment({ environmentId: env.id, metadata: { lockdownAt: timestampFromMs(0) } });
    expect((await get(client, env.id)).metadata!.lockdownAt).toBeUndefined();
  });

  it("serializes concurrent updates: none is lost and the spec version rises once per change", async () => {
    const env = await createRunning(server, client);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.updateEnvironment({ environmentId: env.id, spec: { sshPublicKeys: [{ id: `k${i}`, value: `ssh-ed25519 AAAA${i} k${i}` }] } }),
      ),
    );
    const now = await get(client, env.id);
    expect(now.spec!.sshPublicKeys.map((k) => k.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
    expect(now.spec!.specVersion).toBe(env.spec!.specVersion + 20n);
  });
});

describe("MarkEnvironmentActive", () => {
  it("records the activity signal in the status, with the server's time when none is given", async () => {
    const env = await createRunning(server, client);
    await client.markEnvironmentActive({ environmentId: env.id, activitySignal: { source: "VS Code" } });
    const now = await get(client, env.id);
    expect(now.status!.activitySignal).toMatchObject({ source: "VS Code", timestamp: server.clock.now() });
    expect(now.status!.statusVersion).toBe(env.status!.statusVersion + 1n);
    const at = timestampFromMs(server.clock.nowMs() - 60_000);
    await client.markEnvironmentActive({ environmentId: env.id, activitySignal: { source: "SSH", timestamp: at } });
    expect((await get(client, env.id)).status!.activitySignal).toMatchObject({ source: "SSH", timestamp: at });
    await expectFailure(client.markEnvironmentActive({ environmentId: env.id, activitySignal: { source: "x" } }), Code.InvalidArgument, "activity_signal.source");
  });
});

describe("ListEnvironmentClasses", () => {
  it("answers exactly as RunnerConfigurationService.ListEnvironmentClasses does", async () => {
    const config = server.client(RunnerConfigurationService, testTokens.admin);
    const request = { filter: { canCreateEnvironments: true }, pagination: { pageSize: 2 } };
    const ours = await client.listEnvironmentClasses(request);
    expect(ours.environmentClasses.map((c) => c.id)).toContain(server.bootstrap.environmentClassId);
    expect(ours).toEqual(await config.listEnvironmentClasses(request));
  });
});

describe("access tokens", () => {
  it("authenticate as the environment, for that environment only, for one hour", async () => {
    const env = await createRunning(server, client);
    const otherEnv = await createRunning(server, client);
    const { accessToken } = await client.createEnvironmentAccessToken({ environmentId: env.id });
    const asEnv = server.client(EnvironmentService, accessToken);
    expect((await asEnv.getEnvironment({ environmentId: env.id })).environment!.id).toBe(env.id);
    expect((await asEnv.listEnvironments({})).environments.map((e) => e.id)).toEqual([env.id]);
    await asEnv.markEnvironmentActive({ environmentId: env.id, activitySignal: { source: "supervisor" } });
    await expectFailure(asEnv.getEnvironment({ environmentId: otherEnv.id }), Code.NotFound);
    await expectFailure(asEnv.stopEnvironment({ environmentId: env.id }), Code.PermissionDenied, "StopEnvironment");
    await expectFailure(asEnv.createEnvironment({ spec: contextSpec(server) }), Code.PermissionDenied);
    await expectFailure(server.client(RunnerService, accessToken).listRunners({}), Code.PermissionDenied);
    await server.clock.advance(60 * 60 * 1000);
    await expectFailure(asEnv.getEnvironment({ environmentId: env.id }), Code.Unauthenticated);
  });

  it("stop working when their environment is removed", async () => {
    const env = await createRunning(server, client);
    const { accessToken } = await client.createEnvironmentAccessToken({ environmentId: env.id });
    await client.deleteEnvironment({ environmentId: env.id, force: true });
    await expectFailure(server.client(EnvironmentService, accessToken).getEnvironment({ environmentId: env.id }), Code.Unauthenticated);
  });
});

describe("logs tokens", () => {
  it("open the environment's log at its logs URL, and nothing else", async () => {
    const env = await createRunning(server, client);
    const { accessToken } = await client.createEnvironmentLogsToken({ environmentId: env.id });
    const logsUrl = env.status!.environmentUrls!.logs;
    const read = (token?: string) => http1Request(logsUrl, { method: "GET", headers: token ? { authorization: `Bearer ${token}` } : {} });
    const ok = await read(accessToken);
    expect(ok.status).toBe(200);
    const lines = ok.body.toString("utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT.* spec version 1 acknowledged$/);
    expect(lines[lines.length - 1]).toMatch(/ running$/);
    expect((await read()).status).toBe(401);
    expect((await read(testTokens.admin)).status).toBe(401);
    const otherEnv = await createRunning(server, client);
    const { accessToken: otherLogs } = await client.createEnvironmentLogsToken({ environmentId: otherEnv.id });
    expect((await read(otherLogs)).status).toBe(403);
    // Not an API credential.
    await expectFailure(server.client(EnvironmentService, accessToken).getEnvironment({ environmentId: env.id }), Code.Unauthenticated);
    await server.clock.advance(60 * 60 * 1000);
    expect((await read(accessToken)).status).toBe(401);
  });
});

describe("runner callers", () => {
  it("see only the environments on their runner and may not change them", async () => {
    const env = await createRunning(server, client);
    const otherRunner = await addRunner(server, { provider: RunnerProvider.GCP });
    const own = server.client(EnvironmentService, await runnerToken(server, server.bootstrap.runnerId));
    const foreign = server.client(EnvironmentService, await runnerToken(server, otherRunner));
    expect((await own.getEnvironment({ environmentId: env.id })).environment!.id).toBe(env.id);
    await expectFailure(foreign.getEnvironment({ environmentId: env.id }), Code.NotFound);
    expect((await foreign.listEnvironments({})).environments).toEqual([]);
    await expectFailure(own.stopEnvironment({ environmentId: env.id }), Code.PermissionDenied);
  });
});

describe("protocols", () => {
  it.each(flavours)("creates, reads, lists and stops an environment over %s", async (flavour) => {
    const c = server.client(EnvironmentService, testTokens.admin, flavour);
    const { environment } = await c.createEnvironment({ spec: contextSpec(server), name: `over ${flavour}` });
    for (let i = 0; i < 10; i++) await server.clock.advance(stepMs);
    expect((await c.getEnvironment({ environmentId: environment!.id })).environment!.status!.phase).toBe(EnvironmentPhase.RUNNING);
    expect((await c.listEnvironments({ filter: { search: `over ${flavour}` } })).environments.map((e) => e.id)).toEqual([environment!.id]);
    await c.stopEnvironment({ environmentId: environment!.id });
    await expectFailure(c.getEnvironment({ environmentId: missingId }), Code.NotFound, missingId);
  });
});

describe("isolation", () => {
  it("answers not_found to another organization in every RPC that names an environment", async () => {
    const env = await createRunning(server, client);
    const id = { environmentId: env.id };
    // Thunks, called one at a time: a call started before its turn could fail before anything awaits it.
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => other.getEnvironment(id)],
      ["start", () => other.startEnvironment(id)],
      ["stop", () => other.stopEnvironment(id)],
      ["update", () => other.updateEnvironment({ ...id, metadata: { name: "x" } })],
      ["delete", () => other.deleteEnvironment(id)],
      ["delete force", () => other.deleteEnvironment({ ...id, force: true })],
      ["logs token", () => other.createEnvironmentLogsToken(id)],
      ["access token", () => other.createEnvironmentAccessToken(id)],
      ["mark active", () => other.markEnvironmentActive({ ...id, activitySignal: { source: "VS Code" } })],
      ["unarchive", () => other.unarchiveEnvironment(id)],
    ];
    for (const [, call] of calls) await expectFailure(call(), Code.NotFound, env.id);
    expect((await other.listEnvironments({ filter: { archivalStatus: ArchivalStatus.ALL } })).environments).toEqual([]);
    expect((await get(client, env.id)).metadata!.name).toBe(env.metadata!.name);
    expect((await get(client, env.id)).spec!.specVersion).toBe(env.spec!.specVersion);
  });

  it("answers not_found for an environment that does not exist", async () => {
    await expectFailure(client.getEnvironment({ environmentId: missingId }), Code.NotFound, missingId);
    await expectFailure(client.deleteEnvironment({ environmentId: missingId }), Code.NotFound, missingId);
  });
});
