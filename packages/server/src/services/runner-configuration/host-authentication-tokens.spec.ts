import { Code } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findHostToken, hostAuthenticationTokens } from "../../domain/scm/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { openSecret } from "../../domain/secrets/index.js";
import { addRunner, addUser, allPages, expectFailure, expectOneWinner, leaks, rawBodies, runnerToken, tamper, userSubject } from "./test-fixtures.js";

let server: TestServer;
let runnerId: string;
let memberId: string;
let member2Id: string;
const client = (token: string) => server.client(RunnerConfigurationService, token);
let admin: ReturnType<typeof client>;
let member: ReturnType<typeof client>;
let member2: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
let hostCounter = 0;
const freshHost = () => `git${++hostCounter}.example.com`;

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
  runnerId = server.bootstrap.runnerId;
  memberId = await addUser(server, { token: "member-token", name: "member" });
  member2Id = await addUser(server, { token: "member2-token", name: "member2" });
  admin = client(testTokens.admin);
  member = client("member-token");
  member2 = client("member2-token");
  other = client(testTokens.other);
});
afterAll(() => server.close());

const oauthToken = (host: string, extra: Record<string, unknown> = {}) => ({
  runnerId,
  host,
  token: "gho_plaintext_access_token_value",
  refreshToken: "ghr_plaintext_refresh_token_value",
  source: HostAuthenticationTokenSource.OAUTH,
  expiresAt: timestampFromMs(Date.UTC(2026, 0, 1)),
  scopes: ["repo", "read:user"],
  ...extra,
});

