// UpdateTask: changes only the fields set; new depends_on are checked like CreateTask's and must
// not close a cycle. One transaction: concurrent updates serialise.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { applyTaskUpdate, environmentGraph, findTask, tasks, type AutomationNode } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const updateTask = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async updateTask(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const record = await findTask(tx, caller, req.id);
      const value = record.value;
      const graph = req.dependsOn.length > 0 ? await environmentGraph(tx, caller.organizationId, value.task.environmentId) : new Map<string, AutomationNode>();
      applyTaskUpdate(value, req, graph);
      await tx.collection(tasks).update(req.id, value, { organizationId: caller.organizationId, expectVersion: record.version });
    });
    return {};
  },
}));
