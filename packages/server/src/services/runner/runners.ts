// CreateRunner, GetRunner, ListRunners, UpdateRunner, DeleteRunner.
import { clone, create } from "@bufbuild/protobuf";
import { RunnerPhase, RunnerSchema, RunnerStatusSchema, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerKind } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { alreadyExists, callerOf, paginate } from "../../rpc/index.js";
import { assertNotGoingAway, createdMessage, deleteRunnerChildren, denyRunnerCaller, findOwnRunner, findRunner, isGoingAway, isGone, issueRunnerToken, markDeleting, ownRunnerOnly, runners } from "../../domain/runners/index.js";
import type { Transaction } from "../../store/store.js";
import { encryptForRunner } from "../../domain/secrets/index.js";
import type { HandlerGroup } from "./handler-group.js";
import { runnerKindAndProvider } from "./runner-kind.js";
import { applySpecUpdate, newRunnerSpec } from "./runner-spec.js";
import { recordsWhere } from "../../store/scan.js";

/**
 * A runner as every response shows it: the metrics password is write-only (it is kept for the
 * runner's metrics export, but no RPC returns it — not to members, not to the runner itself).
 */
function runnerView(runner: Runner): Runner {
  const view = clone(RunnerSchema, runner);
  const metrics = view.spec?.configuration?.metrics;
  if (metrics) metrics.password = "";
  return view;
}

const localRunnersOffMessage = "local runners are switched off for this organization (local-configuration runner is inactive)";

async function assertNoLocalConfigurationRunner(tx: Transaction, organizationId: string, nowMs: number): Promise<void> {
  const existing = await recordsWhere(tx, runners, organizationId, (r) => r.kind === RunnerKind.LOCAL_CONFIGURATION && !isGone(r, nowMs));
  if (existing.length > 0)
    throw alreadyExists("runner", `of kind RUNNER_KIND_LOCAL_CONFIGURATION (${JSON.stringify(existing[0]!.id)}) in this organization`);
}

/**
 * Switching the local-configuration runner off stops every local runner (kind LOCAL: the ones on
 * people's own machines) of the organization, except those being deleted.
 */
async function switchLocalRunnersOff(tx: Transaction, organizationId: string, now: Runner["updatedAt"]): Promise<void> {
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

export const runnerHandlers: HandlerGroup = (deps) => ({
  async createRunner(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "create runners");
    const { kind, provider } = runnerKindAndProvider(req);
    const spec = newRunnerSpec(req.spec);
    const runnerId = deps.ids.newId();
    const now = deps.clock.now();
    const runner = create(RunnerSchema, {
      runnerId,
      name: req.name,
      createdAt: now,
      updatedAt: now,
      creator: clone(SubjectSchema, caller.subject),
      kind,
      provider,
      runnerManagerId: req.runnerManagerId,
      spec,
      status: { updatedAt: now, phase: RunnerPhase.CREATED, message: createdMessage },
    });
    const exchangeToken = await deps.store.transaction(async (tx) => {
      if (kind === RunnerKind.LOCAL_CONFIGURATION) await assertNoLocalConfigurationRunner(tx, caller.organizationId, deps.clock.nowMs());
      await tx.collection(runners).insert({ id: runnerId, organizationId: caller.organizationId, value: runner });
      return issueRunnerToken(deps, caller.organizationId, runnerId);
    });
    return { runner: runnerView(runner), exchangeToken };
  },

  async getRunner(req, ctx) {
    const caller = callerOf(ctx);
    return { runner: runnerView(await findOwnRunner(deps.store, deps.clock.nowMs(), caller, req.runnerId)) };
  },

  async listRunners(req, ctx) {
    const caller = callerOf(ctx);
    const nowMs = deps.clock.nowMs();
    const creators = req.filter?.creatorIds ?? [];
    const kinds = req.filter?.kinds ?? [];
    const providers = req.filter?.providers ?? [];
    const onlySelf = ownRunnerOnly(caller);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(runners),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: req.filter, onlySelf },
      where: (r) =>
        !isGone(r, nowMs) &&
        (onlySelf === undefined || r.runnerId === onlySelf) &&
        (creators.length === 0 || creators.includes(r.creator?.id ?? "")) &&
        (kinds.length === 0 || kinds.includes(r.kind)) &&
        (providers.length === 0 || providers.includes(r.provider)),
    });
    return { runners: page.values.map(runnerView), pagination: page.pagination };
  },

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

  async deleteRunner(req, ctx) {
    const caller = callerOf(ctx);
    denyRunnerCaller(caller, "delete runners");
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const record = await findRunner(tx, deps.clock.nowMs(), organizationId, req.runnerId);
      await deleteRunnerChildren(tx, deps.tokens, organizationId, req.runnerId);
      if (req.force) {
        await tx.collection(runners).delete(req.runnerId, { organizationId });
        return;
      }
      if (record.value.status?.phase === RunnerPhase.DELETING) return; // already shutting down: keep its deadline
      const runner = record.value;
      markDeleting(runner, deps.clock.now());
      await tx.collection(runners).update(req.runnerId, runner, { organizationId });
    });
    return {};
  },
});
