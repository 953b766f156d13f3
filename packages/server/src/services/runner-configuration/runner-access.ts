// The runner a configuration call names: it must exist in the caller's organization.
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerPhase } from "@gitpod-connect/schema/gitpod/v1/runner";
import { runners } from "../../collections.js";
import { failedPrecondition, notFound } from "../../errors.js";
import type { Transaction } from "../../store/store.js";

/** The runner, or not_found (also for a runner of another organization). */
export async function requireRunner(store: Transaction, organizationId: string, runnerId: string): Promise<Runner> {
  const record = await store.collection(runners).get(runnerId, { organizationId });
  if (!record) throw notFound("runner", runnerId);
  return record.value;
}

const goingAway = new Set([RunnerPhase.DELETING, RunnerPhase.DELETED]);

/** Whether the runner is being (or has been) deleted. */
export function isRunnerGoingAway(runner: Runner): boolean {
  return goingAway.has(runner.spec?.desiredPhase ?? RunnerPhase.UNSPECIFIED) || goingAway.has(runner.status?.phase ?? RunnerPhase.UNSPECIFIED);
}

/** failed_precondition when the runner is being deleted: nothing new may be configured on it. */
export function assertRunnerConfigurable(runner: Runner): void {
  if (isRunnerGoingAway(runner)) {
    throw failedPrecondition(`runner ${JSON.stringify(runner.runnerId)} is being deleted; it cannot be configured any more`);
  }
}
