// Ports: CreatePortAccessToken, AllowPortAccess and the port URLs they are for, by admission level,
// over real sockets. Also ArchiveEnvironment.
import { Code } from "@connectrpc/connect";
import { AdmissionLevel, EnvironmentService, ListEnvironmentsRequest_ArchivalStatus as ArchivalStatus } from "@gitpod-connect/schema/gitpod/v1/environment";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFailure } from "../../test-support/expectations.js";
import { http1Request } from "../../test-support/raw-request.js";
import { addRunner, addUser, runnerToken } from "../../test-support/store-fixtures.js";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { contextSpec, createRunning, get, stopToStopped, type EnvironmentClient } from "./environment-test-helpers.js";

let server: TestServer;
let admin: EnvironmentClient;
let member: EnvironmentClient;
const memberToken = "member-token";

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(EnvironmentService, testTokens.admin);
  await addUser(server, { token: memberToken, name: "member" });
  member = server.client(EnvironmentService, memberToken);
});
afterAll(() => server.close());

/** A running environment of the admin sharing 3000 (creator only), 4000 (organization) and 5000 (everyone). */
async function withPorts() {
  return createRunning(
    server,
    admin,
    contextSpec(server, undefined, (s) => {
      s.ports = [
        { $typeName: "gitpod.v1.EnvironmentSpec.EnvironmentPort", port: 3000, name: "mine", admission: AdmissionLevel.CREATOR_ONLY, protocol: 0, authNonce: 0n },
        { $typeName: "gitpod.v1.EnvironmentSpec.EnvironmentPort", port: 4000, name: "team", admission: AdmissionLevel.ORGANIZATION, protocol: 0, authNonce: 0n },
        { $typeName: "gitpod.v1.EnvironmentSpec.EnvironmentPort", port: 5000, name: "public", admission: AdmissionLevel.EVERYONE, protocol: 0, authNonce: 0n },
      ];
    }),
  );
}

const portUrl = (envId: string, port: number) => `${server.url}/environments/${envId}/ports/${port}/`;
const visit = async (url: string, token?: string) => (await http1Request(url, { method: "GET", headers: token ? { authorization: `Bearer ${token}` } : {} })).status;

describe("CreatePortAccessToken", () => {
  it("opens the port's URL for the caller, and only that port of that environment", async () => {
    const env = await withPorts();
    const urls = env.status!.environmentUrls!.ports.map((p) => [p.port, p.url]);
    expect(urls).toEqual([3000, 4000, 5000].map((p) => [p, portUrl(env.id, p)]));
    const { accessToken } = await admin.createPortAccessToken({ environmentId: env.id, port: 3000 });
    expect(await visit(portUrl(env.id, 3000), accessToken)).toBe(200);
    expect(await visit(`${portUrl(env.id, 3000)}some/page?x=1`, accessToken)).toBe(200);
    expect((await http1Request(`${portUrl(env.id, 3000)}?access_token=${accessToken}`, { method: "GET" })).status).toBe(200);
    expect(await visit(portUrl(env.id, 3000))).toBe(401);
    expect(await visit(portUrl(env.id, 4000), accessToken)).toBe(401);
    const other = await withPorts();
    expect(await visit(portUrl(other.id, 3000), accessToken)).toBe(401);
  });

  it("follows the admission level: creator-only for the creator, organization ports for members, everyone without a token", async () => {
    const env = await withPorts();
    await expectFailure(member.createPortAccessToken({ environmentId: env.id, port: 3000 }), Code.PermissionDenied, "port");
    const { accessToken } = await member.createPortAccessToken({ environmentId: env.id, port: 4000 });
    expect(await visit(portUrl(env.id, 4000), accessToken)).toBe(200);
    expect(await visit(portUrl(env.id, 5000))).toBe(200);
  });

  it("answers failed_precondition naming port for a port the environment does not share", async () => {
    const env = await withPorts();
    await expectFailure(admin.createPortAccessToken({ environmentId: env.id, port: 8080 }), Code.FailedPrecondition, "port", "8080");
    await expectFailure(admin.createPortAccessToken({ environmentId: env.id, port: 0 }), Code.InvalidArgument, "port");
    await expectFailure(admin.createPortAccessToken({ environmentId: env.id, port: 65536 }), Code.InvalidArgument, "port");
  });

  it("issues tokens that stop working when the port's admission changes, when they expire, and that are no API credential", async () => {
    const env = await withPorts();
    const { accessToken } = await admin.createPortAccessToken({ environmentId: env.id, port: 4000 });
    await expectFailure(server.client(EnvironmentService, accessToken).getEnvironment({ environmentId: env.id }), Code.Unauthenticated);
    const ports = (await get(admin, env.id)).spec!.ports.map((p) => (p.port === 4000 ? { ...p, admission: AdmissionLevel.CREATOR_ONLY } : p));
    await admin.updateEnvironment({ environmentId: env.id, spec: { ports } });
    expect(await visit(portUrl(env.id, 4000), accessToken)).toBe(401);
    const { accessToken: fresh } = await admin.createPortAccessToken({ environmentId: env.id, port: 4000 });
    expect(await visit(portUrl(env.id, 4000), fresh)).toBe(200);
    await server.clock.advance(60 * 60 * 1000);
    expect(await visit(portUrl(env.id, 4000), fresh)).toBe(401);
  });

  it("opens nothing while the environment does not run, and nothing for another organization", async () => {
    const env = await withPorts();
    const { accessToken } = await admin.createPortAccessToken({ environmentId: env.id, port: 3000 });
    await stopToStopped(server, admin, env.id);
    expect(await visit(portUrl(env.id, 3000), accessToken)).toBe(404);
    expect(await visit(portUrl(env.id, 5000))).toBe(404);
    await expectFailure(server.client(EnvironmentService, testTokens.other).createPortAccessToken({ environmentId: env.id, port: 5000 }), Code.NotFound);
  });
});

