// The state machine of a task execution as the simulated runner drives it: one call of
// stepTaskExecution makes one transition, which the driver (simulation/task-execution-driver.ts)
// runs once per step delay and writes.
//
//   PENDING → RUNNING (started_at; the first group's steps RUNNING)
//           → the group's steps SUCCEEDED → the next group's steps RUNNING → … → SUCCEEDED
//   a task step runs its captured command: `false`/`exit N` (N ≠ 0) or an injected `run` failure
//   fail it; a service step starts its service (if needed) and succeeds once the service runs,
//   failing when it fails, stops or goes away — meanwhile the step waits.
//   a failed step fails the execution at once (failure_message; steps still waiting: STOPPED);
//   later groups never start (their steps stay missing from status.steps).
//   desired STOPPED: every started, unfinished step and the execution STOPPED.
// Finishing sets completed_at. Every status change increments status_version.
import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  ServicePhase,
  TaskExecutionPhase,
  TaskExecutionStatusSchema,
  TaskExecutionStatus_StepSchema,
  type TaskExecution,
  type TaskExecutionSpec_Step,
  type TaskExecutionStatus,
  type TaskExecutionStatus_Step,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { commandFailure } from "./command-outcome.js";
import type { ServiceRecord } from "./records.js";
import { isBeingDeleted, isComingUp } from "./service-lifecycle.js";

export interface ExecutionStepContext {
  now: Timestamp;
  /** The message of a `run` failure injected for the task (used up by asking), if any. */
  failure(taskId: string): Promise<string | undefined>;
  /** The service a step deals with; undefined once it is gone. */
  service(serviceId: string): Promise<ServiceRecord | undefined>;
  /** Asks the service to start (as StartService does). */
  startService(serviceId: string): Promise<void>;
}

export interface ExecutionStepResult {
  log: string;
  /** Whether the execution changed (and must be written). */
  changed: boolean;
  /** Services whose change the execution waits for. */
  waitingOn: string[];
}

const finishedPhases: ReadonlySet<TaskExecutionPhase> = new Set([TaskExecutionPhase.SUCCEEDED, TaskExecutionPhase.FAILED, TaskExecutionPhase.STOPPED]);

export const isFinished = (x: TaskExecution) => finishedPhases.has(x.status?.phase ?? TaskExecutionPhase.UNSPECIFIED);

/** Whether a step runs (or waits) now. */
const isUnfinishedStep = (s: TaskExecutionStatus_Step) => !finishedPhases.has(s.phase);

function statusOf(x: TaskExecution): TaskExecutionStatus {
  return (x.status ??= create(TaskExecutionStatusSchema, { phase: TaskExecutionPhase.PENDING }));
}

function finish(x: TaskExecution, phase: TaskExecutionPhase, now: Timestamp, failureMessage = ""): void {
  const status = statusOf(x);
  status.phase = phase;
  status.failureMessage = failureMessage;
  x.metadata!.completedAt = now;
}

/** Stops the execution now, with its started, unfinished steps (StopTaskExecution, its environment stopping). Returns whether it changed. */
export function stopExecution(x: TaskExecution, now: Timestamp): boolean {
  if (isFinished(x)) return false;
  const status = statusOf(x);
  for (const s of status.steps) if (isUnfinishedStep(s)) s.phase = TaskExecutionPhase.STOPPED;
  finish(x, TaskExecutionPhase.STOPPED, now);
  status.statusVersion += 1n;
  return true;
}