describe("CreateHostAuthenticationToken", () => {
  it("stores a token for the caller by default, with a normalized host and no secret in the answer", async () => {
    const { token } = await admin.createHostAuthenticationToken(oauthToken("GitHub.COM"));
    expect(token).toMatchObject({
      runnerId,
      host: "github.com",
      source: HostAuthenticationTokenSource.OAUTH,
      scopes: ["repo", "read:user"],
      userId: server.bootstrap.adminUserId,
      subject: { id: server.bootstrap.adminUserId, principal: Principal.USER },
      integrationId: "",
    });
    expect(token?.expiresAt).toEqual(timestampFromMs(Date.UTC(2026, 0, 1)));
    expect(JSON.stringify(token, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain("plaintext");
  });

  it("keeps the token and refresh token encrypted in the store, readable only with the server key", async () => {
    const host = freshHost();
    const { token } = await admin.createHostAuthenticationToken(oauthToken(host));
    const record = (await server.deps.store.collection(hostAuthenticationTokens).get(token!.id))!.value;
    expect(Buffer.from(record.encryptedValue).includes(Buffer.from("gho_plaintext"))).toBe(false);
    expect(openSecret(record.encryptedValue)).toBe("gho_plaintext_access_token_value");
    expect(openSecret(record.encryptedRefreshToken!)).toBe("ghr_plaintext_refresh_token_value");
    const tampered = record.encryptedValue.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(() => openSecret(tampered)).toThrow();
  });

  it("never returns the secret values in any response, in JSON or binary", async () => {
    const secret = "ghp_NeverEchoThisSecret_0123456789";
    const refresh = "ghr_NeverEchoThisRefresh_9876543210";
    const host = freshHost();
    const created = await rawBodies(
      server,
      "createHostAuthenticationToken",
      (encoding) => ({ runnerId, host: encoding === "json" ? host : freshHost(), token: secret, refreshToken: refresh, source: HostAuthenticationTokenSource.PAT }),
      testTokens.admin,
    );
    const id = (JSON.parse(created.json) as { token: { id: string } }).token.id;
    await admin.updateHostAuthenticationToken({ id, token: secret + "2", refreshToken: refresh + "2" });
    const bodies = [
      created,
      await rawBodies(server, "getHostAuthenticationToken", { id }, testTokens.admin),
      await rawBodies(server, "listHostAuthenticationTokens", { pagination: { pageSize: 100 } }, testTokens.admin),
      await rawBodies(server, "updateHostAuthenticationToken", { id, token: secret }, testTokens.admin),
    ];
    for (const { json, binary } of bodies) {
      for (const s of [secret, refresh, secret + "2", refresh + "2"]) {
        expect(leaks(json, s)).toBe(false);
        expect(leaks(binary, s)).toBe(false);
      }
    }
    expect(bodies[1]!.json).toContain(host);
  });

  it("answers already_exists for a second token of the same user, runner and host", async () => {
    await admin.createHostAuthenticationToken(oauthToken("gitlab.com"));
    await expectFailure(admin.createHostAuthenticationToken(oauthToken("GITLAB.com")), Code.AlreadyExists, "gitlab.com");
    // Another user, or another runner, may hold one for the same host.
    await member.createHostAuthenticationToken(oauthToken("gitlab.com"));
    const second = await addRunner(server);
    await admin.createHostAuthenticationToken(oauthToken("gitlab.com", { runnerId: second }));
  });

  it("lets exactly one of 20 parallel creates for the same key win", async () => {
    const host = freshHost();
    await expectOneWinner(20, () => member2.createHostAuthenticationToken(oauthToken(host)), Code.AlreadyExists);
    const stored = await server.deps.store.collection(hostAuthenticationTokens).list({ limit: 1000, where: (r) => r.token.host === host });
    expect(stored.items).toHaveLength(1);
  });

  it("answers not_found for an unknown runner and for another organization's runner", async () => {
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { runnerId: "00000000-0000-4000-8000-0000000fffff" })), Code.NotFound, "runner");
    await expectFailure(other.createHostAuthenticationToken(oauthToken(freshHost())), Code.NotFound, runnerId);
  });

  it("rejects a bad host, an empty token, an undefined source and an empty scope naming the field", async () => {
    await expectFailure(admin.createHostAuthenticationToken(oauthToken("https://github.com/org")), Code.InvalidArgument, "host", "scheme");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken("bad host")), Code.InvalidArgument, "host");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken("")), Code.InvalidArgument, "host");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { token: "" })), Code.InvalidArgument, "token");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { source: 7 })), Code.InvalidArgument, "source");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { scopes: ["repo", " "] })), Code.InvalidArgument, "scopes[1]");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { runnerId: "not-a-uuid" })), Code.InvalidArgument, "runner_id");
  });

  it("lets an admin create a token for another user, named by subject or by the deprecated user_id", async () => {
    const bySubject = await admin.createHostAuthenticationToken(oauthToken(freshHost(), { subject: userSubject(memberId) }));
    expect(bySubject.token).toMatchObject({ userId: memberId, subject: { id: memberId, principal: Principal.USER } });
    const byUserId = await admin.createHostAuthenticationToken(oauthToken(freshHost(), { userId: memberId }));
    expect(byUserId.token).toMatchObject({ userId: memberId, subject: { id: memberId, principal: Principal.USER } });
  });

  it("refuses a token for someone else from a non-admin with permission_denied", async () => {
    await expectFailure(member.createHostAuthenticationToken(oauthToken(freshHost(), { subject: userSubject(member2Id) })), Code.PermissionDenied, "admin");
    await expectFailure(member.createHostAuthenticationToken(oauthToken(freshHost(), { userId: member2Id })), Code.PermissionDenied);
  });

  it("rejects contradicting owners, unknown users and owners that are not users or service accounts", async () => {
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { userId: memberId, subject: userSubject(member2Id) })), Code.InvalidArgument, "user_id");
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { subject: userSubject("00000000-0000-4000-8000-0000000fffff") })), Code.NotFound, "user");
    await expectFailure(
      admin.createHostAuthenticationToken(oauthToken(freshHost(), { subject: { id: runnerId, principal: Principal.RUNNER } })),
      Code.InvalidArgument,
      "subject.principal",
    );
    const serviceAccount = "00000000-0000-4000-8000-00000000aaaa";
    const { token } = await admin.createHostAuthenticationToken(oauthToken(freshHost(), { subject: { id: serviceAccount, principal: Principal.SERVICE_ACCOUNT } }));
    expect(token).toMatchObject({ userId: "", subject: { id: serviceAccount, principal: Principal.SERVICE_ACCOUNT } });
  });

  it("lets a runner store a user's token for itself, but not for another runner", async () => {
    const runner = client(await runnerToken(server, runnerId));
    const { token } = await runner.createHostAuthenticationToken(oauthToken(freshHost(), { subject: userSubject(memberId) }));
    expect(token?.subject?.id).toBe(memberId);
    const elsewhere = await addRunner(server);
    await expectFailure(runner.createHostAuthenticationToken(oauthToken(freshHost(), { runnerId: elsewhere, subject: userSubject(memberId) })), Code.PermissionDenied);
    await expectFailure(runner.createHostAuthenticationToken(oauthToken(freshHost())), Code.InvalidArgument, "subject");
  });

  it("checks integration_id: the integration must exist and be for the same runner and host", async () => {
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { integrationId: "00000000-0000-4000-8000-0000000fffff" })), Code.NotFound, "SCM integration");
    const host = freshHost();
    const { id: integrationId } = await admin.createSCMIntegration({ runnerId, scmId: "gitlab", host, pat: true });
    await expectFailure(admin.createHostAuthenticationToken(oauthToken(freshHost(), { integrationId })), Code.InvalidArgument, "integration_id");
    const { token } = await admin.createHostAuthenticationToken(oauthToken(host.toUpperCase(), { integrationId }));
    expect(token?.integrationId).toBe(integrationId);
  });
});

