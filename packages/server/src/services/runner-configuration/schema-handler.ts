// GetRunnerConfigurationSchema: the schema of the runner's provider (provider-schemas.ts).
import { callerOf } from "../../kit.js";
import { schemaMessage } from "./configuration-schema.js";
import type { HandlerGroup } from "./handler-group.js";
import { requireRunner } from "./runner-access.js";

export const schemaHandler: HandlerGroup = (deps) => ({
  async getRunnerConfigurationSchema(req, ctx) {
    const runner = await requireRunner(deps.store, deps.clock.nowMs(), callerOf(ctx).organizationId, req.runnerId);
    return { schema: schemaMessage(runner) };
  },
});
