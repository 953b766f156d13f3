import { Code } from "@connectrpc/connect";
import { RunnerRole, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { allPages, createRunner, expectFailure, expectOneWinner, tamper, type RunnerClient } from "./test-fixtures.js";

let server: TestServer;
let admin: RunnerClient;
let other: RunnerClient;
const group = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0").replace(/^0/, "a")}`;
const unknownRunner = "00000000-0000-4000-8000-0000deadbeef";

beforeAll(async () => {
  server = await startTestServer();
  admin = server.client(RunnerService, testTokens.admin);
  other = server.client(RunnerService, testTokens.other);
});
afterAll(() => server.close());

describe("runner policies", () => {
  it("grants, lists, changes and removes a group's role", async () => {
    const { runnerId } = await createRunner(admin);
    const created = await admin.createRunnerPolicy({ runnerId, groupId: group(1), role: RunnerRole.ADMIN });
    expect(created.policy).toMatchObject({ groupId: group(1), role: RunnerRole.ADMIN });
    await admin.createRunnerPolicy({ runnerId, groupId: group(2), role: RunnerRole.USER });
    expect((await admin.listRunnerPolicies({ runnerId })).policies.map((p) => [p.groupId, p.role])).toEqual([
      [group(1), RunnerRole.ADMIN],
      [group(2), RunnerRole.USER],
    ]);

    const updated = await admin.updateRunnerPolicy({ runnerId, groupId: group(1), role: RunnerRole.USER });
    expect(updated.policy).toMatchObject({ groupId: group(1), role: RunnerRole.USER });
    await admin.deleteRunnerPolicy({ runnerId, groupId: group(2) });
    expect((await admin.listRunnerPolicies({ runnerId })).policies.map((p) => [p.groupId, p.role])).toEqual([[group(1), RunnerRole.USER]]);
  });

  it("keeps one policy per group per runner: a duplicate is already_exists, and of concurrent ones exactly one wins", async () => {
    const { runnerId } = await createRunner(admin);
    await admin.createRunnerPolicy({ runnerId, groupId: group(1), role: RunnerRole.USER });
    await expectFailure(admin.createRunnerPolicy({ runnerId, groupId: group(1), role: RunnerRole.ADMIN }), Code.AlreadyExists, group(1), runnerId);
    await expectOneWinner(12, () => admin.createRunnerPolicy({ runnerId, groupId: group(7), role: RunnerRole.ADMIN }), Code.AlreadyExists);
    expect((await admin.listRunnerPolicies({ runnerId })).policies).toHaveLength(2);
    // The same group on another runner is another policy.
    const second = await createRunner(admin);
    await admin.createRunnerPolicy({ runnerId: second.runnerId, groupId: group(1), role: RunnerRole.ADMIN });
  });

  it.each([
    ["an unspecified role", { role: RunnerRole.UNSPECIFIED }, "role"],
    ["an undefined role", { role: 9 as RunnerRole }, "role"],
    ["a group id that is no UUID", { groupId: "admins" }, "group_id"],
    ["a runner id that is no UUID", { runnerId: "r" }, "runner_id"],
  ])("rejects %s with invalid_argument naming the field", async (_, change, field) => {
    const { runnerId } = await createRunner(admin);
    const req = { runnerId, groupId: group(3), role: RunnerRole.USER, ...change };
    await expectFailure(admin.createRunnerPolicy(req), Code.InvalidArgument, field);
    if (field !== "group_id" && field !== "runner_id") {
      await admin.createRunnerPolicy({ runnerId, groupId: group(3), role: RunnerRole.USER });
      await expectFailure(admin.updateRunnerPolicy(req), Code.InvalidArgument, field);
    }
  });

  it("answers not_found for an unknown runner, another organization's runner, and a missing policy", async () => {
    // One call at a time: a call started before its turn could fail before anything awaits it.
    for (const call of [
      () => admin.createRunnerPolicy({ runnerId: unknownRunner, groupId: group(1), role: RunnerRole.USER }),
      () => admin.listRunnerPolicies({ runnerId: unknownRunner }),
      () => other.createRunnerPolicy({ runnerId: server.bootstrap.runnerId, groupId: group(1), role: RunnerRole.USER }),
      () => other.listRunnerPolicies({ runnerId: server.bootstrap.runnerId }),
      () => other.updateRunnerPolicy({ runnerId: server.bootstrap.runnerId, groupId: group(1), role: RunnerRole.USER }),
      () => other.deleteRunnerPolicy({ runnerId: server.bootstrap.runnerId, groupId: group(1) }),
    ])
      await expectFailure(call(), Code.NotFound, "runner");
    await admin.createRunnerPolicy({ runnerId: server.bootstrap.runnerId, groupId: group(9), role: RunnerRole.USER });
    await expectFailure(other.deleteRunnerPolicy({ runnerId: server.bootstrap.runnerId, groupId: group(9) }), Code.NotFound);
    expect((await admin.listRunnerPolicies({ runnerId: server.bootstrap.runnerId })).policies.map((p) => p.groupId)).toContain(group(9));

    const { runnerId } = await createRunner(admin);
    await expectFailure(admin.updateRunnerPolicy({ runnerId, groupId: group(4), role: RunnerRole.ADMIN }), Code.NotFound, "runner policy", group(4));
    await expectFailure(admin.deleteRunnerPolicy({ runnerId, groupId: group(4) }), Code.NotFound, "runner policy", group(4));
  });

  it("lists a runner's policies over several pages and rejects tampered or foreign page tokens", async () => {
    const a = await createRunner(admin);
    const b = await createRunner(admin);
    for (let i = 0; i < 7; i++) {
      await admin.createRunnerPolicy({ runnerId: a.runnerId, groupId: group(100 + i), role: i % 2 ? RunnerRole.ADMIN : RunnerRole.USER });
      await admin.createRunnerPolicy({ runnerId: b.runnerId, groupId: group(200 + i), role: RunnerRole.USER });
    }
    const { items, pages } = await allPages(async (token) => {
      const res = await admin.listRunnerPolicies({ runnerId: a.runnerId, pagination: { pageSize: 3, token } });
      return { items: res.policies, nextToken: res.pagination?.nextToken ?? "" };
    });
    expect(pages).toBe(3);
    expect(items.map((p) => p.groupId)).toEqual(Array.from({ length: 7 }, (_, i) => group(100 + i)));

    const first = await admin.listRunnerPolicies({ runnerId: a.runnerId, pagination: { pageSize: 3 } });
    const token = first.pagination!.nextToken;
    await expectFailure(admin.listRunnerPolicies({ runnerId: a.runnerId, pagination: { token: tamper(token) } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(admin.listRunnerPolicies({ runnerId: b.runnerId, pagination: { token } }), Code.InvalidArgument, "pagination.token");
  });

  it("refuses new policies on a runner being deleted, and deletes the runner's policies with it", async () => {
    const { runnerId } = await createRunner(admin);
    await admin.createRunnerPolicy({ runnerId, groupId: group(5), role: RunnerRole.ADMIN });
    await admin.deleteRunner({ runnerId });
    await expectFailure(admin.createRunnerPolicy({ runnerId, groupId: group(6), role: RunnerRole.ADMIN }), Code.FailedPrecondition);
    expect((await admin.listRunnerPolicies({ runnerId })).policies).toEqual([]);
  });
});
