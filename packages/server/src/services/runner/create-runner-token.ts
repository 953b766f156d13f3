// CreateRunnerToken: a new exchange token (24 hours) for a runner (runner-credentials.ts).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { denyRunnerCaller, findUsableRunner, issueRunnerToken } from "../../domain/runners/index.js";

export const createRunnerToken = defineHandlers(RunnerService, (deps) => ({
  async createRunnerToken(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "issue runner tokens");
    const exchangeToken = await deps.store.transaction(async (tx) => {
      await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "issue tokens for it");
      return issueRunnerToken(deps, caller.organizationId, req.runnerId);
    });
    return { exchangeToken };
  },
}));
