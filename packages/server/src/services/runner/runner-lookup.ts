// Finding the runner a call names, and what a runner (calling with its own token) may do.
//
// Users and service accounts of the organization may do everything RunnerService offers. A runner
// principal may read only itself (GetRunner, ListRunners show just its own runner) and use the
// SCM RPCs and CreateRunnerLogsToken for itself; everything else is permission_denied.
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { Caller } from "../../auth/caller.js";
import { runners } from "../../collections.js";
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

/** permission_denied when a runner principal names another runner than itself. */
export function assertOwnRunner(caller: Caller, runnerId: string): void {
  if (isRunnerCaller(caller) && caller.subject.id !== runnerId)
    throw permissionDenied(`a runner may only act on itself, not on runner ${JSON.stringify(runnerId)}`);
}

/**
 * The runner's record in the organization; not_found when there is none, when it belongs to another
 * organization, or when its deletion has completed (such a record is purged here).
 */
export async function findRunner(tx: Transaction, nowMs: number, organizationId: string, runnerId: string): Promise<StoredRecord<Runner>> {
  const record = await tx.collection(runners).get(runnerId, { organizationId });
  if (record && isGone(record.value, nowMs)) {
    await tx.collection(runners).delete(runnerId, { organizationId, expectVersion: record.version }).catch(() => undefined);
    throw notFound("runner", runnerId);
  }
  if (!record) throw notFound("runner", runnerId);
  return record;
}

/**
 * The runner an SCM call or logs token names: the caller's own (for a runner principal), existing,
 * and not being deleted (failed_precondition).
 */
export async function findUsableRunner(tx: Transaction, nowMs: number, caller: Caller, runnerId: string, action: string): Promise<Runner> {
  assertOwnRunner(caller, runnerId);
  const runner = (await findRunner(tx, nowMs, caller.organizationId, runnerId)).value;
  assertNotGoingAway(runner, action);
  return runner;
}
