// What belongs to a runner and goes when the runner is deleted: its environment classes,
// policies, SCM integrations, LLM integrations, host authentication tokens and the tokens issued
// for it. Removed in the transaction that marks the runner deleted, so no one sees a half-deleted
// runner.
import type { TokenStore } from "../../auth/token-store.js";
import { environmentClasses } from "../environment-classes/index.js";
import { runnerPolicies } from "./records.js";
import { deleteWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import { deleteHostTokensWhere, deleteScmIntegrationsWhere } from "../scm/index.js";
import { deleteLlmIntegrationsOf } from "../llm-integrations/index.js";
import { revokeRunnerCredentials } from "./runner-credentials.js";

/** Deletes everything of the runner; run it inside the transaction that deletes or marks the runner. */
export async function deleteRunnerChildren(tx: Transaction, tokens: TokenStore, organizationId: string, runnerId: string): Promise<void> {
  await deleteWhere(tx, environmentClasses, organizationId, (c) => c.runnerId === runnerId);
  await deleteWhere(tx, runnerPolicies, organizationId, (p) => p.runnerId === runnerId);
  await deleteScmIntegrationsWhere(tx, organizationId, (i) => i.runnerId === runnerId);
  await deleteHostTokensWhere(tx, organizationId, (t) => t.runnerId === runnerId);
  await deleteLlmIntegrationsOf(tx, organizationId, runnerId);
  await revokeRunnerCredentials(tx, tokens, organizationId, runnerId);
}