describe("AllowPortAccess", () => {
  it.each(flavours)("tells the caller whether it may reach a port now, over %s", async (flavour) => {
    const env = await withPorts();
    const asAdmin = server.client(EnvironmentService, testTokens.admin, flavour);
    const asMember = server.client(EnvironmentService, memberToken, flavour);
    const allowed = async (c: EnvironmentClient, port: number) => (await c.allowPortAccess({ environmentId: env.id, port })).allowed;
    expect([await allowed(asAdmin, 3000), await allowed(asAdmin, 4000), await allowed(asAdmin, 5000), await allowed(asAdmin, 8080)]).toEqual([true, true, true, false]);
    expect([await allowed(asMember, 3000), await allowed(asMember, 4000), await allowed(asMember, 5000)]).toEqual([false, true, true]);
  });

  it("answers the runner that hosts the environment yes, another runner not_found, and no while it does not run", async () => {
    const env = await withPorts();
    const own = server.client(EnvironmentService, await runnerToken(server, server.bootstrap.runnerId));
    expect((await own.allowPortAccess({ environmentId: env.id, port: 3000 })).allowed).toBe(true);
    const foreign = server.client(EnvironmentService, await runnerToken(server, await addRunner(server, { provider: RunnerProvider.GCP })));
    await expectFailure(foreign.allowPortAccess({ environmentId: env.id, port: 3000 }), Code.NotFound);
    await stopToStopped(server, admin, env.id);
    expect((await admin.allowPortAccess({ environmentId: env.id, port: 3000 })).allowed).toBe(false);
    await expectFailure(server.client(EnvironmentService, testTokens.other).allowPortAccess({ environmentId: env.id, port: 3000 }), Code.NotFound);
  });
});

describe("ArchiveEnvironment", () => {
  it("archives a stopped environment out of the default list, idempotently; unarchive reverses it", async () => {
    const env = await createRunning(server, admin);
    await expectFailure(admin.archiveEnvironment({ environmentId: env.id }), Code.FailedPrecondition, "must be stopped");
    await stopToStopped(server, admin, env.id);
    await admin.archiveEnvironment({ environmentId: env.id });
    const archivedAt = (await get(admin, env.id)).metadata!.archivedAt;
    expect(archivedAt).toEqual(server.clock.now());
    await server.clock.advance(1_000);
    await admin.archiveEnvironment({ environmentId: env.id });
    expect((await get(admin, env.id)).metadata!.archivedAt).toEqual(archivedAt);
    const ids = async (archivalStatus?: ArchivalStatus) =>
      (await admin.listEnvironments({ filter: archivalStatus ? { archivalStatus } : {}, pagination: { pageSize: 100 } })).environments.map((e) => e.id);
    expect(await ids()).not.toContain(env.id);
    expect(await ids(ArchivalStatus.ARCHIVED)).toContain(env.id);
    await admin.unarchiveEnvironment({ environmentId: env.id });
    expect(await ids()).toContain(env.id);
    await expectFailure(server.client(EnvironmentService, testTokens.other).archiveEnvironment({ environmentId: env.id }), Code.NotFound);
  });
});
