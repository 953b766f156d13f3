// CreateEnvironmentAccessToken: a one-hour token that authenticates as the environment itself,
// towards that environment (and its automations) only.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { findChangeableEnvironment, issueEnvironmentAccessToken } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const createEnvironmentAccessToken = defineHandlers(EnvironmentService, (deps) => ({
  async createEnvironmentAccessToken(req, ctx) {
    const caller = callerOf(ctx);
    const accessToken = await deps.store.transaction(async (tx) => {
      await findChangeableEnvironment(tx, caller, req.environmentId, "issue tokens for it");
      return issueEnvironmentAccessToken(tx, deps, caller.organizationId, req.environmentId);
    });
    return { accessToken };
  },
}));
