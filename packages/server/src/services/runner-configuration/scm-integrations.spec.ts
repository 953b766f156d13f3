import { Code } from "@connectrpc/connect";
import { createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from "node:crypto";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findHostToken, findScmIntegration, scmIntegrations } from "../../domain/scm/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { openSecret } from "../../domain/secrets/index.js";
import { addRunner, addUser, allPages, expectFailure, expectOneWinner, leaks, rawBodies, tamper, userSubject } from "./test-fixtures.js";

let server: TestServer;
let runnerId: string;
const client = (token: string) => server.client(RunnerConfigurationService, token);
let admin: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
let memberId: string;
let hostCounter = 0;
const freshHost = () => `scm${++hostCounter}.example.com`;
const clientSecret = "oauth-client-secret-PLAINTEXT-123";

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
  runnerId = server.bootstrap.runnerId;
  admin = client(testTokens.admin);
  other = client(testTokens.other);
  memberId = await addUser(server, { token: "scm-member-token" });
});
afterAll(() => server.close());

const github = (host: string, extra: Record<string, unknown> = {}) => ({
  runnerId,
  scmId: "github",
  host,
  oauthClientId: "Iv1.client",
  oauthPlaintextClientSecret: clientSecret,
  pat: true,
  ...extra,
});

/** Opens a value sealed for an X25519 public key (what the runner does with its private key). */
function openAsRunner(privateKey: KeyObject, publicKeyRaw: Uint8Array, sealed: Uint8Array): string {
  const buf = Buffer.from(sealed);
  expect(buf[0]).toBe(0x02);
  const ephemeral = buf.subarray(1, 33);
  const shared = diffieHellman({
    privateKey,
    publicKey: createPublicKey({ key: { kty: "OKP", crv: "X25519", x: ephemeral.toString("base64url") }, format: "jwk" }),
  });
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeral, publicKeyRaw]), Buffer.from("gitpod-connect/runner-sealed-box/v1"), 32));
  const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(33, 45));
  decipher.setAAD(buf.subarray(0, 33));
  decipher.setAuthTag(buf.subarray(45, 61));
  return Buffer.concat([decipher.update(buf.subarray(61)), decipher.final()]).toString("utf8");
}

it("the leak detector finds a secret in clear text, base64 and raw bytes", () => {
  expect(leaks(`{"x":"${Buffer.from(clientSecret).toString("base64")}"}`, clientSecret)).toBe(true);
  expect(leaks(Buffer.concat([Buffer.of(1, 2), Buffer.from(clientSecret)]), clientSecret)).toBe(true);
  expect(leaks(`{"x":"${clientSecret}"}`, clientSecret)).toBe(true);
  expect(leaks(`{"x":"something else"}`, clientSecret)).toBe(false);
});