describe("GetHostAuthenticationToken", () => {
  let id: string;
  beforeAll(async () => {
    id = (await member.createHostAuthenticationToken(oauthToken(freshHost()))).token!.id;
  });

  it("shows a token to its owner, to organization admins and to its runner", async () => {
    expect((await member.getHostAuthenticationToken({ id })).token?.subject?.id).toBe(memberId);
    expect((await admin.getHostAuthenticationToken({ id })).token?.id).toBe(id);
    expect((await client(await runnerToken(server, runnerId)).getHostAuthenticationToken({ id })).token?.id).toBe(id);
  });

  it("hides a token from other members, other runners and other organizations as not_found", async () => {
    await expectFailure(member2.getHostAuthenticationToken({ id }), Code.NotFound, "host authentication token");
    await expectFailure(client(await runnerToken(server, await addRunner(server))).getHostAuthenticationToken({ id }), Code.NotFound);
    await expectFailure(other.getHostAuthenticationToken({ id }), Code.NotFound);
    await expectFailure(admin.getHostAuthenticationToken({ id: "00000000-0000-4000-8000-0000000fffff" }), Code.NotFound);
  });
});

describe("ListHostAuthenticationTokens", () => {
  let listRunner: string;
  beforeAll(async () => {
    listRunner = await addRunner(server);
    for (let i = 0; i < 7; i++) await admin.createHostAuthenticationToken(oauthToken(`list${i}.example.com`, { runnerId: listRunner }));
    for (let i = 0; i < 5; i++) await admin.createHostAuthenticationToken(oauthToken(`list${i}.example.com`, { runnerId: listRunner, subject: userSubject(memberId) }));
  });

  const pagesOf = (c: ReturnType<typeof client>, filter: Record<string, string>, pageSize = 3) =>
    allPages(async (token) => {
      const page = await c.listHostAuthenticationTokens({ filter, pagination: { token, pageSize } });
      return { items: page.tokens, nextToken: page.pagination?.nextToken ?? "" };
    });

  it("pages through a runner's tokens with filters for runner, subject and the deprecated user id", async () => {
    const all = await pagesOf(admin, { runnerId: listRunner });
    expect(all.items).toHaveLength(12);
    expect(all.pages).toBe(4);
    const members = await pagesOf(admin, { runnerId: listRunner, subjectId: memberId }, 2);
    expect(members.items.map((t) => t.host)).toEqual(Array.from({ length: 5 }, (_, i) => `list${i}.example.com`));
    expect(members.pages).toBe(3);
    const byUserId = await pagesOf(admin, { runnerId: listRunner, userId: memberId }, 2);
    expect(byUserId.items.map((t) => t.id)).toEqual(members.items.map((t) => t.id));
    const contradicting = await pagesOf(admin, { runnerId: listRunner, userId: memberId, subjectId: server.bootstrap.adminUserId });
    expect(contradicting.items).toEqual([]);
  });

  it("lists only the caller's own tokens for a member, and nothing of another organization", async () => {
    const mine = await pagesOf(member, { runnerId: listRunner });
    expect(mine.items).toHaveLength(5);
    expect(mine.items.every((t) => t.subject?.id === memberId)).toBe(true);
    const theirs = await pagesOf(other, {});
    expect(theirs.items).toEqual([]);
  });

  it("rejects a tampered page token and one reused with another filter with invalid_argument", async () => {
    const first = await admin.listHostAuthenticationTokens({ filter: { runnerId: listRunner }, pagination: { pageSize: 3 } });
    const token = first.pagination!.nextToken;
    await expectFailure(admin.listHostAuthenticationTokens({ filter: { runnerId: listRunner }, pagination: { token: tamper(token), pageSize: 3 } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listHostAuthenticationTokens({ filter: { runnerId: listRunner, subjectId: memberId }, pagination: { token, pageSize: 3 } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(other.listHostAuthenticationTokens({ filter: { runnerId: listRunner }, pagination: { token, pageSize: 3 } }), Code.InvalidArgument, "pagination.token");
  });
});

describe("UpdateHostAuthenticationToken", () => {
  it("replaces the set fields only: token value, refresh token, expiry and scopes", async () => {
    const { token } = await member.createHostAuthenticationToken(oauthToken(freshHost()));
    const id = token!.id;
    const collection = server.deps.store.collection(hostAuthenticationTokens);
    await member.updateHostAuthenticationToken({ id, token: "gho_rotated", expiresAt: timestampFromMs(Date.UTC(2027, 0, 1)) });
    let record = (await collection.get(id))!.value;
    expect(openSecret(record.encryptedValue)).toBe("gho_rotated");
    expect(openSecret(record.encryptedRefreshToken!)).toBe("ghr_plaintext_refresh_token_value");
    expect(record.token.scopes).toEqual(["repo", "read:user"]);
    expect(record.token.expiresAt).toEqual(timestampFromMs(Date.UTC(2027, 0, 1)));
    await member.updateHostAuthenticationToken({ id, scopes: ["repo"], refreshToken: "" });
    record = (await collection.get(id))!.value;
    expect(record.token.scopes).toEqual(["repo"]);
    expect(record.encryptedRefreshToken).toBeUndefined();
    expect(openSecret(record.encryptedValue)).toBe("gho_rotated");
  });

  it("rejects an empty token value and hides other people's tokens as not_found", async () => {
    const { token } = await member.createHostAuthenticationToken(oauthToken(freshHost()));
    await expectFailure(member.updateHostAuthenticationToken({ id: token!.id, token: "" }), Code.InvalidArgument, "token");
    await expectFailure(member2.updateHostAuthenticationToken({ id: token!.id, token: "x" }), Code.NotFound);
    await expectFailure(other.updateHostAuthenticationToken({ id: token!.id, token: "x" }), Code.NotFound);
    await admin.updateHostAuthenticationToken({ id: token!.id, scopes: ["admin-did-it"] });
    expect((await member.getHostAuthenticationToken({ id: token!.id })).token?.scopes).toEqual(["admin-did-it"]);
  });

  it("serializes 20 parallel updates so that value and scopes always come from the same update", async () => {
    const { token } = await admin.createHostAuthenticationToken(oauthToken(freshHost()));
    const id = token!.id;
    await Promise.all(Array.from({ length: 20 }, (_, i) => admin.updateHostAuthenticationToken({ id, token: `value-${i}`, scopes: [`scope-${i}`] })));
    const record = (await server.deps.store.collection(hostAuthenticationTokens).get(id))!;
    expect(record.version).toBe(21);
    const n = /^value-(\d+)$/.exec(openSecret(record.value.encryptedValue))?.[1];
    expect(record.value.token.scopes).toEqual([`scope-${n}`]);
  });
});

describe("DeleteHostAuthenticationToken", () => {
  it("removes a token for good, after which the same key can be stored again", async () => {
    const host = freshHost();
    const { token } = await member.createHostAuthenticationToken(oauthToken(host));
    await member.deleteHostAuthenticationToken({ id: token!.id });
    await expectFailure(member.getHostAuthenticationToken({ id: token!.id }), Code.NotFound);
    await expectFailure(member.deleteHostAuthenticationToken({ id: token!.id }), Code.NotFound);
    expect(await findHostToken(server.deps.store, { organizationId: server.bootstrap.organizationId, runnerId, host, userId: memberId })).toBeUndefined();
    await member.createHostAuthenticationToken(oauthToken(host));
  });

  it("hides other people's and other organizations' tokens as not_found and leaves them in place", async () => {
    const { token } = await member.createHostAuthenticationToken(oauthToken(freshHost()));
    await expectFailure(member2.deleteHostAuthenticationToken({ id: token!.id }), Code.NotFound);
    await expectFailure(other.deleteHostAuthenticationToken({ id: token!.id }), Code.NotFound);
    expect((await member.getHostAuthenticationToken({ id: token!.id })).token?.id).toBe(token!.id);
  });

  it("lets exactly one of 20 parallel deletes succeed", async () => {
    const { token } = await member.createHostAuthenticationToken(oauthToken(freshHost()));
    await expectOneWinner(20, () => member.deleteHostAuthenticationToken({ id: token!.id }), Code.NotFound);
  });
});
