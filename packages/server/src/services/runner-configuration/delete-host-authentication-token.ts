// DeleteHostAuthenticationToken: removes a host token the caller may see.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { deleteHostToken } from "../../domain/scm/index.js";
import { visibleToken } from "./host-token-access.js";

export const deleteHostAuthenticationToken = defineHandlers(RunnerConfigurationService, (deps) => ({
  async deleteHostAuthenticationToken(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      await visibleToken(tx, caller, req.id);
      await deleteHostToken(tx, caller.organizationId, req.id);
    });
    return {};
  },
}));
