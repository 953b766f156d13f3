// Finding the environment a call names, and who may see it.
//
// Every environment belongs to one organization; callers of another organization get not_found.
// Users and service accounts of the organization see all of its environments. Two principals are
// narrower: an environment (calling with an environment access token) sees only itself, and a
// runner only the environments that run on it (the principal-scope interceptor keeps both to the
// RPCs they may call at all).
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Caller } from "../../auth/caller.js";
import { failedPrecondition, notFound } from "../../errors.js";
import type { StoredRecord, Transaction } from "../../store/store.js";
import { environments, type EnvironmentRecord } from "./records.js";
import { isGoingAway } from "./environment-phases.js";

/** What a caller is restricted to in reads: its own environment, its own runner's, or nothing narrower. */
export interface EnvironmentScope {
  environmentId?: string;
  runnerId?: string;
}

export function environmentScopeOf(caller: Caller): EnvironmentScope {
  switch (caller.subject.principal) {
    case Principal.ENVIRONMENT:
      return { environmentId: caller.subject.id };
    case Principal.RUNNER:
      return { runnerId: caller.subject.id };
    default:
      return {};
  }
}

/** Whether the caller may see the environment (the organization is checked by the store scope). */
export function isVisibleTo(scope: EnvironmentScope, record: EnvironmentRecord): boolean {
  const env = record.environment;
  if (scope.environmentId !== undefined && env.id !== scope.environmentId) return false;
  if (scope.runnerId !== undefined && env.metadata?.runnerId !== scope.runnerId) return false;
  return true;
}

/**
 * The environment's record for the caller; not_found when there is none, when it belongs to another
 * organization or when the caller may not see it. `readOnly`: the caller only answers with it (see
 * ReadOptions in store.ts).
 */
export async function findEnvironment(
  tx: Transaction,
  caller: Caller,
  environmentId: string,
  options: { readOnly?: boolean } = {},
): Promise<StoredRecord<EnvironmentRecord>> {
  const record = await tx.collection(environments).get(environmentId, { organizationId: caller.organizationId, ...options });
  if (!record || !isVisibleTo(environmentScopeOf(caller), record.value)) throw notFound("environment", environmentId);
  return record;
}

/**
 * The environment something is changed on or added to: as findEnvironment, and not being deleted
 * (failed_precondition). Call it in the transaction that writes.
 */
export async function findChangeableEnvironment(
  tx: Transaction,
  caller: Caller,
  environmentId: string,
  action: string,
): Promise<StoredRecord<EnvironmentRecord>> {
  const record = await findEnvironment(tx, caller, environmentId);
  if (isGoingAway(record.value.environment))
    throw failedPrecondition(`environment ${JSON.stringify(environmentId)} is being deleted; cannot ${action}`);
  return record;
}
