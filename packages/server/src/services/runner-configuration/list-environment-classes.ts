// ListEnvironmentClasses: the organization's environment classes, filtered by runner, runner kind
// and provider, enabled, and whether environments can be created with them (a runner: its own
// only). The code is domain/environment-classes' (EnvironmentService serves the same RPC).
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { listEnvironmentClasses as listClasses } from "../../domain/environment-classes/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const listEnvironmentClasses = defineHandlers(RunnerConfigurationService, (deps) => ({
  async listEnvironmentClasses(req, ctx) {
    return listClasses(deps, callerOf(ctx), req);
  },
}));
