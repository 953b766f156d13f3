import { Code } from "@connectrpc/connect";
import { PullRequest_State } from "@gitpod-connect/schema/gitpod/v1/agent";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../test-support/test-server.js";
import { addScmRepository } from "../../domain/scm/index.js";
import { addHostToken, addScmIntegration, createRunner, expectFailure, startRunnerTestServer, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let admin: RunnerClient;
let member: RunnerClient;
let other: RunnerClient;
let runnerId: string;
let memberId: string;
const sha = "3f786850e387550fdab836ed7e6dc881de23001b";

beforeAll(async () => {
  ({ server, admin, other, member, memberId } = await startRunnerTestServer());
  runnerId = server.bootstrap.runnerId;
  for (const host of ["github.com", "gitlab.com", "bitbucket.org", "git.example.com"])
    await addHostToken(server, { runnerId, userId: server.bootstrap.adminUserId, host });
  await addScmIntegration(server, { runnerId, host: "git.example.com", scmId: "gitlab" });
  await addScmIntegration(server, { runnerId, host: "dev.example.com", scmId: "azure-devops" });
  await addHostToken(server, { runnerId, userId: server.bootstrap.adminUserId, host: "dev.example.com" });
});
afterAll(() => server.close());

const repo = (host: string, owner = "org", name = "repo") => ({
  host,
  owner,
  repo: name,
  cloneUrl: `https://${host}/${owner}/${name}.git`,
  upstreamRemoteUrl: "",
});

describe("ParseContextURL", () => {
  it.each([
    ["https://github.com/org/repo", "github", { ...repo("github.com"), branch: "main", tag: "", commit: "" }],
    ["https://github.com/ORG/REPO.git", "github", { ...repo("github.com"), branch: "main" }],
    ["ssh://git@github.com/org/repo.git", "github", { ...repo("github.com"), branch: "main" }],
    ["https://github.com/org/repo/tree/main", "github", { ...repo("github.com"), branch: "main" }],
    ["https://github.com/org/repo/tree/feature/login", "github", { ...repo("github.com"), branch: "feature/login" }],
    ["https://github.com/org/repo/blob/release/2025.01/docs/CHANGES.md", "github", { ...repo("github.com"), branch: "release/2025.01" }],
    ["https://github.com/org/repo/tree/v1.1.0", "github", { ...repo("github.com"), tag: "v1.1.0", branch: "" }],
    ["https://github.com/org/repo/releases/tag/v1.0.0", "github", { ...repo("github.com"), tag: "v1.0.0", branch: "" }],
    [`https://github.com/org/repo/commit/${sha}`, "github", { ...repo("github.com"), commit: sha, branch: "" }],
    ["https://github.com/org/repo/tree/abcdef1234/src", "github", { ...repo("github.com"), commit: "abcdef1234", branch: "" }],
    ["https://github.com/alice/repo/tree/fix/typo", "github", { ...repo("github.com", "alice"), branch: "fix/typo", upstreamRemoteUrl: "https://github.com/org/repo.git" }],
    ["https://github.com/gitpod-io/website", "github", { ...repo("github.com", "gitpod-io", "website"), branch: "master" }],
    ["https://gitlab.com/org/repo/-/tree/develop", "gitlab", { ...repo("gitlab.com"), branch: "develop" }],
    ["https://gitlab.com/org/platform/api/-/tree/feature/v2", "gitlab", { ...repo("gitlab.com", "org/platform", "api"), branch: "feature/v2" }],
    [`https://gitlab.com/org/repo/-/commit/${sha}`, "gitlab", { ...repo("gitlab.com"), commit: sha }],
    ["https://gitlab.com/org/repo/-/tags/v1.0.0", "gitlab", { ...repo("gitlab.com"), tag: "v1.0.0" }],
    ["https://git.example.com/org/repo/-/blob/main/README.md", "gitlab", { ...repo("git.example.com"), branch: "main" }],
    ["https://bitbucket.org/org/repo/src/develop/README.md", "bitbucket", { ...repo("bitbucket.org"), branch: "develop" }],
    ["https://bitbucket.org/org/repo/branch/feature/login", "bitbucket", { ...repo("bitbucket.org"), branch: "feature/login" }],
    [`https://bitbucket.org/org/repo/commits/${sha}`, "bitbucket", { ...repo("bitbucket.org"), commit: sha }],
  ])("parses %s", async (contextUrl, scmId, git) => {
    const res = await admin.parseContextURL({ runnerId, contextUrl });
    expect(res.originalContextUrl).toBe(contextUrl);
    expect(res.scmId).toBe(scmId);
    expect(res.git).toMatchObject(git);
    expect(res.pullRequest).toBeUndefined();
    expect(res.issue).toBeUndefined();
    expect(res.projectIds).toEqual([]);
    expect(res.recommendedEnvironmentClasses).toEqual([server.bootstrap.environmentClassId]);
  });

  it.each([
    ["https://github.com/org/repo/pull/1", "https://github.com/org/repo/pull/1"],
    ["https://gitlab.com/org/repo/-/merge_requests/1/diffs", "https://gitlab.com/org/repo/-/merge_requests/1"],
    ["https://bitbucket.org/org/repo/pull-requests/1", "https://bitbucket.org/org/repo/pull-requests/1"],
  ])("describes the pull request of %s", async (contextUrl, url) => {
    const res = await admin.parseContextURL({ runnerId, contextUrl });
    const host = new URL(url).host;
    expect(res.git).toMatchObject({ ...repo(host), branch: "feature/login", commit: sha });
    expect(res.pullRequest).toMatchObject({
      id: "1",
      title: "Add a login page",
      fromBranch: "feature/login",
      toBranch: "main",
      url,
      author: "alice",
      draft: false,
      state: PullRequest_State.OPEN,
      headSha: sha,
      repository: { cloneUrl: `https://${host}/org/repo.git`, host, owner: "org", name: "repo" },
    });
    expect(res.pr).toMatchObject({ id: "1", title: "Add a login page", fromBranch: "feature/login", toBranch: "main" });
  });

  it("reports a merged and a draft pull request as such", async () => {
    const merged = await admin.parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo/pull/2" });
    expect(merged.pullRequest).toMatchObject({ state: PullRequest_State.MERGED, draft: false });
    const draft = await admin.parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo/pull/5" });
    expect(draft.pullRequest).toMatchObject({ state: PullRequest_State.OPEN, draft: true, fromBranch: "develop" });
  });

  it.each([["https://github.com/org/repo/issues/3"], ["https://gitlab.com/org/repo/-/issues/3"], ["https://bitbucket.org/org/repo/issues/3/the-login-page"]])(
    "describes the issue of %s on the default branch",
    async (contextUrl) => {
      const res = await admin.parseContextURL({ runnerId, contextUrl });
      expect(res.issue).toMatchObject({ id: "3", title: "The login page does not load in Safari" });
      expect(res.git?.branch).toBe("main");
    },
  );

  it.each([
    ["https://github.com/org/repo/tree/no-such-branch", Code.NotFound, "no-such-branch"],
    ["https://github.com/org/repo/pull/99", Code.NotFound, "pull request"],
    ["https://github.com/org/repo/issues/99", Code.NotFound, "issue"],
    ["https://github.com/org/repo/releases/tag/v9", Code.NotFound, "tag"],
    ["https://bitbucket.org/org/repo/branch/nope", Code.NotFound, "branch"],
    ["https://github.com/org/unknown", Code.NotFound, "org/unknown"],
    ["https://github.com/org/private-repo", Code.PermissionDenied, "no read access"],
    ["https://unknown.example.com/org/repo", Code.FailedPrecondition, "SCM integration"],
    ["https://github.com/org", Code.InvalidArgument, "context_url"],
    ["https://github.com/org/repo/pull/x", Code.InvalidArgument, "context_url"],
    ["https://github.com/org/repo/commit/zzz", Code.InvalidArgument, "context_url"],
    ["foo:bar", Code.InvalidArgument, "context_url"],
    ["not a url", Code.InvalidArgument, "context_url"],
    ["git@github.com:org/repo.git", Code.InvalidArgument, "context_url"],
    ["https://dev.example.com/org/project/_git/repo", Code.Unimplemented, "Azure DevOps"],
  ])("answers %s with %s", async (contextUrl, code, text) => {
    await expectFailure(admin.parseContextURL({ runnerId, contextUrl }), code, text);
  });

  it("requires authentication with the host (failed_precondition)", async () => {
    await expectFailure(member.parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" }), Code.FailedPrecondition, "not authenticated with github.com");
  });

  it("lets a member of a private repository parse it", async () => {
    await addScmRepository(server.deps.store, server.bootstrap.organizationId, {
      host: "github.com",
      owner: "acme",
      name: "internal",
      private: true,
      members: [memberId],
      defaultBranch: "trunk",
    });
    await addHostToken(server, { runnerId, userId: memberId, host: "github.com" });
    const res = await member.parseContextURL({ runnerId, contextUrl: "https://github.com/acme/internal" });
    expect(res.git).toMatchObject({ owner: "acme", repo: "internal", branch: "trunk" });
    await expectFailure(admin.parseContextURL({ runnerId, contextUrl: "https://github.com/acme/internal" }), Code.PermissionDenied);
  });

  it("picks a runner through which the caller is authenticated when runner_id is empty", async () => {
    const { runnerId: second } = await createRunner(admin);
    await addHostToken(server, { runnerId: second, userId: server.bootstrap.adminUserId, host: "gitlab.example.org" });
    await addScmIntegration(server, { runnerId: second, host: "gitlab.example.org", scmId: "gitlab" });
    const res = await admin.parseContextURL({ contextUrl: "https://gitlab.example.org/org/repo" });
    expect(res.git).toMatchObject(repo("gitlab.example.org"));
    expect(res.recommendedEnvironmentClasses).toEqual([]);
    const first = await admin.parseContextURL({ contextUrl: "https://github.com/org/repo" });
    expect(first.recommendedEnvironmentClasses).toEqual([server.bootstrap.environmentClassId]);
  });

  it("answers not_found for another organization's runner and failed_precondition when no runner can be picked", async () => {
    await expectFailure(other.parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" }), Code.NotFound, runnerId);
    await expectFailure(other.parseContextURL({ contextUrl: "https://github.com/org/repo" }), Code.FailedPrecondition, "no runner");
  });

  it("lets a runner parse with its own SCM view only", async () => {
    const { runnerId: own, exchangeToken } = await createRunner(admin);
    const asRunner = server.client(RunnerService, exchangeToken);
    await expectFailure(asRunner.parseContextURL({ contextUrl: "https://github.com/org/repo" }), Code.FailedPrecondition, "not authenticated");
    await expectFailure(asRunner.parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" }), Code.PermissionDenied);
    await addHostToken(server, { runnerId: own, userId: own, host: "github.com" });
    expect((await asRunner.parseContextURL({ contextUrl: "https://github.com/org/repo/tree/develop" })).git?.branch).toBe("develop");
  });
});
