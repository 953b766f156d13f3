// Finding the service, task or execution a call names, and who may see it: everything of another
// organization is not_found (store scope), and so is what the caller's environment scope hides — an
// environment principal sees only its own environment's automations, a runner only those of the
// environments on it (the placement kept in each record decides it without a lookup).
import type { Caller } from "../../auth/caller.js";
import { failedPrecondition, notFound } from "../../errors.js";
import type { StoredRecord, Transaction } from "../../store/store.js";
import { environmentScopeOf, findEnvironment, targetPhase, type EnvironmentRecord, type EnvironmentScope } from "../environments/index.js";
import { EnvironmentPhase, EnvironmentPhaseSchema, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { services, taskExecutions, tasks, type Placement, type ServiceRecord, type TaskExecutionRecord, type TaskRecord } from "./records.js";

export type { EnvironmentScope };

/** Whether an automation placed so is visible in the caller's environment scope. */
export function isInScope(scope: EnvironmentScope, placement: Placement): boolean {
  return (scope.environmentId === undefined || placement.environmentId === scope.environmentId) && (scope.runnerId === undefined || placement.runnerId === scope.runnerId);
}

/** Where the automations of this environment live. */
export const placementOf = (env: Environment): Placement => ({ environmentId: env.id, runnerId: env.metadata?.runnerId ?? "" });

export const servicePlacement = (r: ServiceRecord): Placement => ({ environmentId: r.service.environmentId, runnerId: r.runnerId });
export const taskPlacement = (r: TaskRecord): Placement => ({ environmentId: r.task.environmentId, runnerId: r.runnerId });
export const executionPlacement = (r: TaskExecutionRecord): Placement => ({ environmentId: r.execution.metadata?.environmentId ?? "", runnerId: r.runnerId });

export async function findService(tx: Transaction, caller: Caller, id: string): Promise<StoredRecord<ServiceRecord>> {
  const record = await tx.collection(services).get(id, { organizationId: caller.organizationId });
  if (!record || !isInScope(environmentScopeOf(caller), servicePlacement(record.value))) throw notFound("service", id);
  return record;
}

export async function findTask(tx: Transaction, caller: Caller, id: string): Promise<StoredRecord<TaskRecord>> {
  const record = await tx.collection(tasks).get(id, { organizationId: caller.organizationId });
  if (!record || !isInScope(environmentScopeOf(caller), taskPlacement(record.value))) throw notFound("task", id);
  return record;
}

export async function findTaskExecution(tx: Transaction, caller: Caller, id: string): Promise<StoredRecord<TaskExecutionRecord>> {
  const record = await tx.collection(taskExecutions).get(id, { organizationId: caller.organizationId });
  if (!record || !isInScope(environmentScopeOf(caller), executionPlacement(record.value))) throw notFound("task execution", id);
  return record;
}

const runningPhases: ReadonlySet<EnvironmentPhase> = new Set([EnvironmentPhase.RUNNING, EnvironmentPhase.UPDATING]);

/**
 * The environment, which must be running (RUNNING, or UPDATING while running) and staying so — what
 * starting a service or a task needs; failed_precondition otherwise.
 */
export async function findRunningEnvironment(tx: Transaction, caller: Caller, environmentId: string, action: string): Promise<StoredRecord<EnvironmentRecord>> {
  const record = await findEnvironment(tx, caller, environmentId);
  const env = record.value.environment;
  const phase = env.status?.phase ?? EnvironmentPhase.UNSPECIFIED;
  if (!runningPhases.has(phase) || targetPhase(env) !== EnvironmentPhase.RUNNING)
    throw failedPrecondition(`environment ${JSON.stringify(environmentId)} is not running (${EnvironmentPhaseSchema.value[phase]?.name ?? phase}); start it before you ${action}`);
  return record;
}
