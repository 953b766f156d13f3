// GetRunnerConfigurationSchema: the schema of the runner's provider (provider-schemas.ts).
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { findOwnRunner, schemaMessage } from "../../domain/runners/index.js";

export const getRunnerConfigurationSchema = defineHandlers(RunnerConfigurationService, (deps) => ({
  async getRunnerConfigurationSchema(req, ctx) {
    const runner = await findOwnRunner(deps.store, deps.clock.nowMs(), callerOf(ctx), req.runnerId);
    return { schema: schemaMessage(runner) };
  },
}));
