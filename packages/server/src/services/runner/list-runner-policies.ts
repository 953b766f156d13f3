// ListRunnerPolicies: the policies of one runner.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { findOwnRunner, runnerPolicies } from "../../domain/runners/index.js";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";
import { toPolicy } from "./runner-policy.js";

export const listRunnerPolicies = defineHandlers(RunnerService, (deps) => ({
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
}));
