// CreateRunnerPolicy: gives a group a role on a runner (already_exists for a second policy of the group).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { denyRunnerCaller, findUsableRunner, runnerPolicies, type RunnerPolicyRecord } from "../../domain/runners/index.js";
import { alreadyExists, callerOf, defineHandlers, StoreError } from "../../rpc/index.js";
import { checkRole, kind, policyId, toPolicy } from "./runner-policy.js";

const describe = (runnerId: string, groupId: string) => `for group ${JSON.stringify(groupId)} on runner ${JSON.stringify(runnerId)}`;

export const createRunnerPolicy = defineHandlers(RunnerService, (deps) => ({
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
}));
