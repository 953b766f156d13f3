// CreateRunnerToken and CreateRunnerLogsToken (see runner-credentials.ts for the tokens).
import { callerOf } from "../../rpc/index.js";
import type { HandlerGroup } from "./handler-group.js";
import { denyRunnerCaller, findUsableRunner, issueLogsToken, issueRunnerToken } from "../../domain/runners/index.js";

export const runnerTokenHandlers: HandlerGroup = (deps) => ({
  async createRunnerToken(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "issue runner tokens");
    const exchangeToken = await deps.store.transaction(async (tx) => {
      await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "issue tokens for it");
      return issueRunnerToken(deps, caller.organizationId, req.runnerId);
    });
    return { exchangeToken };
  },

  async createRunnerLogsToken(req, ctx) {
    const caller = callerOf(ctx);
    const accessToken = await deps.store.transaction(async (tx) => {
      await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "open its logs");
      return issueLogsToken(deps, caller.organizationId, req.runnerId);
    });
    return { accessToken };
  },
});
