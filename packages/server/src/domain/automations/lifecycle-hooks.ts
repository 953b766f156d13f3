// What an environment's lifecycle means for its automations — the hooks the environment driver
// calls inside its step transactions:
// - machine_started, devcontainer_started, environment_started: fire the triggers of that point;
// - stopping, stopped: the environment shuts down; its services stop at once (desired STOPPED,
//   phase STOPPED) and its unfinished task executions are STOPPED;
// - the project's automations file is applied (as UpsertAutomationsFile does), after checking it
//   against the schema's rules, which request validation applies to API calls only.
import { createValidator } from "@bufbuild/protovalidate";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { TaskExecutionPhase, AutomationsFileSchema, type AutomationsFile } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import type { Subject } from "@gitpod-connect/schema/gitpod/v1/identity";
import { invalidArgument } from "../../errors.js";
import type { HandlerDeps } from "../../handler-deps.js";
import { recordsWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import type { LifecyclePoint } from "../environments/index.js";
import { upsertAutomationsFile, type AppliedAutomationsFile } from "./automations-file.js";
import { services, taskExecutions } from "./records.js";
import { stopWithEnvironment } from "./service-lifecycle.js";
import { isFinished, stopExecution } from "./task-execution-lifecycle.js";
import { fireTriggers } from "./trigger-firing.js";
import { triggersAt } from "./triggers.js";

const validator = createValidator();

/** Applies an automations file to the environment, as UpsertAutomationsFile does (invalid_argument for a file breaking the schema's rules). */
export async function applyAutomationsFile(
  tx: Transaction,
  deps: HandlerDeps,
  creator: Subject,
  environment: Environment,
  file: AutomationsFile,
): Promise<AppliedAutomationsFile> {
  const result = validator.validate(AutomationsFileSchema, file);
  if (result.kind === "invalid") {
    const v = result.violations[0]!;
    throw invalidArgument(`automations_file.${pathToString(v.field)}`, v.message);
  }
  if (result.kind === "error") throw result.error;
  return upsertAutomationsFile(tx, deps, creator, environment, file);
}

/** Reacts to a point of the environment's lifecycle: starts what is triggered there, stops what must stop. */
export async function onLifecyclePoint(tx: Transaction, deps: HandlerDeps, environment: Environment, point: LifecyclePoint): Promise<void> {
  if (point === "stopping" || point === "stopped") return stopAutomationsOf(tx, deps, environment);
  await fireTriggers(tx, deps, environment, triggersAt(point, environment));
}

async function stopAutomationsOf(tx: Transaction, deps: HandlerDeps, env: Environment): Promise<void> {
  const organizationId = env.metadata?.organizationId ?? "";
  for (const { id, value } of await recordsWhere(tx, services, organizationId, (r) => r.service.environmentId === env.id)) {
    if (stopWithEnvironment(value)) await tx.collection(services).update(id, value, { organizationId });
  }
  const running = await recordsWhere(tx, taskExecutions, organizationId, (r) => r.execution.metadata?.environmentId === env.id && !isFinished(r.execution));
  for (const { id, value } of running) {
    value.execution.spec!.desiredPhase = TaskExecutionPhase.STOPPED;
    stopExecution(value.execution, deps.clock.now());
    await tx.collection(taskExecutions).update(id, value, { organizationId });
  }
}
