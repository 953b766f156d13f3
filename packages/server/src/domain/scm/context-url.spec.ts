import { describe, expect, it } from "vitest";
import { ContextUrlError, locate, parseContextUrl, type ContextScm, type ParsedContextUrl } from "./context-url.js";

const sha = "3f786850e387550fdab836ed7e6dc881de23001b";

const valid: [string, ContextScm, ParsedContextUrl][] = [
  // GitHub
  ["https://github.com/org/repo", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://github.com/org/repo/", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://GitHub.com/Org/Repo?tab=readme#top", "github", { host: "github.com", owner: "Org", repo: "Repo", target: { kind: "repository" } }],
  ["https://github.com/org/repo.git", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["http://github.com/org/repo", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["ssh://git@github.com/org/repo.git", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["ssh://git@github.com:2222/org/repo.git", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["git://github.com/org/repo.git", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["git@github.com:org/repo.git", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://github.com/org/repo/tree/main", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["main"] } }],
  ["https://github.com/org/repo/tree/feature/login", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["feature", "login"] } }],
  ["https://github.com/org/repo/tree/feature%2Flogin", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["feature/login"] } }],
  ["https://github.com/org/repo/blob/main/src/index.ts", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["main", "src", "index.ts"] } }],
  ["https://github.com/org/repo/blob/main/README.md#L10", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["main", "README.md"] } }],
  ["https://github.com/org/repo/commits/develop", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["develop"] } }],
  [`https://github.com/org/repo/commit/${sha}`, "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "commit", sha } }],
  ["https://github.com/org/repo/commit/ABCDEF1", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "commit", sha: "abcdef1" } }],
  ["https://github.com/org/repo/pull/1", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "pull-request", id: "1" } }],
  ["https://github.com/org/repo/pull/12/files", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "pull-request", id: "12" } }],
  ["https://github.com/org/repo/issues/3", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "issue", id: "3" } }],
  ["https://github.com/org/repo/issues", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://github.com/org/repo/releases/tag/v1.0.0", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "tag", name: "v1.0.0" } }],
  ["https://github.com/org/repo/actions", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://ghe.example.com:8443/org/repo/pull/7", "github", { host: "ghe.example.com:8443", owner: "org", repo: "repo", target: { kind: "pull-request", id: "7" } }],
  ["https://user:secret@github.com/org/repo", "github", { host: "github.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  // GitLab
  ["https://gitlab.com/org/repo", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://gitlab.com/org/platform/api", "gitlab", { host: "gitlab.com", owner: "org/platform", repo: "api", target: { kind: "repository" } }],
  ["https://gitlab.com/org/platform/api.git", "gitlab", { host: "gitlab.com", owner: "org/platform", repo: "api", target: { kind: "repository" } }],
  ["git@gitlab.com:org/platform/api.git", "gitlab", { host: "gitlab.com", owner: "org/platform", repo: "api", target: { kind: "repository" } }],
  ["https://gitlab.com/org/repo/-/tree/main", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["main"] } }],
  ["https://gitlab.com/org/platform/api/-/tree/feature/v2?ref_type=heads", "gitlab", { host: "gitlab.com", owner: "org/platform", repo: "api", target: { kind: "ref", segments: ["feature", "v2"] } }],
  ["https://gitlab.com/org/repo/-/blob/main/README.md", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "ref", segments: ["main", "README.md"] } }],
  [`https://gitlab.com/org/repo/-/commit/${sha}`, "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "commit", sha } }],
  ["https://gitlab.com/org/repo/-/merge_requests/1", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "pull-request", id: "1" } }],
  ["https://gitlab.com/org/repo/-/merge_requests/1/diffs", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "pull-request", id: "1" } }],
  ["https://gitlab.com/org/repo/-/issues/4", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "issue", id: "4" } }],
  ["https://gitlab.com/org/repo/-/tags/v1.1.0", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "tag", name: "v1.1.0" } }],
  ["https://gitlab.com/org/repo/-/pipelines", "gitlab", { host: "gitlab.com", owner: "org", repo: "repo", target: { kind: "repository" } }],
  // Bitbucket
  ["https://bitbucket.org/org/repo", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://bitbucket.org/org/repo.git", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["git@bitbucket.org:org/repo.git", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "repository" } }],
  ["https://bitbucket.org/org/repo/src/main", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "ref", segments: ["main"] } }],
  ["https://bitbucket.org/org/repo/src/develop/docs/index.md", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "ref", segments: ["develop", "docs", "index.md"] } }],
  ["https://bitbucket.org/org/repo/branch/feature/login", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "branch", name: "feature/login" } }],
  [`https://bitbucket.org/org/repo/commits/${sha}`, "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "commit", sha } }],
  ["https://bitbucket.org/org/repo/commits/branch/develop", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "branch", name: "develop" } }],
  ["https://bitbucket.org/org/repo/commits/tag/v1.0.0", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "tag", name: "v1.0.0" } }],
  ["https://bitbucket.org/org/repo/pull-requests/2", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "pull-request", id: "2" } }],
  ["https://bitbucket.org/org/repo/pull-requests/2/diff", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "pull-request", id: "2" } }],
  ["https://bitbucket.org/org/repo/issues/3/safari-login", "bitbucket", { host: "bitbucket.org", owner: "org", repo: "repo", target: { kind: "issue", id: "3" } }],
];

