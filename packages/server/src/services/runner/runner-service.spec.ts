import { Code, ConnectError } from "@connectrpc/connect";
import { RunnerRole, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { addHostToken, expectFailure, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let runnerId: string;
const group = "00000000-0000-4000-8000-00000000a001";

beforeAll(async () => {
  server = await startTestServer();
  runnerId = server.bootstrap.runnerId;
  await addHostToken(server, { runnerId, userId: server.bootstrap.adminUserId, host: "github.com" });
  await server.client(RunnerService, testTokens.admin).createRunnerPolicy({ runnerId, groupId: group, role: RunnerRole.USER });
});
afterAll(() => server.close());

type Call = (c: RunnerClient) => Promise<unknown>;

/** One valid request per RPC (the type requires one for every method), all naming the bootstrap runner. */
const calls: Record<keyof typeof RunnerService.method, Call> = {
  createRunner: (c) => c.createRunner({ name: "Runner", provider: RunnerProvider.GCP }),
  getRunner: (c) => c.getRunner({ runnerId }),
  listRunners: (c) => c.listRunners({}),
  updateRunner: (c) => c.updateRunner({ runnerId, spec: { configuration: { autoUpdate: true } } }),
  deleteRunner: (c) => c.deleteRunner({ runnerId: "00000000-0000-4000-8000-0000000f0000" }),
  createRunnerToken: (c) => c.createRunnerToken({ runnerId }),
  createRunnerLogsToken: (c) => c.createRunnerLogsToken({ runnerId }),
  parseContextURL: (c) => c.parseContextURL({ runnerId, contextUrl: "https://github.com/org/repo" }),
  searchRepositories: (c) => c.searchRepositories({ runnerId, limit: 10 }),
  listSCMOrganizations: (c) => c.listSCMOrganizations({ runnerId, scmHost: "github.com" }),
  checkAuthenticationForHost: (c) => c.checkAuthenticationForHost({ runnerId, host: "github.com" }),
  checkRepositoryAccess: (c) => c.checkRepositoryAccess({ runnerId, repositoryUrl: "https://github.com/org/repo" }),
  listRunnerPolicies: (c) => c.listRunnerPolicies({ runnerId }),
  createRunnerPolicy: (c) => c.createRunnerPolicy({ runnerId, groupId: "00000000-0000-4000-8000-00000000a002", role: RunnerRole.ADMIN }),
  updateRunnerPolicy: (c) => c.updateRunnerPolicy({ runnerId, groupId: group, role: RunnerRole.ADMIN }),
  deleteRunnerPolicy: (c) => c.deleteRunnerPolicy({ runnerId, groupId: "00000000-0000-4000-8000-00000000a003" }),
};

/** Every RPC of the descriptor with its call (a method without one fails its tests). */
const everyRpc = RunnerService.methods.map((m) => [m.localName, calls[m.localName as keyof typeof calls]] as [string, Call]);

describe("RunnerService", () => {
  it.each(everyRpc)("%s answers unauthenticated without a token and with an unknown one", async (_, call) => {
    await expectFailure(call(server.client(RunnerService)), Code.Unauthenticated);
    await expectFailure(call(server.client(RunnerService, "gitpod_unknown_token")), Code.Unauthenticated);
  });

  it.each(everyRpc.filter(([name]) => !["createRunner", "listRunners", "deleteRunner", "deleteRunnerPolicy", "createRunnerPolicy"].includes(name)))(
    "%s answers for the admin of the runner's organization",
    async (_, call) => {
      await call(server.client(RunnerService, testTokens.admin));
    },
  );

  it.each(everyRpc.filter(([name]) => !["createRunner", "listRunners", "deleteRunner"].includes(name)))(
    "%s hides the runner from another organization (not_found)",
    async (_, call) => {
      await expectFailure(call(server.client(RunnerService, testTokens.other)), Code.NotFound, runnerId);
    },
  );

  it.each(flavours)("creates, reads and lists runners over %s", async (flavour) => {
    const client = server.client(RunnerService, testTokens.admin, flavour);
    const { runner, exchangeToken } = await client.createRunner({ name: `Runner over ${flavour}`, provider: RunnerProvider.AWS_EC2 });
    expect((await client.getRunner({ runnerId: runner!.runnerId })).runner).toEqual(runner);
    expect((await client.listRunners({ pagination: { pageSize: 100 } })).runners.map((r) => r.runnerId)).toContain(runner!.runnerId);
    const asRunner = server.client(RunnerService, exchangeToken, flavour);
    expect((await asRunner.getRunner({ runnerId: runner!.runnerId })).runner?.name).toBe(`Runner over ${flavour}`);
    const error = await client.getRunner({ runnerId: "00000000-0000-4000-8000-0000deadbeef" }).catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.NotFound);
  });
});
