// DeleteTask: removes the task at once; its id leaves the depends_on of the environment's other
// tasks; its executions stay (run history; a running one goes on with the spec it captured).
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findTask, removeTask } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const deleteTask = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async deleteTask(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      await findTask(tx, caller, req.id);
      await removeTask(tx, caller.organizationId, req.id);
    });
    return {};
  },
}));
