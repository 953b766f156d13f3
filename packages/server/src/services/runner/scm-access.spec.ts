import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../test-support/test-server.js";
import { addScmRepository } from "../../domain/scm/index.js";
import { addHostToken, addScmIntegration, createRunner, expectFailure, startRunnerTestServer, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let admin: RunnerClient;
let member: RunnerClient;
let other: RunnerClient;
let runnerId: string;
let adminId: string;
let memberId: string;

beforeAll(async () => {
  ({ server, admin, other, member, memberId } = await startRunnerTestServer());
  runnerId = server.bootstrap.runnerId;
  adminId = server.bootstrap.adminUserId;
  await addHostToken(server, { runnerId, userId: adminId, host: "github.com" });
  await addHostToken(server, { runnerId, userId: adminId, host: "GitLab.com" });
  await addScmIntegration(server, { runnerId, host: "git.example.com", scmId: "gitlab", oauthClientId: "client-123" });
  await addScmIntegration(server, { runnerId, host: "bb.example.com:8443", scmId: "bitbucket", pat: false, oauthClientId: "bb-client", issuerUrl: "https://sso.example.com" });
});
afterAll(() => server.close());

describe("CheckAuthenticationForHost", () => {
  it("reports an authenticated caller together with the host's SCM and ways to authenticate", async () => {
    const res = await admin.checkAuthenticationForHost({ runnerId, host: "github.com" });
    expect(res).toMatchObject({
      authenticated: true,
      scmId: "github",
      scmName: "GitHub",
      patSupported: true,
      authenticationUrl: "",
      supportsPat: {
        createUrl: expect.stringMatching(/^https:\/\/github\.com\/settings\/tokens\/new/),
        docsUrl: expect.stringContaining("docs.github.com"),
        example: expect.stringMatching(/^ghp_/),
        requiredScopes: ["repo", "read:user", "user:email"],
      },
    });
    expect(res.supportsOauth2).toBeUndefined();
    expect((await admin.checkAuthenticationForHost({ runnerId, host: "GITLAB.COM" })).authenticated).toBe(true);
  });

  it("reports a caller without a token as not authenticated", async () => {
    const res = await member.checkAuthenticationForHost({ runnerId, host: "bitbucket.org" });
    expect(res).toMatchObject({ authenticated: false, scmId: "bitbucket", scmName: "Bitbucket", patSupported: true });
    expect((await member.checkAuthenticationForHost({ runnerId, host: "github.com" })).authenticated).toBe(false);
  });

  it("offers OAuth where the runner's SCM integration has an OAuth app, and PAT only if the integration allows it", async () => {
    const gitlab = await admin.checkAuthenticationForHost({ runnerId, host: "git.example.com" });
    expect(gitlab).toMatchObject({ authenticated: false, scmId: "gitlab", scmName: "GitLab", patSupported: true });
    const authUrl = new URL(gitlab.supportsOauth2!.authUrl);
    expect(authUrl.origin + authUrl.pathname).toBe("https://git.example.com/oauth/authorize");
    expect(authUrl.searchParams.get("client_id")).toBe("client-123");
    expect(authUrl.searchParams.get("response_type")).toBe("code");
    expect(gitlab.authenticationUrl).toBe(gitlab.supportsOauth2!.authUrl);
    expect(gitlab.supportsPat?.createUrl).toMatch(/^https:\/\/git\.example\.com\/-\/user_settings\/personal_access_tokens/);

    const bitbucket = await admin.checkAuthenticationForHost({ runnerId, host: "bb.example.com:8443" });
    expect(bitbucket.supportsOauth2?.authUrl).toMatch(/^https:\/\/sso\.example\.com\/site\/oauth2\/authorize\?client_id=bb-client/);
    expect(bitbucket.supportsPat).toBeUndefined();
    expect(bitbucket.patSupported).toBe(false);
  });

  it("treats an expired token as no authentication, and a token for another runner or user as none", async () => {
    const { runnerId: fresh } = await createRunner(admin);
    await addHostToken(server, { runnerId: fresh, userId: memberId, host: "github.com", expiresAtMs: server.clock.nowMs() + 60_000 });
    expect((await member.checkAuthenticationForHost({ runnerId: fresh, host: "github.com" })).authenticated).toBe(true);
    expect((await member.checkAuthenticationForHost({ runnerId, host: "github.com" })).authenticated).toBe(false);
    await server.clock.advance(60_000);
    expect((await member.checkAuthenticationForHost({ runnerId: fresh, host: "github.com" })).authenticated).toBe(false);
  });

  it("answers failed_precondition for a host the runner knows no SCM for", async () => {
    await expectFailure(admin.checkAuthenticationForHost({ runnerId, host: "unknown.example.com" }), Code.FailedPrecondition, "unknown.example.com", "SCM integration");
  });

  it.each([[""], ["https://github.com"], ["github com"]])("rejects the host %j naming host", async (host) => {
    await expectFailure(admin.checkAuthenticationForHost({ runnerId, host }), Code.InvalidArgument, "host");
  });

  it("answers not_found for another organization's runner", async () => {
    await expectFailure(other.checkAuthenticationForHost({ runnerId, host: "github.com" }), Code.NotFound, runnerId);
  });
});

describe("CheckRepositoryAccess", () => {
  it.each([
    ["https://github.com/org/repo"],
    ["https://github.com/org/repo.git"],
    ["ssh://git@github.com/org/repo.git"],
    ["https://github.com/ORG/Repo/tree/main"],
    ["https://gitlab.com/org/platform/api"],
  ])("grants access to the public repository %s", async (repositoryUrl) => {
    expect(await admin.checkRepositoryAccess({ runnerId, repositoryUrl })).toMatchObject({ hasAccess: true, errorMessage: "" });
  });

  it("denies access to an unknown repository and a private one, explaining why", async () => {
    const unknown = await admin.checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/nothing-here" });
    expect(unknown).toMatchObject({ hasAccess: false, errorMessage: expect.stringContaining("org/nothing-here not found") });
    const closed = await admin.checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/private-repo" });
    expect(closed).toMatchObject({ hasAccess: false, errorMessage: expect.stringContaining("no read access") });
  });

  it("grants a private repository to its members only", async () => {
    await addScmRepository(server.deps.store, server.bootstrap.organizationId, { host: "github.com", owner: "acme", name: "secret", private: true, members: [memberId] });
    await addHostToken(server, { runnerId, userId: memberId, host: "github.com" });
    expect((await member.checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/acme/secret" })).hasAccess).toBe(true);
    expect((await admin.checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/acme/secret" })).hasAccess).toBe(false);
  });

  it("requires authentication with the host (failed_precondition)", async () => {
    await expectFailure(admin.checkRepositoryAccess({ runnerId, repositoryUrl: "https://bitbucket.org/org/repo" }), Code.FailedPrecondition, "not authenticated with bitbucket.org");
  });

  it.each([
    ["https://github.com/org", "must name a repository"],
    ["mailto:someone@example.com", "scheme"],
    ["git@github.com:org/repo.git", "valid URI"],
  ])("rejects %s with invalid_argument naming repository_url", async (repositoryUrl, text) => {
    await expectFailure(admin.checkRepositoryAccess({ runnerId, repositoryUrl }), Code.InvalidArgument, "repository_url", text);
  });

  it("answers failed_precondition for an unknown host and not_found for another organization's runner", async () => {
    await expectFailure(admin.checkRepositoryAccess({ runnerId, repositoryUrl: "https://unknown.example.com/a/b" }), Code.FailedPrecondition);
    await expectFailure(other.checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/repo" }), Code.NotFound);
  });
});
