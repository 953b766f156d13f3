// Drives services: after every committed write of a service that is not settled, its next step
// (domain/automations/service-lifecycle.ts) runs one step delay later — or, while a failing
// readiness check waits out readiness_timeout, at the deadline — in a transaction of its own that
// takes the failure injected for that step, if any. A deleted service's last step removes it.
import { nextServiceAction, removeService, services, stepService, type ServiceRecord } from "../domain/automations/index.js";
import { forEachRecord } from "../store/scan.js";
import type { StoreChange } from "../store/store.js";
import { takeFailure } from "./failure-injections.js";
import type { Driver, SimulatedRunner } from "./simulated-runner.js";

const stepKey = (id: string) => `service/${id}`;

export function serviceDriver(): Driver {
  async function step(runner: SimulatedRunner, organizationId: string, id: string): Promise<void> {
    const { deps } = runner;
    let unchanged: ServiceRecord | undefined;
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(services).get(id, { organizationId });
      if (!record || !runner.isCurrent(services.name, record)) return;
      const value = record.value;
      const result = await stepService(value, { nowMs: deps.clock.nowMs(), failure: (at) => takeFailure(tx, organizationId, id, at) });
      if (!result) {
        unchanged = value;
        return;
      }
      if (result.remove) await removeService(tx, organizationId, id);
      else await tx.collection(services).update(id, value, { organizationId, expectVersion: record.version });
    });
    // Nothing to do yet (a deadline not reached): no write will plan the next step, so plan it here.
    if (unchanged) plan(runner, organizationId, unchanged);
  }

  function plan(runner: SimulatedRunner, organizationId: string, record: ServiceRecord): void {
    const id = record.service.id;
    const action = nextServiceAction(record);
    if (!action) return runner.cancel(stepKey(id));
    const delayMs = action.kind === "readiness-deadline" ? Math.max(0, action.atMs - runner.deps.clock.nowMs()) : undefined;
    runner.schedule(stepKey(id), () => step(runner, organizationId, id), delayMs);
  }

  return {
    collections: [services.name],
    onChanges(changes: readonly StoreChange[], runner) {
      for (const change of changes) {
        if (change.collection !== services.name) continue;
        if (change.op === "delete") runner.cancel(stepKey(change.record.id));
        else plan(runner, change.record.organizationId, change.record.value as ServiceRecord);
      }
    },
    resume: (runner) =>
      forEachRecord(runner.deps.store, services, (r) => {
        runner.observe(services.name, r);
        plan(runner, r.organizationId, r.value);
      }),
  };
}