const invalid: [string, ContextScm, string][] = [
  ["not a url", "github", "is not a URL"],
  ["foo:bar", "github", "scheme"],
  ["mailto:someone@example.com", "github", "scheme"],
  ["ftp://github.com/org/repo", "github", "scheme"],
  ["https://github.com", "github", "must name a repository"],
  ["https://github.com/org", "github", "must name a repository"],
  ["https://gitlab.com/org", "gitlab", "must name a project"],
  ["https://gitlab.com/org/-/tree/main", "gitlab", "must name a project"],
  ["https://bitbucket.org/org", "bitbucket", "must name a repository"],
  ["https://github.com/org/repo/pull/abc", "github", "must be followed by a number"],
  ["https://github.com/org/repo/pull", "github", "must be followed by a number"],
  ["https://github.com/org/repo/pull/0", "github", "must be followed by a number"],
  ["https://github.com/org/repo/issues/x1", "github", "must be followed by a number"],
  ["https://github.com/org/repo/commit/xyz", "github", "7 to 40 hex digits"],
  ["https://github.com/org/repo/commit/abc12", "github", "7 to 40 hex digits"],
  ["https://github.com/org/repo/tree", "github", "must be followed by a branch, tag or commit"],
  ["https://gitlab.com/org/repo/-/merge_requests/x", "gitlab", "must be followed by a number"],
  ["https://gitlab.com/org/repo/-/commit/nothex!", "gitlab", "7 to 40 hex digits"],
  ["https://bitbucket.org/org/repo/pull-requests/one", "bitbucket", "must be followed by a number"],
  ["https://bitbucket.org/org/repo/src", "bitbucket", "must be followed by a branch, tag or commit"],
  ["https://bitbucket.org/org/repo/branch", "bitbucket", "names no branch"],
  ["https://github.com/org/re%ZZpo", "github", "percent-encoding"],
  ["https://github.com/o$rg/repo", "github", "not a valid owner name"],
  ["https://github.com/org/re%20po", "github", "not a valid repository name"],
  ["https://github.com/org/.git", "github", "not a valid repository name"],
];

describe("parseContextUrl", () => {
  it.each(valid)("parses %s as %s", (url, scm, expected) => {
    expect(parseContextUrl(url, scm)).toEqual(expected);
  });

  it.each(invalid)("rejects %s (%s) saying %j", (url, scm, message) => {
    expect(() => parseContextUrl(url, scm)).toThrow(ContextUrlError);
    expect(() => parseContextUrl(url, scm)).toThrow(message);
  });
});

describe("locate", () => {
  it("keeps the port of a web host but drops an SSH port, and lower-cases the host", () => {
    expect(locate("https://Git.Example.com:8443/a/b").host).toBe("git.example.com:8443");
    expect(locate("ssh://git@git.example.com:2222/a/b.git").host).toBe("git.example.com");
    expect(locate("git@Git.Example.com:a/b.git")).toEqual({ host: "git.example.com", segments: ["a", "b.git"] });
  });

  it("treats an scp-like address without a user as no address at all", () => {
    expect(() => locate("github.com:org/repo.git")).toThrow(ContextUrlError);
  });
});

describe("sub-pages", () => {
  it("treats names of Object's prototype as unknown sub-pages", () => {
    for (const page of ["constructor", "__proto__", "toString", "hasOwnProperty"])
      expect(parseContextUrl(`https://github.com/org/repo/${page}/x`, "github").target).toEqual({ kind: "repository" });
  });
});
