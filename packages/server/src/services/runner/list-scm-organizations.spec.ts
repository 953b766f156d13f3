import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../test-support/test-server.js";
import { addScmOrganization } from "../../domain/scm/index.js";
import { addHostToken, addScmIntegration, allPages, expectFailure, startRunnerTestServer, tamper, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let admin: RunnerClient;
let member: RunnerClient;
let other: RunnerClient;
let runnerId: string;
let memberId: string;

beforeAll(async () => {
  ({ server, admin, other, member, memberId } = await startRunnerTestServer());
  runnerId = server.bootstrap.runnerId;
  const org = server.bootstrap.organizationId;
  for (const host of ["github.com", "gitlab.com", "git.example.com"]) {
    await addHostToken(server, { runnerId, userId: server.bootstrap.adminUserId, host });
    await addHostToken(server, { runnerId, userId: memberId, host });
  }
  await addScmIntegration(server, { runnerId, host: "git.example.com", scmId: "gitlab" });
  for (let i = 1; i <= 12; i++) await addScmOrganization(server.deps.store, org, { host: "git.example.com", name: `team-${i}` });
  await addScmOrganization(server.deps.store, org, { host: "github.com", name: "acme", members: [memberId] });
});
afterAll(() => server.close());

const names = async (client: RunnerClient, scmHost: string, query = "") =>
  (await client.listSCMOrganizations({ runnerId, scmHost, query })).organizations.map((o) => o.name);

describe("ListSCMOrganizations", () => {
  it("lists the caller's organizations on the host in natural order, with their addresses", async () => {
    const res = await admin.listSCMOrganizations({ runnerId, scmHost: "github.com" });
    expect(res.organizations.map((o) => [o.name, o.url])).toEqual([
      ["gitpod-io", "https://github.com/gitpod-io"],
      ["org", "https://github.com/org"],
    ]);
    expect(res.pagination?.nextToken).toBe("");
    expect(await names(member, "github.com")).toEqual(["acme", "gitpod-io", "org"]);
    expect(await names(admin, "gitlab.com")).toEqual(["gitpod-io", "org", "org/platform"]);
  });

  it("filters by query on GitLab hosts only", async () => {
    expect(await names(admin, "gitlab.com", "PLAT")).toEqual(["org/platform"]);
    expect(await names(admin, "git.example.com", "team-1")).toEqual(["team-1", "team-10", "team-11", "team-12"]);
    expect(await names(admin, "github.com", "nothing")).toEqual(["gitpod-io", "org"]);
  });

  it("pages with opaque tokens bound to the host and query", async () => {
    const { items, pages } = await allPages(async (token) => {
      const res = await admin.listSCMOrganizations({ runnerId, scmHost: "git.example.com", pagination: { pageSize: 5, token } });
      return { items: res.organizations, nextToken: res.pagination?.nextToken ?? "" };
    });
    expect(pages).toBe(3);
    expect(items.map((o) => o.name)).toEqual(["gitpod-io", "org", "org/platform", ...Array.from({ length: 12 }, (_, i) => `team-${i + 1}`)]);

    const first = await admin.listSCMOrganizations({ runnerId, scmHost: "git.example.com", pagination: { pageSize: 5 } });
    const token = first.pagination!.nextToken;
    await expectFailure(
      admin.listSCMOrganizations({ runnerId, scmHost: "git.example.com", pagination: { token: tamper(token) } }),
      Code.InvalidArgument,
      "pagination.token",
    );
    await expectFailure(
      admin.listSCMOrganizations({ runnerId, scmHost: "git.example.com", query: "team", pagination: { token } }),
      Code.InvalidArgument,
      "pagination.token",
    );
    await expectFailure(admin.listSCMOrganizations({ runnerId, scmHost: "gitlab.com", pagination: { token } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(member.listSCMOrganizations({ runnerId, scmHost: "git.example.com", pagination: { token } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listSCMOrganizations({ runnerId, scmHost: "github.com", pagination: { pageSize: 101 } }), Code.InvalidArgument, "pagination.page_size");
  });

  it("requires authentication with the host, a known host and a host name", async () => {
    await expectFailure(admin.listSCMOrganizations({ runnerId, scmHost: "bitbucket.org" }), Code.FailedPrecondition, "not authenticated");
    await expectFailure(admin.listSCMOrganizations({ runnerId, scmHost: "unknown.example.com" }), Code.FailedPrecondition, "SCM integration");
    await expectFailure(admin.listSCMOrganizations({ runnerId, scmHost: "" }), Code.InvalidArgument, "scm_host");
    await expectFailure(admin.listSCMOrganizations({ runnerId, scmHost: "https://github.com" }), Code.InvalidArgument, "scm_host");
  });

  it("answers not_found for another organization's runner", async () => {
    await expectFailure(other.listSCMOrganizations({ runnerId, scmHost: "github.com" }), Code.NotFound, runnerId);
  });
});
