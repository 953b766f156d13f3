// The read-modify-write every changing EnvironmentService RPC shares: find the environment in the
// caller's organization (not being deleted), change a copy of its record, write it back in the same
// transaction.
import type { Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import type { Caller } from "../../auth/caller.js";
import { findChangeableEnvironment, findEnvironment } from "../../domain/environments/index.js";
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";
import { environments, type EnvironmentRecord } from "../../domain/environments/index.js";

export interface ChangeOptions {
  /** Words for the error when the environment is being deleted, e.g. "start it"; absent: deleting ones may change too. */
  action?: string;
}

/**
 * Applies `change` to the caller's environment `id`; `change` returns whether it changed anything
 * (nothing is written otherwise). Runs in one transaction, so concurrent changes serialise.
 */
export function changeEnvironment(
  deps: HandlerDeps,
  caller: Caller,
  id: string,
  change: (env: Environment, tx: Transaction, record: EnvironmentRecord) => boolean | Promise<boolean>,
  options: ChangeOptions = {},
): Promise<Environment> {
  return deps.store.transaction(async (tx) => {
    const record =
      options.action === undefined ? await findEnvironment(tx, caller, id) : await findChangeableEnvironment(tx, caller, id, options.action);
    const next = record.value;
    const env = next.environment;
    if (await change(env, tx, next)) await tx.collection(environments).update(id, next, { organizationId: caller.organizationId });
    return env;
  });
}
