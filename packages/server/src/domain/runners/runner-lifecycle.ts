// The phases a runner goes through on this server. There is no runner software behind a runner
// here, so the transitions the runner itself would report are driven by the server and its clock:
//
//   CreateRunner            status CREATED: registered, waiting for the runner to connect
//   DeleteRunner            spec DELETED, status DELETING: the runner is asked to shut down; its
//                           environment classes, policies, SCM and LLM integrations, host tokens
//                           and runner tokens are removed at once
//   DELETING + 30 s         gone: the runner never reports back, so after the grace period it is
//                           treated as deleted (not_found, left out of lists) and the simulated
//                           runner (simulation/runner-driver.ts) removes its record
//   DeleteRunner force      removed at once, without the grace period
import { create } from "@bufbuild/protobuf";
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { RunnerPhase, RunnerSpecSchema, RunnerStatusSchema, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { failedPrecondition } from "../../errors.js";

/** How long a runner stays DELETING after a (non-forced) DeleteRunner before it is gone. */
export const deletionGraceMs = 30_000;

export const createdMessage = "registered; waiting for the runner to connect";
const deletingMessage = "deletion requested; the runner is shutting down";

const goingAway: ReadonlySet<RunnerPhase> = new Set([RunnerPhase.DELETING, RunnerPhase.DELETED]);

/** Whether the runner is being deleted (desired or reported): nothing new may be done with it. */
export function isGoingAway(runner: Runner): boolean {
  return goingAway.has(runner.spec?.desiredPhase ?? RunnerPhase.UNSPECIFIED) || goingAway.has(runner.status?.phase ?? RunnerPhase.UNSPECIFIED);
}

function ms(t: Timestamp | undefined): number {
  return t ? timestampMs(t) : 0;
}

/** Whether the runner's deletion has completed at `nowMs` (then callers see not_found). */
export function isGone(runner: Runner, nowMs: number): boolean {
  const phase = runner.status?.phase;
  if (phase === RunnerPhase.DELETED) return true;
  return phase === RunnerPhase.DELETING && ms(runner.status?.updatedAt) + deletionGraceMs <= nowMs;
}

/** failed_precondition when the runner is being deleted. */
export function assertNotGoingAway(runner: Runner, action: string): void {
  if (isGoingAway(runner))
    throw failedPrecondition(`runner ${JSON.stringify(runner.runnerId)} is being deleted; cannot ${action}`);
}

/** Marks `runner` (a copy) as being deleted at `now`. */
export function markDeleting(runner: Runner, now: Timestamp): void {
  (runner.spec ??= create(RunnerSpecSchema)).desiredPhase = RunnerPhase.DELETED;
  const status = (runner.status ??= create(RunnerStatusSchema));
  status.phase = RunnerPhase.DELETING;
  status.message = deletingMessage;
  status.updatedAt = now;
  runner.updatedAt = now;
}
