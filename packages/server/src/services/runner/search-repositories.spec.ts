import { Code } from "@connectrpc/connect";
import { RunnerService, SearchMode } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testTokens, type TestServer } from "../../test-support/test-server.js";
import { addScmRepository } from "../../domain/scm/index.js";
import { addHostToken, addUser, allPages, expectFailure, startRunnerTestServer, type RunnerClient } from "./test-fixtures.js";
import { searchPage, searchToken } from "./search-repositories.js";

let server: TestServer;
let admin: RunnerClient;
let member: RunnerClient;
let other: RunnerClient;
let runnerId: string;
let memberId: string;

interface Search {
  searchString?: string;
  searchMode?: SearchMode;
  scmHost?: string;
  limit?: number;
  pagination?: { pageSize?: number; token?: string };
}
const search = (client: RunnerClient, req: Search = {}) =>
  client.searchRepositories({ runnerId, ...req });

const githubNames = ["empty", "gitpod", "repo", "repo", "template-python-flask", "template-typescript-node", "website"];

beforeAll(async () => {
  ({ server, admin, other, member, memberId } = await startRunnerTestServer());
  runnerId = server.bootstrap.runnerId;
  await addHostToken(server, { runnerId, userId: server.bootstrap.adminUserId, host: "github.com" });
  await addHostToken(server, { runnerId, userId: memberId, host: "github.com" });
  await addHostToken(server, { runnerId, userId: memberId, host: "gitlab.com" });
});
afterAll(() => server.close());

