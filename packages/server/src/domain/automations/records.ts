// The records of automations: services, tasks and task executions. Each belongs to one environment
// and so to its organization (the record's organizationId). The wrappers keep what the API messages
// do not show: the environment's runner (runner principals see only their environments'
// automations, decided without a lookup), where a service or task came from, and the simulated
// runner's progress inside a phase.
import { clone } from "@bufbuild/protobuf";
import { ServiceSchema, TaskExecutionSchema, TaskSchema, type Service, type Task, type TaskExecution } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { alreadyExists } from "../../errors.js";
import { keyedRecords } from "../../store/keyed-records.js";
import { plainCollection, type CollectionSpec } from "../../store/store.js";

/** Where an automation lives: its environment, and the runner that environment runs on. */
export interface Placement {
  environmentId: string;
  runnerId: string;
}

export interface ServiceRecord {
  service: Service;
  runnerId: string;
  /** Created by an automations file: a later file that no longer declares it removes it. */
  fromAutomationsFile: boolean;
  /** A start was asked for (StartService, a trigger, a task's plan) that the runner has not begun. */
  startRequested: boolean;
  /** While STARTING: when the start began (the readiness timeout counts from here), and whether its start command already runs. */
  starting?: { sinceMs: number; launched: boolean };
}

export interface TaskRecord {
  task: Task;
  runnerId: string;
  /** Created by an automations file: a later file that no longer declares it removes it. */
  fromAutomationsFile: boolean;
}

export interface TaskExecutionRecord {
  execution: TaskExecution;
  runnerId: string;
  /** The reference of the task when it started (ListTaskExecutions filters by it, also after the task is gone). */
  taskReference: string;
}

/** Services, keyed by id. */
export const services: CollectionSpec<ServiceRecord> = {
  name: "automation_services",
  kind: "service",
  copy: (r) => ({
    ...r,
    service: clone(ServiceSchema, r.service),
    ...(r.starting ? { starting: { ...r.starting } } : {}),
  }),
};

/** Tasks, keyed by id. */
export const tasks: CollectionSpec<TaskRecord> = {
  name: "automation_tasks",
  kind: "task",
  copy: (r) => ({ ...r, task: clone(TaskSchema, r.task) }),
};

/** Task executions, keyed by id. */
export const taskExecutions: CollectionSpec<TaskExecutionRecord> = {
  name: "task_executions",
  kind: "task execution",
  copy: (r) => ({ ...r, execution: clone(TaskExecutionSchema, r.execution) }),
};

/** `${environmentId}\n${reference}` → the service's id: references are unique per environment. */
export const serviceKeys = plainCollection<string>("automation_service_keys", "service reference");
/** `${environmentId}\n${reference}` → the task's id; a namespace of its own (a task may share a service's reference). */
export const taskKeys = plainCollection<string>("automation_task_keys", "task reference");

export const referenceKey = (environmentId: string, reference: string) => `${environmentId}\n${reference}`;

const duplicate = (kind: string, environmentId: string, reference: string) =>
  alreadyExists(kind, `with reference ${JSON.stringify(reference)} in environment ${JSON.stringify(environmentId)}`);

/** Services with their reference keys: write them only through this, inside a transaction. */
export const serviceRecords = keyedRecords(
  services,
  serviceKeys,
  (r) => referenceKey(r.service.environmentId, r.service.metadata?.reference ?? ""),
  (r) => duplicate("service", r.service.environmentId, r.service.metadata?.reference ?? ""),
);

/** Tasks with their reference keys: write them only through this, inside a transaction. */
export const taskRecords = keyedRecords(
  tasks,
  taskKeys,
  (r) => referenceKey(r.task.environmentId, r.task.metadata?.reference ?? ""),
  (r) => duplicate("task", r.task.environmentId, r.task.metadata?.reference ?? ""),
);