describe("CreateSCMIntegration", () => {
  it("creates an integration with OAuth and PATs, storing the client secret only encrypted", async () => {
    const { id } = await admin.createSCMIntegration(github("GitHub.com", { issuerUrl: "https://login.example.com/oauth" }));
    const { integration } = await admin.getSCMIntegration({ id });
    expect(integration).toMatchObject({
      id,
      runnerId,
      scmId: "github",
      host: "github.com",
      pat: true,
      oauth: { clientId: "Iv1.client", issuerUrl: "https://login.example.com/oauth" },
    });
    expect(integration?.virtualDirectory).toBeUndefined();
    const encrypted = integration!.oauth!.encryptedClientSecret;
    expect(encrypted.length).toBeGreaterThan(clientSecret.length);
    expect(leaks(Buffer.from(encrypted), clientSecret)).toBe(false);
    expect(openSecret(encrypted)).toBe(clientSecret); // the bootstrap runner has no public key: the server key is used
  });

  it("encrypts the client secret with the runner's X25519 public key when the runner has one", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("x25519");
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    const keyed = await addRunner(server, { publicKey: new Uint8Array(raw) });
    const { id } = await admin.createSCMIntegration(github(freshHost(), { runnerId: keyed }));
    const { integration } = await admin.getSCMIntegration({ id });
    const sealed = integration!.oauth!.encryptedClientSecret;
    expect(() => openSecret(sealed)).toThrow();
    expect(openAsRunner(createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" })), raw, sealed)).toBe(clientSecret);
  });

  it("never returns the plaintext client secret in any response, in JSON or binary", async () => {
    const secret = "oauth-secret-THAT-MUST-NOT-LEAK-42";
    const host = freshHost();
    const created = await rawBodies(server, "createSCMIntegration", (e) => github(e === "json" ? host : freshHost(), { oauthPlaintextClientSecret: secret }), testTokens.admin);
    const id = (JSON.parse(created.json) as { id: string }).id;
    await admin.updateSCMIntegration({ id, oauthPlaintextClientSecret: secret + "-v2" });
    const bodies = [
      created,
      await rawBodies(server, "getSCMIntegration", { id }, testTokens.admin),
      await rawBodies(server, "listSCMIntegrations", { pagination: { pageSize: 100 } }, testTokens.admin),
      await rawBodies(server, "updateSCMIntegration", { id, oauthPlaintextClientSecret: secret }, testTokens.admin),
      await rawBodies(
        server,
        "validateRunnerConfiguration",
        { runnerId, config: { case: "scmIntegration", value: { id, scmId: "github", host, oauthClientId: "Iv1.client", oauthClientSecret: { case: "oauthPlaintextClientSecret", value: secret }, pat: true } } },
        testTokens.admin,
      ),
    ];
    for (const { json, binary } of bodies) {
      for (const s of [secret, secret + "-v2"]) {
        expect(leaks(json, s)).toBe(false);
        expect(leaks(binary, s)).toBe(false);
      }
    }
    expect(bodies[1]!.json).toContain("encryptedClientSecret");
  });

  it("answers already_exists for a second integration of the same runner and host", async () => {
    const host = freshHost();
    await admin.createSCMIntegration(github(host));
    await expectFailure(admin.createSCMIntegration({ runnerId, scmId: "gitlab", host: host.toUpperCase(), pat: true }), Code.AlreadyExists, host);
    await admin.createSCMIntegration(github(host, { runnerId: await addRunner(server) }));
  });

  it("lets exactly one of 20 parallel creates for the same runner and host win", async () => {
    const host = freshHost();
    await expectOneWinner(20, () => admin.createSCMIntegration(github(host)), Code.AlreadyExists);
    const stored = await server.deps.store.collection(scmIntegrations).list({ limit: 1000, where: (r) => r.integration.host === host });
    expect(stored.items).toHaveLength(1);
  });

  it("answers not_found for an unknown runner and for another organization's runner", async () => {
    await expectFailure(admin.createSCMIntegration(github(freshHost(), { runnerId: "00000000-0000-4000-8000-0000000fffff" })), Code.NotFound, "runner");
    await expectFailure(other.createSCMIntegration(github(freshHost())), Code.NotFound, runnerId);
  });

  it("rejects inconsistent settings with invalid_argument naming the field", async () => {
    const h = freshHost;
    await expectFailure(admin.createSCMIntegration(github(h(), { scmId: "svn" })), Code.InvalidArgument, "scm_id", '"github"');
    await expectFailure(admin.createSCMIntegration(github(h(), { scmId: "" })), Code.InvalidArgument, "scm_id");
    await expectFailure(admin.createSCMIntegration(github("not a host")), Code.InvalidArgument, "host");
    await expectFailure(admin.createSCMIntegration(github(h(), { oauthPlaintextClientSecret: undefined })), Code.InvalidArgument, "oauth_plaintext_client_secret");
    await expectFailure(admin.createSCMIntegration(github(h(), { oauthPlaintextClientSecret: "" })), Code.InvalidArgument, "oauth_plaintext_client_secret");
    await expectFailure(admin.createSCMIntegration(github(h(), { oauthClientId: undefined })), Code.InvalidArgument, "oauth_client_id");
    await expectFailure(admin.createSCMIntegration(github(h(), { oauthClientId: undefined, oauthPlaintextClientSecret: undefined, pat: false })), Code.InvalidArgument, "pat");
    await expectFailure(admin.createSCMIntegration(github(h(), { issuerUrl: "not a url" })), Code.InvalidArgument, "issuer_url");
    await expectFailure(admin.createSCMIntegration(github(h(), { oauthClientId: undefined, oauthPlaintextClientSecret: undefined, issuerUrl: "https://x.example.com" })), Code.InvalidArgument, "issuer_url");
    await expectFailure(admin.createSCMIntegration(github(h(), { virtualDirectory: "/tfs" })), Code.InvalidArgument, "virtual_directory", "Azure DevOps");
    await expectFailure(admin.createSCMIntegration({ runnerId, scmId: "azure-devops", host: h(), pat: true, virtualDirectory: "tfs" }), Code.InvalidArgument, "virtual_directory");
  });

  it("accepts an Azure DevOps Server with a virtual directory and PATs only", async () => {
    const { id } = await admin.createSCMIntegration({ runnerId, scmId: "azure-devops", host: "devops.example.com", pat: true, virtualDirectory: "/tfs" });
    const { integration } = await admin.getSCMIntegration({ id });
    expect(integration).toMatchObject({ scmId: "azure-devops", virtualDirectory: "/tfs", pat: true });
    expect(integration?.oauth).toBeUndefined();
  });
});

describe("GetSCMIntegration", () => {
  it("answers not_found for an unknown id and hides another organization's integration", async () => {
    const { id } = await admin.createSCMIntegration(github(freshHost()));
    await expectFailure(admin.getSCMIntegration({ id: "00000000-0000-4000-8000-0000000fffff" }), Code.NotFound, "SCM integration");
    await expectFailure(other.getSCMIntegration({ id }), Code.NotFound);
  });
});

describe("ListSCMIntegrations", () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await addRunner(server);
    b = await addRunner(server);
    for (let i = 0; i < 6; i++) await admin.createSCMIntegration({ runnerId: a, scmId: "gitlab", host: `a${i}.example.com`, pat: true });
    for (let i = 0; i < 4; i++) await admin.createSCMIntegration({ runnerId: b, scmId: "bitbucket", host: `b${i}.example.com`, pat: true });
  });

  const pages = (filter: { runnerIds: string[] }, pageSize: number, c = admin) =>
    allPages(async (token) => {
      const page = await c.listSCMIntegrations({ filter, pagination: { token, pageSize } });
      return { items: page.integrations, nextToken: page.pagination?.nextToken ?? "" };
    });

  it("pages through the integrations of some runners in creation order", async () => {
    const onlyA = await pages({ runnerIds: [a] }, 4);
    expect(onlyA.pages).toBe(2);
    expect(onlyA.items.map((i) => i.host)).toEqual(Array.from({ length: 6 }, (_, i) => `a${i}.example.com`));
    const both = await pages({ runnerIds: [a, b] }, 3);
    expect(both.items).toHaveLength(10);
    expect(both.pages).toBe(4);
  });

  it("shows nothing of another organization and rejects tampered or re-filtered page tokens", async () => {
    expect((await pages({ runnerIds: [] }, 50, other)).items).toEqual([]);
    const first = await admin.listSCMIntegrations({ filter: { runnerIds: [a] }, pagination: { pageSize: 2 } });
    const token = first.pagination!.nextToken;
    await expectFailure(admin.listSCMIntegrations({ filter: { runnerIds: [a] }, pagination: { token: tamper(token), pageSize: 2 } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listSCMIntegrations({ filter: { runnerIds: [b] }, pagination: { token, pageSize: 2 } }), Code.InvalidArgument, "pagination.token");
  });
});

