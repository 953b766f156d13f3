// DeleteRunnerPolicy: removes a group's policy from a runner.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { denyRunnerCaller, findRunner, runnerPolicies } from "../../domain/runners/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { policyId, policyNotFound } from "./runner-policy.js";

export const deleteRunnerPolicy = defineHandlers(RunnerService, (deps) => ({
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
}));
