// GetTask: one task with its spec and dependencies.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findTask } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const getTask = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async getTask(req, ctx) {
    const record = await findTask(deps.store, callerOf(ctx), req.id);
    return { task: record.value.task };
  },
}));
