// The runner a configuration call names. Runners' lifecycle belongs to RunnerService
// (services/runner/): the same lookup and the same "being deleted" rule apply here, so a runner
// whose deletion has completed is not_found from every service at the same moment.
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { Transaction } from "../../store/store.js";
import { assertNotGoingAway, isGoingAway } from "../runner/runner-lifecycle.js";
import { findRunner } from "../runner/runner-lookup.js";

/** The runner, or not_found (also for another organization's runner, or one whose deletion completed). */
export async function requireRunner(store: Transaction, nowMs: number, organizationId: string, runnerId: string): Promise<Runner> {
  return (await findRunner(store, nowMs, organizationId, runnerId)).value;
}

/** Whether the runner is being (or has been) deleted. */
export const isRunnerGoingAway = isGoingAway;

/** failed_precondition when the runner is being deleted: nothing new may be configured on it. */
export function assertRunnerConfigurable(runner: Runner): void {
  assertNotGoingAway(runner, "configure it any more");
}
