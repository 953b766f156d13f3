// GetService: one service with its current status.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findService } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const getService = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async getService(req, ctx) {
    const record = await findService(deps.store, callerOf(ctx), req.id);
    return { service: record.value.service };
  },
}));
