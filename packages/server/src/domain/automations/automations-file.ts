// Applying an automations file to an environment (UpsertAutomationsFile, and the project's file an
// environment applies while it starts), in the caller's transaction:
// - every service and task of the file is created, or updated when the environment has one with
//   that reference (its key in the file); the result names them all, in the file's order;
// - what an earlier file created and this one no longer declares is removed (API-created ones stay);
// - a task's depends_on names keys of the file (a service's or a task's): an unknown or ambiguous
//   key or a cycle is invalid_argument naming the path, before anything is written;
// - a running service whose spec the file changes is restarted (a new spec.session), not rejected.
import { clone, create, equals } from "@bufbuild/protobuf";
import type { Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import {
  ServicePhase,
  ServiceSpecSchema,
  ServiceSpec_CommandsSchema,
  TaskSpecSchema,
  type AutomationsFile,
  type AutomationsFile_Service,
  type AutomationsFile_Task,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import { invalidArgument } from "../../errors.js";
import type { HandlerDeps } from "../../handler-deps.js";
import { recordsWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import { newServiceRecord, newTaskRecord, type NewAutomation } from "./automation-creation.js";
import { removeService, removeTask } from "./automation-writes.js";
import { findCycle, type AutomationGraph } from "./execution-plan.js";
import { referenceKey, serviceRecords, services, taskRecords, tasks, type Placement, type ServiceRecord, type TaskRecord } from "./records.js";
import { isBeingDeleted } from "./service-lifecycle.js";
import { roleFromFile, triggerFromFile } from "./triggers.js";

export interface AppliedAutomationsFile {
  updatedServiceIds: string[];
  updatedTaskIds: string[];
}

const q = (key: string) => JSON.stringify(key);

/** Rejects depends_on keys the file does not declare (or declares twice, as service and task), and cycles. */
function checkDependencies(file: AutomationsFile, field: string): void {
  const graph: AutomationGraph = new Map();
  for (const [key, task] of Object.entries(file.tasks)) {
    task.dependsOn.forEach((dep, i) => {
      const path = `${field}.tasks[${q(key)}].depends_on[${i}]`;
      const isService = dep in file.services;
      const isTask = dep in file.tasks;
      if (!isService && !isTask) throw invalidArgument(path, `${q(dep)} is not a service or task of the file`);
      if (isService && isTask) throw invalidArgument(path, `${q(dep)} names both a service and a task of the file`);
    });
    graph.set(key, { id: key, kind: "task", reference: key, label: key, dependsOn: task.dependsOn.filter((d) => d in file.tasks) });
  }
  for (const key of graph.keys()) {
    const cycle = findCycle(graph, key);
    if (cycle) throw invalidArgument(`${field}.tasks[${q(key)}].depends_on`, `dependency cycle: ${cycle.join(" → ")}`);
  }
}

function serviceParts(key: string, s: AutomationsFile_Service, field: string) {
  const path = `${field}.services[${q(key)}]`;
  if (!s.commands?.start) throw invalidArgument(`${path}.commands.start`, "required: the command that runs the service");
  return {
    metadata: {
      reference: key,
      name: s.name,
      description: s.description,
      triggeredBy: s.triggeredBy.map((t, i) => triggerFromFile(t, `${path}.triggered_by[${i}]`)),
      role: roleFromFile(s.role, `${path}.role`),
    },
    commands: create(ServiceSpec_CommandsSchema, { start: s.commands.start, ready: s.commands.ready, stop: s.commands.stop }),
  };
}

function taskParts(key: string, t: AutomationsFile_Task, field: string) {
  const path = `${field}.tasks[${q(key)}]`;
  return {
    metadata: {
      reference: key,
      name: t.name,
      description: t.description,
      triggeredBy: t.triggeredBy.map((name, i) => triggerFromFile(name, `${path}.triggered_by[${i}]`)),
    },
  };
}

type FileBase = NewAutomation & { organizationId: string };

async function upsertService(tx: Transaction, base: FileBase, key: string, s: AutomationsFile_Service, field: string, newId: () => string): Promise<{ id: string; created: boolean }> {
  const { organizationId } = base;
  const { metadata, commands } = serviceParts(key, s, field);
  let existing = await serviceRecords.find(tx, organizationId, referenceKey(base.placement.environmentId, key));
  if (existing && isBeingDeleted(existing)) {
    // A service on its way out is replaced by a new one.
    await removeService(tx, organizationId, existing.service.id);
    existing = undefined;
  }
  if (!existing) {
    const id = newId();
    const spec = { commands, ...(s.runsOn ? { runsOn: s.runsOn } : {}), ...(s.readinessTimeout ? { readinessTimeout: s.readinessTimeout } : {}) };
    await serviceRecords.insert(tx, organizationId, id, newServiceRecord({ ...base, id }, metadata, spec));
    return { id, created: true };
  }
  const service = existing.service;
  Object.assign(service.metadata!, { name: metadata.name, description: metadata.description, triggeredBy: metadata.triggeredBy, role: metadata.role });
  const spec = clone(ServiceSpecSchema, service.spec!);
  spec.commands = commands;
  spec.runsOn = s.runsOn;
  spec.readinessTimeout = s.readinessTimeout;
  if (!equals(ServiceSpecSchema, spec, service.spec!)) {
    spec.specVersion += 1n;
    const phase = service.status?.phase;
    // Running on the old spec: a new session restarts it on the new one.
    if (phase === ServicePhase.STARTING || phase === ServicePhase.RUNNING) spec.session = newId();
  }
  service.spec = spec;
  await tx.collection(services).update(service.id, existing, { organizationId });
  return { id: service.id, created: false };
}

async function upsertTask(
  tx: Transaction,
  base: FileBase,
  id: string,
  existing: TaskRecord | undefined,
  key: string,
  t: AutomationsFile_Task,
  dependsOn: string[],
  field: string,
): Promise<void> {
  const { metadata } = taskParts(key, t, field);
  const spec = { command: t.command, prebuildRequiresSuccess: t.prebuildRequiresSuccess, ...(t.runsOn ? { runsOn: t.runsOn } : {}) };
  if (!existing) {
    await taskRecords.insert(tx, base.organizationId, id, newTaskRecord({ ...base, id }, metadata, spec, dependsOn));
    return;
  }
  const task = existing.task;
  Object.assign(task.metadata!, { name: metadata.name, description: metadata.description, triggeredBy: metadata.triggeredBy });
  const next = clone(TaskSpecSchema, task.spec ?? create(TaskSpecSchema));
  next.command = spec.command;
  next.prebuildRequiresSuccess = spec.prebuildRequiresSuccess;
  next.runsOn = t.runsOn;
  task.spec = next;
  task.dependsOn = dependsOn;
  await tx.collection(tasks).update(id, existing, { organizationId: base.organizationId });
}

/**
 * Applies `file` to the environment in the caller's transaction; `creator` becomes the creator of
 * what it creates, `field` prefixes the paths in errors.
 */
export async function upsertAutomationsFile(
  tx: Transaction,
  deps: HandlerDeps,
  creator: Subject,
  env: Environment,
  file: AutomationsFile,
  field = "automations_file",
): Promise<AppliedAutomationsFile> {
  checkDependencies(file, field);
  const organizationId = env.metadata?.organizationId ?? "";
  const placement: Placement = { environmentId: env.id, runnerId: env.metadata?.runnerId ?? "" };
  const base: FileBase = { id: "", placement, creator, now: deps.clock.now(), fromAutomationsFile: true, organizationId };
  const newId = () => deps.ids.newId();

  const serviceIds = new Map<string, string>();
  for (const [key, s] of Object.entries(file.services)) {
    const { id } = await upsertService(tx, base, key, s, field, newId);
    serviceIds.set(key, id);
  }

  const existingTasks = new Map<string, TaskRecord | undefined>();
  const taskIds = new Map<string, string>();
  for (const key of Object.keys(file.tasks)) {
    const existing = await taskRecords.find(tx, organizationId, referenceKey(env.id, key));
    existingTasks.set(key, existing);
    taskIds.set(key, existing?.task.id ?? newId());
  }
  for (const [key, t] of Object.entries(file.tasks)) {
    const dependsOn = [...new Set(t.dependsOn.map((d) => serviceIds.get(d) ?? taskIds.get(d)!))];
    await upsertTask(tx, base, taskIds.get(key)!, existingTasks.get(key), key, t, dependsOn, field);
  }

  const keptServices = new Set(serviceIds.values());
  const keptTasks = new Set(taskIds.values());
  const stale = (r: ServiceRecord | TaskRecord, id: string, environmentId: string, kept: Set<string>) =>
    environmentId === env.id && r.fromAutomationsFile && !kept.has(id);
  for (const r of await recordsWhere(tx, services, organizationId, (v) => stale(v, v.service.id, v.service.environmentId, keptServices)))
    await removeService(tx, organizationId, r.id);
  for (const r of await recordsWhere(tx, tasks, organizationId, (v) => stale(v, v.task.id, v.task.environmentId, keptTasks)))
    await removeTask(tx, organizationId, r.id);

  return { updatedServiceIds: [...serviceIds.values()], updatedTaskIds: [...taskIds.values()] };
}
