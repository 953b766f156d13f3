// Drives runners being deleted: nothing acknowledges a DeleteRunner on this server, so once a
// DELETING runner's grace period (domain/runners/runner-lifecycle.ts) has passed, its record is
// removed — a delete like any other, which the change feed reports (a RESOURCE_OPERATION_DELETE
// event). Reads treat it as gone from the deadline on either way (`isGone`).
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { RunnerPhase, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { deletionGraceMs, isGone, runners } from "../domain/runners/index.js";
import { forEachRecord } from "../store/scan.js";
import type { StoreChange } from "../store/store.js";
import type { Driver, SimulatedRunner } from "./simulated-runner.js";

const removalKey = (id: string) => `runner-removal/${id}`;

export function runnerDriver(): Driver {
  async function removeIfGone(runner: SimulatedRunner, organizationId: string, id: string): Promise<void> {
    const { deps } = runner;
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(runners).get(id, { organizationId });
      if (record && runner.isCurrent(runners.name, record) && isGone(record.value, deps.clock.nowMs())) await tx.collection(runners).delete(id, { organizationId });
    });
  }

  function plan(runner: SimulatedRunner, organizationId: string, value: Runner): void {
    const id = value.runnerId;
    if (value.status?.phase !== RunnerPhase.DELETING || !value.status.updatedAt) return runner.cancel(removalKey(id));
    const due = timestampMs(value.status.updatedAt) + deletionGraceMs - runner.deps.clock.nowMs();
    runner.schedule(removalKey(id), () => removeIfGone(runner, organizationId, id), Math.max(0, due));
  }

  return {
    collections: [runners.name],
    onChanges(changes: readonly StoreChange[], runner) {
      for (const change of changes) {
        if (change.collection !== runners.name) continue;
        if (change.op === "delete") runner.cancel(removalKey(change.record.id));
        else plan(runner, change.record.organizationId, change.record.value as Runner);
      }
    },
    resume: (runner) =>
      forEachRecord(runner.deps.store, runners, (r) => {
        runner.observe(runners.name, r);
        plan(runner, r.organizationId, r.value);
      }),
  };
}
