// The state machine of a service as the simulated runner drives it. Requests (start, stop, delete)
// only change the spec; stepService makes one transition of the status towards it per call, which
// the service driver (simulation/service-driver.ts) runs once per step delay and writes.
//
//   start:   (UNSPECIFIED | STOPPED | FAILED) → STARTING → [STARTING: readiness] → RUNNING
//            the start command `false`/`exit N` → FAILED; `true`/`exit 0` → STOPPED (it exited)
//            a failing ready command keeps it STARTING (failure_message set) until
//            readiness_timeout, then FAILED; without a timeout it stays STARTING
//   stop:    (STARTING | RUNNING) → STOPPING → STOPPED (a failing stop command: FAILED)
//   restart: a new spec.session while STARTING/RUNNING → STOPPING → STOPPED → STARTING → …
//   delete:  stop first, then DELETED, then the record is removed
//
// A service that exited (STOPPED, FAILED) is not started again by itself: only a new start request
// or a new session starts it. Every status change increments status_version.
import { create } from "@bufbuild/protobuf";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { ServicePhase, ServiceStatusSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { commandFailure, commandOutcome } from "./command-outcome.js";
import type { ServiceRecord } from "./records.js";

/** The steps a failure can be injected at (simulation/failure-injections.ts). */
export type ServiceFailureStep = "start" | "ready" | "stop";

export interface ServiceStepContext {
  nowMs: number;
  /** The message of a failure injected at `step` for this service (used up by asking), if any. */
  failure(step: ServiceFailureStep): Promise<string | undefined>;
}

export interface ServiceStepResult {
  /** What happened, in words. */
  log: string;
  /** The service is deleted: remove its record (and key) for good. */
  remove?: boolean;
}

/** What the next step will do; `atMs` when it must wait until then (readiness timeout). */
export type ServiceAction =
  | { kind: "stop" | "finish-stop" | "mark-deleted" | "remove" | "start" | "launch" | "probe" }
  | { kind: "readiness-deadline"; atMs: number };

const phaseOf = (r: ServiceRecord) => r.service.status?.phase ?? ServicePhase.UNSPECIFIED;
const isActivePhase = (p: ServicePhase) => p === ServicePhase.STARTING || p === ServicePhase.RUNNING;
const sessionChanged = (r: ServiceRecord) => (r.service.status?.session ?? "") !== (r.service.spec?.session ?? "");

export const durationMs = (d: Duration | undefined) => (d ? Number(d.seconds) * 1000 + Math.floor(d.nanos / 1e6) : 0);

/** Whether the runner will start the service: asked to, or (after it exited) given a new session. */
export function needsStart(r: ServiceRecord): boolean {
  if (r.service.spec?.desiredPhase !== ServicePhase.RUNNING) return false;
  const phase = phaseOf(r);
  return r.startRequested || ((phase === ServicePhase.STOPPED || phase === ServicePhase.FAILED) && sessionChanged(r));
}

/** Whether the service is stopped for good (never started, STOPPED, FAILED) and no start is pending: then its spec may change. */
export function isAtRest(r: ServiceRecord): boolean {
  const phase = phaseOf(r);
  return (phase === ServicePhase.UNSPECIFIED || phase === ServicePhase.STOPPED || phase === ServicePhase.FAILED) && !needsStart(r);
}

export const isBeingDeleted = (r: ServiceRecord) => r.service.spec?.desiredPhase === ServicePhase.DELETED;

/** Whether the service runs or is on its way to (what a task's service step waits for). */
export function isComingUp(r: ServiceRecord): boolean {
  const phase = phaseOf(r);
  if (r.service.spec?.desiredPhase !== ServicePhase.RUNNING) return false;
  return phase === ServicePhase.STARTING || needsStart(r) || (phase === ServicePhase.STOPPING && sessionChanged(r));
}

function setDesired(r: ServiceRecord, phase: ServicePhase): boolean {
  const spec = r.service.spec!;
  if (spec.desiredPhase === phase) return false;
  spec.desiredPhase = phase;
  spec.specVersion += 1n;
  return true;
}

/** StartService's request. Returns whether anything changed (a service running or about to is left alone). */
export function requestStart(r: ServiceRecord): boolean {
  if (isBeingDeleted(r)) return false;
  if (r.service.spec?.desiredPhase === ServicePhase.RUNNING && (isActivePhase(phaseOf(r)) || isComingUp(r))) return false;
  setDesired(r, ServicePhase.RUNNING);
  if (!isActivePhase(phaseOf(r))) r.startRequested = true;
  return true;
}

/** StopService's request. Returns whether anything changed (idempotent; a service being deleted is stopping anyway). */
export function requestStop(r: ServiceRecord): boolean {
  if (isBeingDeleted(r)) return false;
  const changed = setDesired(r, ServicePhase.STOPPED) || r.startRequested;
  r.startRequested = false;
  return changed;
}

/** DeleteService's request (without force): stop, then DELETED, then gone. */
export function requestDelete(r: ServiceRecord): boolean {
  r.startRequested = false;
  return setDesired(r, ServicePhase.DELETED);
}

/** The service's environment shuts down: it stops at once, and stays stopped until started again. */
export function stopWithEnvironment(r: ServiceRecord): boolean {
  const phase = phaseOf(r);
  let changed = r.startRequested;
  r.startRequested = false;
  delete r.starting;
  if (r.service.spec?.desiredPhase === ServicePhase.RUNNING) changed = setDesired(r, ServicePhase.STOPPED) || changed;
  if (isActivePhase(phase) || phase === ServicePhase.STOPPING) changed = report(r, ServicePhase.STOPPED, r.service.status?.failureMessage ?? "") || changed;
  return changed;
}

/** Sets the status phase and failure message; increments status_version when either changed. */
export function report(r: ServiceRecord, phase: ServicePhase, failureMessage = ""): boolean {
  const status = (r.service.status ??= create(ServiceStatusSchema));
  if (status.phase === phase && status.failureMessage === failureMessage) return false;
  status.phase = phase;
  status.failureMessage = failureMessage;
  status.statusVersion += 1n;
  return true;
}

/** What the next step of the service does; undefined when it is settled. */
export function nextServiceAction(r: ServiceRecord): ServiceAction | undefined {
  const phase = phaseOf(r);
  const desired = r.service.spec?.desiredPhase;
  if (phase === ServicePhase.STOPPING) return { kind: "finish-stop" };
  if (desired === ServicePhase.DELETED) return { kind: isActivePhase(phase) ? "stop" : phase === ServicePhase.DELETED ? "remove" : "mark-deleted" };
  if (desired !== ServicePhase.RUNNING) return isActivePhase(phase) ? { kind: "stop" } : undefined;
  if (isActivePhase(phase) && sessionChanged(r)) return { kind: "stop" };
  if (phase === ServicePhase.STARTING) {
    if (!r.starting?.launched) return { kind: "launch" };
    if (!r.service.status?.failureMessage) return { kind: "probe" };
    const timeoutMs = durationMs(r.service.spec?.readinessTimeout);
    return timeoutMs > 0 ? { kind: "readiness-deadline", atMs: r.starting.sinceMs + timeoutMs } : undefined;
  }
  if (phase === ServicePhase.RUNNING) return undefined;
  return needsStart(r) ? { kind: "start" } : undefined;
}

/**
 * Makes one transition of the service (a copy the caller writes back) towards its spec; undefined
 * when there is nothing to do now.
 */
export async function stepService(r: ServiceRecord, ctx: ServiceStepContext): Promise<ServiceStepResult | undefined> {
  const action = nextServiceAction(r);
  if (!action) return undefined;
  const commands = r.service.spec?.commands;
  switch (action.kind) {
    case "stop":
      delete r.starting;
      report(r, ServicePhase.STOPPING);
      return { log: "stopping" };
    case "finish-stop": {
      const failure = commandFailure("stop command", commands?.stop ?? "") ?? (await ctx.failure("stop"));
      report(r, failure ? ServicePhase.FAILED : ServicePhase.STOPPED, failure);
      return { log: failure ? `stop failed: ${failure}` : "stopped" };
    }
    case "mark-deleted":
      report(r, ServicePhase.DELETED, r.service.status?.failureMessage ?? "");
      return { log: "deleted" };
    case "remove":
      return { log: "removed", remove: true };
    case "start":
      r.startRequested = false;
      r.starting = { sinceMs: ctx.nowMs, launched: false };
      r.service.status = r.service.status ?? create(ServiceStatusSchema);
      r.service.status.session = r.service.spec?.session ?? "";
      report(r, ServicePhase.STARTING);
      return { log: "starting" };
    case "launch":
      return launch(r, commands?.start ?? "", commands?.ready ?? "", ctx);
    case "probe":
      return probe(r, commands?.ready ?? "", ctx);
    case "readiness-deadline":
      if (ctx.nowMs < action.atMs) return undefined;
      delete r.starting;
      report(r, ServicePhase.FAILED, `not ready within ${durationMs(r.service.spec?.readinessTimeout) / 1000}s: ${r.service.status?.failureMessage ?? ""}`);
      return { log: "readiness timeout" };
  }
}

async function launch(r: ServiceRecord, start: string, ready: string, ctx: ServiceStepContext): Promise<ServiceStepResult> {
  const failure = commandFailure("start command", start) ?? (await ctx.failure("start"));
  if (failure) {
    delete r.starting;
    report(r, ServicePhase.FAILED, failure);
    return { log: `start failed: ${failure}` };
  }
  if (commandOutcome(start).kind === "exits") {
    delete r.starting;
    report(r, ServicePhase.STOPPED);
    return { log: "start command exited with code 0" };
  }
  if (ready.trim() !== "") {
    r.starting = { sinceMs: r.starting?.sinceMs ?? ctx.nowMs, launched: true };
    return { log: "start command runs; checking readiness" };
  }
  delete r.starting;
  report(r, ServicePhase.RUNNING);
  return { log: "running" };
}

async function probe(r: ServiceRecord, ready: string, ctx: ServiceStepContext): Promise<ServiceStepResult> {
  const injected = await ctx.failure("ready");
  if (injected) {
    delete r.starting;
    report(r, ServicePhase.FAILED, injected);
    return { log: `readiness failed: ${injected}` };
  }
  const failure = commandFailure("ready command", ready);
  if (failure) {
    // Still starting: the probe runs again and again; the message says why it is not ready yet.
    report(r, ServicePhase.STARTING, failure);
    return { log: `not ready: ${failure}` };
  }
  delete r.starting;
  report(r, ServicePhase.RUNNING);
  return { log: "ready; running" };
}