describe("UpdateSCMIntegration", () => {
  /** An integration with one OAuth token (admin's) and one PAT token (member's) for its host. */
  async function withTokens() {
    const host = freshHost();
    const { id } = await admin.createSCMIntegration(github(host));
    await admin.createHostAuthenticationToken({ runnerId, host, token: "oauth-tok", source: HostAuthenticationTokenSource.OAUTH, integrationId: id });
    await admin.createHostAuthenticationToken({ runnerId, host, token: "pat-tok", source: HostAuthenticationTokenSource.PAT, subject: userSubject(memberId) });
    const has = async (userId: string) => !!(await findHostToken(server.deps.store, { organizationId: server.bootstrap.organizationId, runnerId, host, userId }));
    return { id, host, hasOAuthToken: () => has(server.bootstrap.adminUserId), hasPatToken: () => has(memberId) };
  }

  it("replaces the client secret and keeps it when only the client ID changes", async () => {
    const { id } = await admin.createSCMIntegration(github(freshHost()));
    const before = (await admin.getSCMIntegration({ id })).integration!.oauth!;
    await admin.updateSCMIntegration({ id, oauthPlaintextClientSecret: "second-secret" });
    const after = (await admin.getSCMIntegration({ id })).integration!.oauth!;
    expect(openSecret(after.encryptedClientSecret)).toBe("second-secret");
    await admin.updateSCMIntegration({ id, oauthClientId: "Iv1.other", issuerUrl: "https://sso.example.com" });
    const renamed = (await admin.getSCMIntegration({ id })).integration!.oauth!;
    expect(renamed).toMatchObject({ clientId: "Iv1.other", issuerUrl: "https://sso.example.com" });
    expect(renamed.encryptedClientSecret).toEqual(after.encryptedClientSecret);
    expect(before.encryptedClientSecret).not.toEqual(after.encryptedClientSecret);
  });

  it("removes OAuth for an empty client ID and deletes the OAuth host tokens of its runner and host", async () => {
    const t = await withTokens();
    await admin.updateSCMIntegration({ id: t.id, oauthClientId: "", oauthPlaintextClientSecret: "ignored" });
    expect((await admin.getSCMIntegration({ id: t.id })).integration?.oauth).toBeUndefined();
    expect(await t.hasOAuthToken()).toBe(false);
    expect(await t.hasPatToken()).toBe(true);
  });

  it("turning PATs off deletes the PAT host tokens and keeps the OAuth ones", async () => {
    const t = await withTokens();
    await admin.updateSCMIntegration({ id: t.id, pat: false });
    expect((await admin.getSCMIntegration({ id: t.id })).integration?.pat).toBe(false);
    expect(await t.hasPatToken()).toBe(false);
    expect(await t.hasOAuthToken()).toBe(true);
  });

  it("rejects an update that leaves no way to authenticate, changing nothing", async () => {
    const t = await withTokens();
    await admin.updateSCMIntegration({ id: t.id, oauthClientId: "" });
    await expectFailure(admin.updateSCMIntegration({ id: t.id, pat: false }), Code.InvalidArgument, "pat");
    expect((await admin.getSCMIntegration({ id: t.id })).integration?.pat).toBe(true);
    expect(await t.hasPatToken()).toBe(true);
  });

  it("rejects a client secret without OAuth and a virtual directory for GitHub", async () => {
    const { id } = await admin.createSCMIntegration({ runnerId, scmId: "github", host: freshHost(), pat: true });
    await expectFailure(admin.updateSCMIntegration({ id, oauthPlaintextClientSecret: "s" }), Code.InvalidArgument, "oauth_client_id");
    await expectFailure(admin.updateSCMIntegration({ id, oauthClientId: "Iv1.new" }), Code.InvalidArgument, "oauth_plaintext_client_secret");
    await expectFailure(admin.updateSCMIntegration({ id, virtualDirectory: "/tfs" }), Code.InvalidArgument, "virtual_directory");
    await admin.updateSCMIntegration({ id, oauthClientId: "Iv1.new", oauthPlaintextClientSecret: "s" });
    expect((await admin.getSCMIntegration({ id })).integration?.oauth?.clientId).toBe("Iv1.new");
  });

  it("answers not_found for an unknown integration and for another organization's", async () => {
    const { id } = await admin.createSCMIntegration(github(freshHost()));
    await expectFailure(admin.updateSCMIntegration({ id: "00000000-0000-4000-8000-0000000fffff", pat: false }), Code.NotFound);
    await expectFailure(other.updateSCMIntegration({ id, pat: false }), Code.NotFound);
    expect((await admin.getSCMIntegration({ id })).integration?.pat).toBe(true);
  });

  it("serializes 20 parallel updates: client ID and issuer URL always come from the same update", async () => {
    const { id } = await admin.createSCMIntegration(github(freshHost()));
    await Promise.all(Array.from({ length: 20 }, (_, i) => admin.updateSCMIntegration({ id, oauthClientId: `client-${i}`, issuerUrl: `https://issuer${i}.example.com` })));
    const record = (await server.deps.store.collection(scmIntegrations).get(id))!;
    expect(record.version).toBe(21);
    const n = /^client-(\d+)$/.exec(record.value.integration.oauth!.clientId)?.[1];
    expect(record.value.integration.oauth!.issuerUrl).toBe(`https://issuer${n}.example.com`);
  });
});

