// ListTasks: the tasks the caller may see, in creation order, filtered by environment, reference
// and id (each list: any of; the lists: all of).
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { isInScope, taskPlacement, tasks } from "../../domain/automations/index.js";
import { environmentScopeOf } from "../../domain/environments/index.js";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";

const anyOf = (wanted: readonly string[], value: string) => wanted.length === 0 || wanted.includes(value);

export const listTasks = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async listTasks(req, ctx) {
    const caller = callerOf(ctx);
    const scope = environmentScopeOf(caller);
    const f = req.filter;
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(tasks),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: f, scope },
      where: (r) =>
        isInScope(scope, taskPlacement(r)) &&
        anyOf(f?.environmentIds ?? [], r.task.environmentId) &&
        anyOf(f?.references ?? [], r.task.metadata?.reference ?? "") &&
        anyOf(f?.taskIds ?? [], r.task.id),
    });
    return { tasks: page.values.map((r) => r.task), pagination: page.pagination };
  },
}));
