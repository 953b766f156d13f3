// StartTask: creates a PENDING execution of the task whose plan holds its dependency closure as it
// is now (started_by "manual", creator the caller); the simulated runner runs it. Needs the
// environment running (failed_precondition).
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findRunningEnvironment, findTask, startTaskRun } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const startTask = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async startTask(req, ctx) {
    const caller = callerOf(ctx);
    const run = await deps.store.transaction(async (tx) => {
      const task = await findTask(tx, caller, req.id);
      await findRunningEnvironment(tx, caller, task.value.task.environmentId, "start its tasks");
      return startTaskRun(tx, deps, { task: task.value, organizationId: caller.organizationId, creator: caller.subject, startedBy: "manual" });
    });
    return { taskExecution: run.execution };
  },
}));
