// GetEnvironment: one environment, as the caller may see it.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { findEnvironment } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const getEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async getEnvironment(req, ctx) {
    const record = await findEnvironment(deps.store, callerOf(ctx), req.environmentId, { readOnly: true });
    return { environment: record.value.environment };
  },
}));
