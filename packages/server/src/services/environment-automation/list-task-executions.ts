// ListTaskExecutions: the executions the caller may see, in creation order, filtered by task,
// task reference (the task's reference when the run started), environment and current phase.
import { EnvironmentAutomationService, TaskExecutionPhase, TaskExecutionPhaseSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { assertDefined, executionPlacement, isInScope, taskExecutions } from "../../domain/automations/index.js";
import { environmentScopeOf } from "../../domain/environments/index.js";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";

const anyOf = <T>(wanted: readonly T[], value: T) => wanted.length === 0 || wanted.includes(value);

export const listTaskExecutions = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async listTaskExecutions(req, ctx) {
    const caller = callerOf(ctx);
    const scope = environmentScopeOf(caller);
    const f = req.filter;
    (f?.phases ?? []).forEach((p, i) => assertDefined(TaskExecutionPhaseSchema, p, `filter.phases[${i}]`));
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(taskExecutions),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: f, scope },
      where: (r) =>
        isInScope(scope, executionPlacement(r)) &&
        anyOf(f?.taskIds ?? [], r.execution.metadata?.taskId ?? "") &&
        anyOf(f?.taskReferences ?? [], r.taskReference) &&
        anyOf(f?.environmentIds ?? [], r.execution.metadata?.environmentId ?? "") &&
        anyOf<TaskExecutionPhase>(f?.phases ?? [], r.execution.status?.phase ?? TaskExecutionPhase.UNSPECIFIED),
    });
    return { taskExecutions: page.values.map((r) => r.execution), pagination: page.pagination };
  },
}));
