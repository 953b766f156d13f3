// UpdateTask's changes to a task record: only the fields set (an empty env or depends_on list
// cannot be told from "unset" and changes nothing). A task's spec may change any time: running
// executions keep the spec their plan captured.
import { create } from "@bufbuild/protobuf";
import { TaskSpecSchema, type UpdateTaskRequest } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { invalidArgument } from "../../errors.js";
import type { AutomationGraph } from "./execution-plan.js";
import type { TaskRecord } from "./records.js";
import { checkDependsOn } from "./task-dependencies.js";
import { checkTriggers } from "./triggers.js";

/** Applies the update to `record` (a copy the caller writes back); `graph` is the environment's, for depends_on. */
export function applyTaskUpdate(record: TaskRecord, req: UpdateTaskRequest, graph: AutomationGraph): void {
  const task = record.task;
  const m = req.metadata;
  if (m) {
    const metadata = task.metadata!;
    if (m.name !== undefined) metadata.name = m.name;
    if (m.description !== undefined) metadata.description = m.description;
    if (m.triggeredBy) {
      checkTriggers(m.triggeredBy.trigger, "metadata.triggered_by.trigger");
      metadata.triggeredBy = m.triggeredBy.trigger;
    }
  }
  const s = req.spec;
  if (s) {
    const spec = (task.spec ??= create(TaskSpecSchema));
    if (s.command !== undefined) {
      if (s.command.trim() === "") throw invalidArgument("spec.command", "must not be empty");
      spec.command = s.command;
    }
    if (s.runsOn) spec.runsOn = s.runsOn;
    if (s.env.length > 0) spec.env = s.env;
    if (s.prebuildRequiresSuccess !== undefined) spec.prebuildRequiresSuccess = s.prebuildRequiresSuccess;
  }
  if (req.dependsOn.length > 0) task.dependsOn = checkDependsOn(graph, task.environmentId, task.id, req.dependsOn);
}
