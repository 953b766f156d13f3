// ListEnvironmentClasses: the same RPC, with the same messages and code, as
// RunnerConfigurationService.ListEnvironmentClasses.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { listEnvironmentClasses as listClasses } from "../../domain/environment-classes/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const listEnvironmentClasses = defineHandlers(EnvironmentService, (deps) => ({
  listEnvironmentClasses: (req, ctx) => listClasses(deps, callerOf(ctx), req),
}));
