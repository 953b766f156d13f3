// CreateRunnerToken and CreateRunnerLogsToken (see runner-credentials.ts for the tokens).
import { callerOf } from "../../kit.js";
import type { HandlerGroup } from "./handler-group.js";
import { issueLogsToken, issueRunnerToken } from "./runner-credentials.js";
import { denyRunnerCaller, findUsableRunner } from "./runner-lookup.js";

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
