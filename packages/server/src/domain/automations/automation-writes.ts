// The writes every path shares (handlers, automations files, triggers, the simulated runner):
// starting a service by id, starting a task run, and removing automations — a removed service or
// task also leaves the depends_on lists of the environment's other tasks, in the same transaction.
import { create } from "@bufbuild/protobuf";
import { TaskExecutionPhase, TaskExecutionSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import { failedPrecondition } from "../../errors.js";
import type { HandlerDeps } from "../../handler-deps.js";
import { deleteWhere, recordsWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import { buildPlan, DependencyCycleError, describePath, environmentGraph, type AutomationGraph } from "./execution-plan.js";
import { serviceRecords, services, taskExecutions, taskRecords, tasks, type TaskExecutionRecord, type TaskRecord } from "./records.js";
import { requestStart } from "./service-lifecycle.js";

/** Asks the service to start (StartService's request, without the environment check); false when it is gone. */
export async function startServiceById(tx: Transaction, organizationId: string, serviceId: string): Promise<boolean> {
  const record = await tx.collection(services).get(serviceId, { organizationId });
  if (!record) return false;
  const value = record.value;
  if (requestStart(value)) await tx.collection(services).update(serviceId, value, { organizationId });
  return true;
}

export interface TaskRun {
  task: TaskRecord;
  organizationId: string;
  creator: Subject;
  /** What started it: "manual", or the trigger's YAML name. */
  startedBy: string;
  /** The environment's dependency graph, when the caller has it already. */
  graph?: AutomationGraph;
}

/** Creates a task execution (PENDING) with the plan of the task's dependency closure as it is now. */
export async function startTaskRun(tx: Transaction, deps: HandlerDeps, run: TaskRun): Promise<TaskExecutionRecord> {
  const task = run.task.task;
  const graph = run.graph ?? (await environmentGraph(tx, run.organizationId, task.environmentId));
  let plan;
  try {
    plan = buildPlan(graph, task.id, () => deps.ids.newId());
  } catch (e) {
    if (e instanceof DependencyCycleError) throw failedPrecondition(`the dependencies of task ${JSON.stringify(task.id)} form a cycle: ${describePath(graph, e.path)}`);
    throw e;
  }
  const id = deps.ids.newId();
  const value: TaskExecutionRecord = {
    runnerId: run.task.runnerId,
    taskReference: task.metadata?.reference ?? "",
    execution: create(TaskExecutionSchema, {
      id,
      metadata: { taskId: task.id, environmentId: task.environmentId, createdAt: deps.clock.now(), creator: run.creator, startedBy: run.startedBy },
      spec: { plan, desiredPhase: TaskExecutionPhase.RUNNING },
      status: { phase: TaskExecutionPhase.PENDING },
    }),
  };
  await tx.collection(taskExecutions).insert({ id, organizationId: run.organizationId, value });
  return value;
}

/** Removes the ids from the depends_on of the environment's tasks. */
export async function forgetDependencies(tx: Transaction, organizationId: string, environmentId: string, ids: ReadonlySet<string>): Promise<void> {
  if (ids.size === 0) return;
  const dependents = await recordsWhere(tx, tasks, organizationId, (r) => r.task.environmentId === environmentId && r.task.dependsOn.some((d) => ids.has(d)));
  for (const { id, value } of dependents) {
    value.task.dependsOn = value.task.dependsOn.filter((d) => !ids.has(d));
    await tx.collection(tasks).update(id, value, { organizationId });
  }
}

/** Removes a service (and its reference key) at once; its id leaves the dependencies of other tasks. */
export async function removeService(tx: Transaction, organizationId: string, serviceId: string): Promise<void> {
  const removed = await serviceRecords.delete(tx, organizationId, serviceId);
  if (removed) await forgetDependencies(tx, organizationId, removed.value.service.environmentId, new Set([serviceId]));
}

/** Removes a task (and its reference key) at once; its executions stay as run history. */
export async function removeTask(tx: Transaction, organizationId: string, taskId: string): Promise<void> {
  const removed = await taskRecords.delete(tx, organizationId, taskId);
  if (removed) await forgetDependencies(tx, organizationId, removed.value.task.environmentId, new Set([taskId]));
}

/** Removes every service, task and task execution of the environment, in the caller's transaction. */
export async function removeAutomationsOf(tx: Transaction, organizationId: string, environmentId: string): Promise<void> {
  await serviceRecords.deleteWhere(tx, organizationId, (r) => r.service.environmentId === environmentId);
  await taskRecords.deleteWhere(tx, organizationId, (r) => r.task.environmentId === environmentId);
  await deleteWhere(tx, taskExecutions, organizationId, (r) => r.execution.metadata?.environmentId === environmentId);
}

