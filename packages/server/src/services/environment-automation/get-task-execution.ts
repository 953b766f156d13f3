// GetTaskExecution: one execution with its plan and the progress of each step.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findTaskExecution } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const getTaskExecution = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async getTaskExecution(req, ctx) {
    const record = await findTaskExecution(deps.store, callerOf(ctx), req.id);
    return { taskExecution: record.value.execution };
  },
}));
