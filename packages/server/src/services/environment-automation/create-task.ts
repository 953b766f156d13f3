// CreateTask: adds a task to an environment that exists and is not being deleted. The reference is
// unique per environment (already_exists, decided atomically); depends_on names services or tasks
// of the same environment.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { checkDependsOn, checkTriggers, environmentGraph, newTaskRecord, placementOf, taskRecords } from "../../domain/automations/index.js";
import { findChangeableEnvironment } from "../../domain/environments/index.js";
import { callerOf, defineHandlers, invalidArgument } from "../../rpc/index.js";

export const createTask = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async createTask(req, ctx) {
    const caller = callerOf(ctx);
    const metadata = req.metadata;
    if (!metadata?.reference) throw invalidArgument("metadata.reference", "required");
    if (!metadata.name) throw invalidArgument("metadata.name", "required");
    checkTriggers(metadata.triggeredBy, "metadata.triggered_by");
    const spec = req.spec;
    if (!spec?.command.trim()) throw invalidArgument("spec.command", "required: the command the task runs");

    const record = await deps.store.transaction(async (tx) => {
      const env = await findChangeableEnvironment(tx, caller, req.environmentId, "add tasks to it");
      const graph = await environmentGraph(tx, caller.organizationId, req.environmentId);
      const dependsOn = checkDependsOn(graph, req.environmentId, undefined, req.dependsOn);
      const value = newTaskRecord(
        { id: deps.ids.newId(), placement: placementOf(env.value.environment), creator: caller.subject, now: deps.clock.now(), fromAutomationsFile: false },
        { reference: metadata.reference, name: metadata.name, description: metadata.description, triggeredBy: metadata.triggeredBy },
        spec,
        dependsOn,
      );
      await taskRecords.insert(tx, caller.organizationId, value.task.id, value);
      return value;
    });
    return { task: record.task };
  },
}));
