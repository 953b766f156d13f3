// GetSCMIntegration: one SCM integration the caller may see (a runner: its own runner's only).
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { visibleIntegration } from "./scm-integration-records.js";

export const getSCMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async getSCMIntegration(req, ctx) {
    return { integration: await visibleIntegration(deps.store, callerOf(ctx), req.id) };
  },
}));
