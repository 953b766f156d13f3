// GetRunnerConfigurationSchema: the schema of the runner's provider (provider-schemas.ts).
import { callerOf } from "../../rpc/index.js";
import { findOwnRunner, schemaMessage } from "../../domain/runners/index.js";
import type { HandlerGroup } from "./handler-group.js";

export const schemaHandler: HandlerGroup = (deps) => ({
  async getRunnerConfigurationSchema(req, ctx) {
    const runner = await findOwnRunner(deps.store, deps.clock.nowMs(), callerOf(ctx), req.runnerId);
    return { schema: schemaMessage(runner) };
  },
});
