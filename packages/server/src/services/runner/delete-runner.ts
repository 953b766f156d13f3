// DeleteRunner: removes the runner's children and marks it deleting (force: removes it at once).
import { RunnerPhase, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { deleteRunnerChildren, denyRunnerCaller, findRunner, markDeleting, runners } from "../../domain/runners/index.js";

export const deleteRunner = defineHandlers(RunnerService, (deps) => ({
  async deleteRunner(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "delete runners");
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const record = await findRunner(tx, deps.clock.nowMs(), organizationId, req.runnerId);
      await deleteRunnerChildren(tx, deps.tokens, organizationId, req.runnerId);
      if (req.force) {
        await tx.collection(runners).delete(req.runnerId, { organizationId });
        return;
      }
      if (record.value.status?.phase === RunnerPhase.DELETING) return; // already shutting down: keep its deadline
      const runner = record.value;
      markDeleting(runner, deps.clock.now());
      await tx.collection(runners).update(req.runnerId, runner, { organizationId });
    });
    return {};
  },
}));
