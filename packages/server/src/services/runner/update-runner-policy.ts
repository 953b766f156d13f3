// UpdateRunnerPolicy: changes the role of a group's existing policy on a runner.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { denyRunnerCaller, findUsableRunner, runnerPolicies } from "../../domain/runners/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { checkRole, policyId, policyNotFound, toPolicy } from "./runner-policy.js";

export const updateRunnerPolicy = defineHandlers(RunnerService, (deps) => ({
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
}));
