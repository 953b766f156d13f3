// DeleteSCMIntegration: removes an SCM integration and the host tokens obtained through it.
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { deleteScmIntegration } from "../../domain/scm/index.js";
import { deleteHostTokens, visibleIntegration } from "./scm-integration-records.js";

export const deleteSCMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async deleteSCMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const integration = await visibleIntegration(tx, caller, req.id);
      await deleteScmIntegration(tx, caller.organizationId, req.id);
      await deleteHostTokens(tx, caller.organizationId, integration, [HostAuthenticationTokenSource.OAUTH, HostAuthenticationTokenSource.PAT]);
    });
    return {};
  },
}));
