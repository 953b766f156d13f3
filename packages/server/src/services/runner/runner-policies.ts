// CreateRunnerPolicy, ListRunnerPolicies, UpdateRunnerPolicy, DeleteRunnerPolicy: which group holds
// which role on a runner, one policy per (runner, group). The server has no groups of its own, so
// any group id (a UUID) is accepted, and policies are recorded and listed but not enforced.
import { create } from "@bufbuild/protobuf";
import { RunnerPolicySchema, RunnerRole, RunnerRoleSchema, type RunnerPolicy } from "@gitpod-connect/schema/gitpod/v1/runner";
import { denyRunnerCaller, findOwnRunner, findRunner, findUsableRunner, runnerPolicies, type RunnerPolicyRecord } from "../../domain/runners/index.js";
import { alreadyExists, callerOf, invalidArgument, notFound, paginate, StoreError } from "../../rpc/index.js";
import { assertDefined } from "./enum-values.js";
import type { HandlerGroup } from "./handler-group.js";

const kind = "runner policy";

const policyId = (runnerId: string, groupId: string) => `${runnerId}/${groupId}`;
const describe = (runnerId: string, groupId: string) => `for group ${JSON.stringify(groupId)} on runner ${JSON.stringify(runnerId)}`;
const policyNotFound = (runnerId: string, groupId: string) => notFound(`${kind} on runner ${JSON.stringify(runnerId)} for group`, groupId);

function checkRole(role: RunnerRole): void {
  assertDefined(RunnerRoleSchema, role, "role");
  if (role === RunnerRole.UNSPECIFIED) throw invalidArgument("role", "must be RUNNER_ROLE_ADMIN or RUNNER_ROLE_USER");
}

const toPolicy = (r: RunnerPolicyRecord): RunnerPolicy => create(RunnerPolicySchema, { groupId: r.groupId, role: r.role });

export const runnerPolicyHandlers: HandlerGroup = (deps) => ({
  async createRunnerPolicy(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "change runner policies");
    checkRole(req.role);
    const { organizationId } = caller;
    const value: RunnerPolicyRecord = { runnerId: req.runnerId, groupId: req.groupId, role: req.role };
    await deps.store.transaction(async (tx) => {
      await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "add policies to it");
      try {
        await tx.collection(runnerPolicies).insert({ id: policyId(req.runnerId, req.groupId), organizationId, value });
      } catch (e) {
        if (e instanceof StoreError && e.reason === "already_exists") throw alreadyExists(kind, describe(req.runnerId, req.groupId));
        throw e;
      }
    });
    return { policy: toPolicy(value) };
  },

  async listRunnerPolicies(req, ctx) {
    const caller = callerOf(ctx);
    await findOwnRunner(deps.store, deps.clock.nowMs(), caller, req.runnerId);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(runnerPolicies),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { runnerId: req.runnerId },
      where: (p) => p.runnerId === req.runnerId,
    });
    return { policies: page.values.map(toPolicy), pagination: page.pagination };
  },

  async updateRunnerPolicy(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "change runner policies");
    checkRole(req.role);
    const { organizationId } = caller;
    const updated = await deps.store.transaction(async (tx) => {
      await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "change its policies");
      const id = policyId(req.runnerId, req.groupId);
      if (!(await tx.collection(runnerPolicies).get(id, { organizationId }))) throw policyNotFound(req.runnerId, req.groupId);
      return tx.collection(runnerPolicies).update(id, (p) => ({ ...p, role: req.role }), { organizationId });
    });
    return { policy: toPolicy(updated.value) };
  },

  async deleteRunnerPolicy(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "change runner policies");
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      await findRunner(tx, deps.clock.nowMs(), organizationId, req.runnerId);
      const removed = await tx.collection(runnerPolicies).delete(policyId(req.runnerId, req.groupId), { organizationId });
      if (!removed) throw policyNotFound(req.runnerId, req.groupId);
    });
    return {};
  },
});
