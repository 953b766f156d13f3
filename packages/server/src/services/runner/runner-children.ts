// What belongs to a runner and goes when the runner is deleted: its environment classes,
// policies, SCM integrations, host authentication tokens and the tokens issued for it. Removed in
// the transaction that marks the runner deleted, so no one sees a half-deleted runner.
import type { TokenStore } from "../../auth/token-store.js";
import {
  environmentClasses,
  hostAuthenticationTokens,
  runnerPolicies,
  scmIntegrations,
} from "../../collections.js";
import type { CollectionSpec, Transaction } from "../../store/store.js";
import { revokeRunnerCredentials } from "./runner-credentials.js";
import { recordsWhere } from "./store-scan.js";

async function deleteWhere<T>(tx: Transaction, spec: CollectionSpec<T>, organizationId: string, match: (value: T) => boolean): Promise<void> {
  for (const r of await recordsWhere(tx, spec, organizationId, match)) await tx.collection(spec).delete(r.id, { organizationId });
}

/** Deletes everything of the runner; run it inside the transaction that deletes or marks the runner. */
export async function deleteRunnerChildren(tx: Transaction, tokens: TokenStore, organizationId: string, runnerId: string): Promise<void> {
  await deleteWhere(tx, environmentClasses, organizationId, (c) => c.runnerId === runnerId);
  await deleteWhere(tx, runnerPolicies, organizationId, (p) => p.runnerId === runnerId);
  await deleteWhere(tx, scmIntegrations, organizationId, (i) => i.integration.runnerId === runnerId);
  await deleteWhere(tx, hostAuthenticationTokens, organizationId, (t) => t.token.runnerId === runnerId);
  await revokeRunnerCredentials(tx, tokens, organizationId, runnerId);
}
