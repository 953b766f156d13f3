// CreateRunnerLogsToken: a token (one hour) that opens one runner's logs (runner-credentials.ts).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { findUsableRunner, issueLogsToken } from "../../domain/runners/index.js";

export const createRunnerLogsToken = defineHandlers(RunnerService, (deps) => ({
  async createRunnerLogsToken(req, ctx) {
    const caller = callerOf(ctx);
    const accessToken = await deps.store.transaction(async (tx) => {
      await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "open its logs");
      return issueLogsToken(deps, caller.organizationId, req.runnerId);
    });
    return { accessToken };
  },
}));
