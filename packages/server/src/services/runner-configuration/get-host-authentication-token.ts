// GetHostAuthenticationToken: one host token the caller may see, without its value.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { visibleToken } from "./host-token-access.js";

export const getHostAuthenticationToken = defineHandlers(RunnerConfigurationService, (deps) => ({
  async getHostAuthenticationToken(req, ctx) {
    const record = await visibleToken(deps.store, callerOf(ctx), req.id);
    return { token: record.value.token };
  },
}));
