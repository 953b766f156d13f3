// CreateEnvironmentLogsToken: a one-hour token that opens the environment's logs (status.environment_urls.logs) and nothing else.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { findChangeableEnvironment, issueEnvironmentLogsToken } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const createEnvironmentLogsToken = defineHandlers(EnvironmentService, (deps) => ({
  async createEnvironmentLogsToken(req, ctx) {
    const caller = callerOf(ctx);
    const accessToken = await deps.store.transaction(async (tx) => {
      await findChangeableEnvironment(tx, caller, req.environmentId, "issue tokens for it");
      return issueEnvironmentLogsToken(tx, deps, caller.organizationId, req.environmentId);
    });
    return { accessToken };
  },
}));
