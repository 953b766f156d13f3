// gitpod.v1.RunnerConfigurationService: all 16 RPCs, from the handler groups of this folder.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { defineService } from "../../rpc/index.js";
import { environmentClassHandlers } from "./environment-class-handlers.js";
import { hostTokenHandlers } from "./host-token-handlers.js";
import { schemaHandler } from "./schema-handler.js";
import { scmIntegrationHandlers } from "./scm-integration-handlers.js";
import { validationHandler } from "./validation-handler.js";

export const runnerConfigurationService = defineService(RunnerConfigurationService, (deps) => ({
  ...environmentClassHandlers(deps),
  ...hostTokenHandlers(deps),
  ...scmIntegrationHandlers(deps),
  ...schemaHandler(deps),
  ...validationHandler(deps),
}));
