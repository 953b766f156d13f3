// Removing an environment for good (a deletion that completed, or DeleteEnvironment with force):
// its services, tasks and executions, the tokens issued for it, its log and its record go in one
// transaction. It lives apart from both domains because it needs both.
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";
import { removeAutomationsOf } from "../automations/index.js";
import { environmentLogs, environments, revokeEnvironmentCredentials } from "../environments/index.js";

export async function removeEnvironment(tx: Transaction, deps: HandlerDeps, organizationId: string, environmentId: string): Promise<void> {
  await removeAutomationsOf(tx, organizationId, environmentId);
  await revokeEnvironmentCredentials(tx, deps.tokens, organizationId, environmentId);
  await tx.collection(environmentLogs).delete(environmentId, { organizationId });
  await tx.collection(environments).delete(environmentId, { organizationId });
}
