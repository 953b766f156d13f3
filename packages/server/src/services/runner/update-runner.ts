// UpdateRunner: changes a runner's name and the parts of its spec that are set; switching the
// local-configuration runner off stops the organization's local runners.
import { create } from "@bufbuild/protobuf";
import { RunnerPhase, RunnerService, RunnerStatusSchema, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { assertNotGoingAway, denyRunnerCaller, findRunner, isGoingAway, runners } from "../../domain/runners/index.js";
import type { Transaction } from "../../store/store.js";
import { encryptForRunner } from "../../domain/secrets/index.js";
import { applySpecUpdate } from "./runner-spec.js";
import { recordsWhere } from "../../store/scan.js";

const localRunnersOffMessage = "local runners are switched off for this organization (local-configuration runner is inactive)";

/**
 * Switching the local-configuration runner off stops every local runner (kind LOCAL: the ones on
 * people's own machines) of the organization, except those being deleted.
 */
async function switchLocalRunnersOff(tx: Transaction, organizationId: string, now: Runner["updatedAt"]): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the kind local runners are still stored with
  for (const r of await recordsWhere(tx, runners, organizationId, (v) => v.kind === RunnerKind.LOCAL && !isGoingAway(v))) {
    await tx.collection(runners).update(
      r.id,
      (v) => {
        const status = (v.status ??= create(RunnerStatusSchema));
        status.phase = RunnerPhase.INACTIVE;
        status.message = localRunnersOffMessage;
        status.updatedAt = now;
        return v;
      },
      { organizationId },
    );
  }
}

export const updateRunner = defineHandlers(RunnerService, (deps) => ({
  async updateRunner(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "update runners");
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const record = await findRunner(tx, deps.clock.nowMs(), organizationId, req.runnerId);
      if (req.name === undefined && req.spec === undefined) return;
      assertNotGoingAway(record.value, "update it");
      const runner = record.value;
      const wasPhase = runner.spec?.desiredPhase;
      if (req.name !== undefined) runner.name = req.name;
      if (req.spec) applySpecUpdate(runner, req.spec, (plain) => encryptForRunner(record.value, plain));
      const now = deps.clock.now();
      runner.updatedAt = now;
      await tx.collection(runners).update(req.runnerId, runner, { organizationId }); // read in this transaction: no one changed it since
      if (runner.kind === RunnerKind.LOCAL_CONFIGURATION && wasPhase !== RunnerPhase.INACTIVE && runner.spec?.desiredPhase === RunnerPhase.INACTIVE)
        await switchLocalRunnersOff(tx, organizationId, now);
    });
    return {};
  },
}));
