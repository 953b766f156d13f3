// StopTaskExecution: asks for the execution to stop (desired STOPPED); the runner then stops its
// unfinished steps and the execution. Idempotent; a finished execution stays as it is.
import { EnvironmentAutomationService, TaskExecutionPhase } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findTaskExecution, isFinished, taskExecutions } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const stopTaskExecution = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async stopTaskExecution(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const record = await findTaskExecution(tx, caller, req.id);
      const execution = record.value.execution;
      if (isFinished(execution) || execution.spec?.desiredPhase === TaskExecutionPhase.STOPPED) return;
      execution.spec!.desiredPhase = TaskExecutionPhase.STOPPED;
      await tx.collection(taskExecutions).update(req.id, record.value, { organizationId: caller.organizationId, expectVersion: record.version });
    });
    return {};
  },
}));