describe("DeleteSCMIntegration", () => {
  it("removes the integration and the OAuth and PAT host tokens of its runner and host", async () => {
    const host = freshHost();
    const { id } = await admin.createSCMIntegration(github(host));
    await admin.createHostAuthenticationToken({ runnerId, host, token: "t", source: HostAuthenticationTokenSource.PAT });
    const scope = { organizationId: server.bootstrap.organizationId, runnerId, host };
    expect(await findScmIntegration(server.deps.store, scope)).toBeDefined();
    await admin.deleteSCMIntegration({ id });
    expect(await findScmIntegration(server.deps.store, scope)).toBeUndefined();
    expect(await findHostToken(server.deps.store, { ...scope, userId: server.bootstrap.adminUserId })).toBeUndefined();
    await expectFailure(admin.getSCMIntegration({ id }), Code.NotFound);
    await expectFailure(admin.deleteSCMIntegration({ id }), Code.NotFound);
  });

  it("hides another organization's integration as not_found and leaves it in place", async () => {
    const { id } = await admin.createSCMIntegration(github(freshHost()));
    await expectFailure(other.deleteSCMIntegration({ id }), Code.NotFound);
    expect((await admin.getSCMIntegration({ id })).integration?.id).toBe(id);
  });

  it("lets exactly one of 20 parallel deletes succeed", async () => {
    const { id } = await admin.createSCMIntegration(github(freshHost()));
    await expectOneWinner(20, () => admin.deleteSCMIntegration({ id }), Code.NotFound);
  });
});