describe("SearchRepositories", () => {
  it("lists the readable repositories of the hosts the caller is authenticated with, in natural order", async () => {
    const res = await search(admin);
    expect(res.repositories.map((r) => r.name)).toEqual(githubNames);
    expect(res.repositories.find((r) => r.url === "https://github.com/org/repo")).toBeDefined();
    expect(res.repositories.map((r) => r.url)).not.toContain("https://github.com/org/private-repo");
    expect(res.pagination?.nextToken).toBe("");
    expect(res.lastPage).toBe(1);
  });

  it("searches every authenticated host, or only scm_host", async () => {
    const all = await search(member);
    expect(all.repositories).toHaveLength(15);
    expect(all.repositories[0]).toEqual(expect.objectContaining({ name: "api", url: "https://gitlab.com/org/platform/api" }));
    expect(all.repositories.filter((r) => r.name === "repo").map((r) => r.url)).toEqual([
      "https://github.com/alice/repo",
      "https://gitlab.com/alice/repo",
      "https://github.com/org/repo",
      "https://gitlab.com/org/repo",
    ]);
    const gitlab = await search(member, { scmHost: "GitLab.com" });
    expect(gitlab.repositories.every((r) => r.url.startsWith("https://gitlab.com/"))).toBe(true);
    expect(gitlab.repositories).toHaveLength(8);
  });

  it.each([
    [SearchMode.UNSPECIFIED, "template", ["template-python-flask", "template-typescript-node"]],
    [SearchMode.KEYWORD, "TEMPLATE node", ["template-typescript-node"]],
    [SearchMode.KEYWORD, "alice/", ["repo"]],
    [SearchMode.KEYWORD, "nothing-matches", []],
    [SearchMode.NATIVE, "org:gitpod-io template", ["template-python-flask", "template-typescript-node"]],
    [SearchMode.NATIVE, "repo:org/repo", ["repo"]],
    [SearchMode.NATIVE, "user:alice fork:only", ["repo"]],
    [SearchMode.NATIVE, "fork:false is:public in:name repo", ["repo"]],
    [SearchMode.NATIVE, "is:private", []],
  ])("in mode %i finds %j as %j", async (searchMode, searchString, names) => {
    const res = await search(admin, { searchMode, searchString });
    expect(res.repositories.map((r) => r.name)).toEqual(names);
  });

  it("rejects native qualifiers it does not know, naming search_string", async () => {
    await expectFailure(search(admin, { searchMode: SearchMode.NATIVE, searchString: "stars:>10" }), Code.InvalidArgument, "search_string");
    await expectFailure(search(admin, { searchMode: SearchMode.NATIVE, searchString: "is:archived" }), Code.InvalidArgument, "search_string");
    await expectFailure(search(admin, { searchMode: 7 as SearchMode }), Code.InvalidArgument, "search_mode");
  });

  it("pages with the documented NEXT_PAGE/TOTAL_PAGES/TOTAL_COUNT tokens", async () => {
    const first = await search(member, { pagination: { pageSize: 4 } });
    expect(first.pagination?.nextToken).toBe("2/4/15");
    expect(first.lastPage).toBe(4);
    const { items, pages } = await allPages(async (token) => {
      const res = await search(member, { pagination: { pageSize: 4, token } });
      return { items: res.repositories, nextToken: res.pagination?.nextToken ?? "" };
    });
    expect(pages).toBe(4);
    expect(items.map((r) => r.url)).toEqual((await search(member, { limit: 100 })).repositories.map((r) => r.url));
    expect((await search(member, { pagination: { pageSize: 4, token: "9/4/15" } })).repositories).toEqual([]);
  });

  it("takes the page size from pagination.page_size, else from the deprecated limit", async () => {
    expect((await search(member, { limit: 3 })).repositories).toHaveLength(3);
    expect((await search(member, { limit: 3, pagination: { pageSize: 5 } })).repositories).toHaveLength(5);
    await expectFailure(search(member, { pagination: { pageSize: 101 } }), Code.InvalidArgument, "pagination.page_size");
    await expectFailure(search(member, { limit: 101 }), Code.InvalidArgument, "limit");
  });

  it.each([["abc"], ["0/4/15"], ["2/4"], ["2/x/15"], ["-2/4/15"]])("rejects the page token %j naming pagination.token", async (token) => {
    await expectFailure(search(member, { pagination: { token } }), Code.InvalidArgument, "pagination.token");
  });

  it("shows a private repository to its members only", async () => {
    await addScmRepository(server.deps.store, server.bootstrap.organizationId, { host: "github.com", owner: "acme", name: "secret-sauce", private: true, members: [memberId] });
    expect((await search(member, { searchString: "sauce" })).repositories.map((r) => r.url)).toEqual(["https://github.com/acme/secret-sauce"]);
    expect((await search(admin, { searchString: "sauce" })).repositories).toEqual([]);
  });

  it("answers an empty list without authenticated hosts, and failed_precondition for an scm_host without authentication", async () => {
    const nobody = server.client(RunnerService, testTokens.admin);
    expect((await search(nobody, { scmHost: "github.com" })).repositories.length).toBeGreaterThan(0);
    await addUser(server, { token: "search-nobody", name: "nobody" });
    const fresh = server.client(RunnerService, "search-nobody");
    expect((await search(fresh)).repositories).toEqual([]);
    await expectFailure(search(fresh, { scmHost: "github.com" }), Code.FailedPrecondition, "not authenticated");
    await expectFailure(search(fresh, { scmHost: "unknown.example.com" }), Code.FailedPrecondition, "SCM integration");
    await expectFailure(search(fresh, { scmHost: "https://github.com" }), Code.InvalidArgument, "scm_host");
  });

  it("answers not_found for another organization's runner", async () => {
    await expectFailure(search(other), Code.NotFound, runnerId);
  });

  it("accepts a search that leaves the deprecated limit unset (25 per page)", async () => {
    const res = await member.searchRepositories({ runnerId });
    expect(res.repositories).toEqual((await search(member, { limit: 100 })).repositories);
    await expectFailure(member.searchRepositories({ runnerId, limit: -1 }), Code.InvalidArgument, "limit");
  });
});

describe("search page tokens", () => {
  it("round-trip between page numbers and tokens", () => {
    expect(searchPage("")).toBe(1);
    expect(searchPage("2/40/1000")).toBe(2);
    expect(searchPage("2/-1/-1")).toBe(2);
    expect(searchToken(1, 40, 1000)).toBe("2/40/1000");
    expect(searchToken(40, 40, 1000)).toBe("");
    expect(searchToken(1, 0, 0)).toBe("");
  });
});
