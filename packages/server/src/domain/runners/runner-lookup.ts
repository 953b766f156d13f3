// Finding the runner a call names, and what a runner (calling with its own token) may do — for
// RunnerService and RunnerConfigurationService alike.
//
// Users and service accounts of the organization may do everything RunnerService offers. A runner
// principal may read only itself (GetRunner, ListRunners show just its own runner) and use the
// SCM RPCs and CreateRunnerLogsToken for itself; everything else is permission_denied. In
// RunnerConfigurationService a runner manages only its own runner's configuration: naming another
// runner is permission_denied, another runner's records are not_found and left out of lists.
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { Caller } from "../../auth/caller.js";
import { runners } from "./records.js";
import { notFound, permissionDenied } from "../../errors.js";
import type { StoredRecord, Transaction } from "../../store/store.js";
import { assertNotGoingAway, isGone } from "./runner-lifecycle.js";

export function isRunnerCaller(caller: Caller): boolean {
  return caller.subject.principal === Principal.RUNNER;
}

/** permission_denied when a runner principal calls: `action` is for users. */
export function denyRunnerCaller(caller: Caller, action: string): void {
  if (isRunnerCaller(caller)) throw permissionDenied(`a runner may not ${action}; use a user's or service account's token`);
}

/** Whether the caller may act on (or see what belongs to) the runner: always, unless it is another runner. */
export function mayActOn(caller: Caller, runnerId: string): boolean {
  return !isRunnerCaller(caller) || caller.subject.id === runnerId;
}

/** The runner a runner principal is restricted to (lists show only its own things), or undefined for everyone else. */
export function ownRunnerOnly(caller: Caller): string | undefined {
  return isRunnerCaller(caller) ? caller.subject.id : undefined;
}

/** permission_denied when a runner principal names another runner than itself. */
export function assertOwnRunner(caller: Caller, runnerId: string): void {
  if (!mayActOn(caller, runnerId)) throw permissionDenied(`a runner may only act on itself, not on runner ${JSON.stringify(runnerId)}`);
}

/**
 * The runner's record in the organization; not_found when there is none, when it belongs to another
 * organization, or when its deletion has completed. A gone runner's record stays in the store (it is
 * never returned): purging it here would be rolled back with the caller's transaction when the
 * not_found is thrown, and every reader skips it (`isGone`) anyway.
 */
export async function findRunner(tx: Transaction, nowMs: number, organizationId: string, runnerId: string): Promise<StoredRecord<Runner>> {
  const record = await tx.collection(runners).get(runnerId, { organizationId });
  if (!record || isGone(record.value, nowMs)) throw notFound("runner", runnerId);
  return record;
}

/** The runner a call names, for the caller: permission_denied for another runner than a runner caller itself, else as `findRunner`. */
export async function findOwnRunner(tx: Transaction, nowMs: number, caller: Caller, runnerId: string): Promise<Runner> {
  assertOwnRunner(caller, runnerId);
  return (await findRunner(tx, nowMs, caller.organizationId, runnerId)).value;
}

/**
 * The runner something new is done with (an SCM call, a token, a policy, a configuration record):
 * as `findOwnRunner`, and not being deleted (failed_precondition). Call it in the transaction that
 * writes, so a concurrent DeleteRunner cannot slip in between.
 */
export async function findUsableRunner(tx: Transaction, nowMs: number, caller: Caller, runnerId: string, action: string): Promise<Runner> {
  const runner = await findOwnRunner(tx, nowMs, caller, runnerId);
  assertNotGoingAway(runner, action);
  return runner;
}