/** Makes one transition of the execution (a copy the caller writes back); undefined when it is finished. */
export async function stepTaskExecution(x: TaskExecution, ctx: ExecutionStepContext): Promise<ExecutionStepResult | undefined> {
  if (isFinished(x)) return undefined;
  if (x.spec?.desiredPhase === TaskExecutionPhase.STOPPED) {
    stopExecution(x, ctx.now);
    return { log: "stopped", changed: true, waitingOn: [] };
  }
  const status = statusOf(x);
  const plan = x.spec?.plan ?? [];
  if (status.phase !== TaskExecutionPhase.RUNNING) {
    status.phase = TaskExecutionPhase.RUNNING;
    x.metadata!.startedAt = ctx.now;
    await startGroup(status, plan[0]?.steps ?? [], ctx);
    status.statusVersion += 1n;
    return { log: "running", changed: true, waitingOn: [] };
  }
  const started = new Map(status.steps.map((s) => [s.id, s]));
  const current = plan.findIndex((g) => g.steps.some((s) => started.get(s.id)?.phase !== TaskExecutionPhase.SUCCEEDED));
  if (current < 0) {
    finish(x, TaskExecutionPhase.SUCCEEDED, ctx.now);
    status.statusVersion += 1n;
    return { log: "succeeded", changed: true, waitingOn: [] };
  }
  const group = plan[current]!.steps;
  if (group.some((s) => !started.has(s.id))) {
    await startGroup(status, group.filter((s) => !started.has(s.id)), ctx);
    status.statusVersion += 1n;
    return { log: `group ${current + 1} running`, changed: true, waitingOn: [] };
  }
  return completeGroup(x, group, current === plan.length - 1, started, ctx);
}

async function startGroup(status: TaskExecutionStatus, steps: readonly TaskExecutionSpec_Step[], ctx: ExecutionStepContext): Promise<void> {
  for (const step of steps) {
    status.steps.push(create(TaskExecutionStatus_StepSchema, { id: step.id, phase: TaskExecutionPhase.RUNNING }));
    if (step.step.case === "serviceId") await ctx.startService(step.step.value);
  }
}

/** Finishes what the running group can finish now. */
async function completeGroup(
  x: TaskExecution,
  group: readonly TaskExecutionSpec_Step[],
  last: boolean,
  started: Map<string, TaskExecutionStatus_Step>,
  ctx: ExecutionStepContext,
): Promise<ExecutionStepResult> {
  const status = statusOf(x);
  const waitingOn: string[] = [];
  let changed = false;
  let failed: { step: TaskExecutionSpec_Step; message: string } | undefined;
  for (const step of group) {
    const progress = started.get(step.id)!;
    if (!isUnfinishedStep(progress)) continue;
    const outcome = await stepOutcome(step, ctx);
    if (outcome === "waiting") {
      if (step.step.case === "serviceId") waitingOn.push(step.step.value);
      continue;
    }
    changed = true;
    progress.phase = outcome.failure ? TaskExecutionPhase.FAILED : TaskExecutionPhase.SUCCEEDED;
    progress.failureMessage = outcome.failure ?? "";
    if (outcome.failure && !failed) failed = { step, message: outcome.failure };
  }
  if (failed) {
    for (const s of status.steps) if (isUnfinishedStep(s)) s.phase = TaskExecutionPhase.STOPPED;
    finish(x, TaskExecutionPhase.FAILED, ctx.now, `${failed.step.label}: ${failed.message}`);
    status.statusVersion += 1n;
    return { log: `failed: ${failed.message}`, changed: true, waitingOn: [] };
  }
  if (waitingOn.length === 0 && last) {
    finish(x, TaskExecutionPhase.SUCCEEDED, ctx.now);
    changed = true;
  }
  if (changed) status.statusVersion += 1n;
  return { log: waitingOn.length > 0 ? "waiting for services" : last ? "succeeded" : "group succeeded", changed, waitingOn };
}

async function stepOutcome(step: TaskExecutionSpec_Step, ctx: ExecutionStepContext): Promise<"waiting" | { failure?: string }> {
  if (step.step.case === "task") {
    const task = step.step.value;
    const failure = commandFailure("command", task.spec?.command ?? "") ?? (await ctx.failure(task.id));
    return failure ? { failure } : {};
  }
  if (step.step.case !== "serviceId") return {};
  const service = await ctx.service(step.step.value);
  if (!service || isBeingDeleted(service)) return { failure: `service ${JSON.stringify(step.step.value)} was deleted` };
  const name = JSON.stringify(service.service.metadata?.reference ?? service.service.id);
  const status = service.service.status;
  if (status?.phase === ServicePhase.RUNNING) return {};
  if (isComingUp(service)) return "waiting";
  if (status?.phase === ServicePhase.FAILED) return { failure: `service ${name} failed: ${status.failureMessage}` };
  return { failure: `service ${name} is not running` };
}
