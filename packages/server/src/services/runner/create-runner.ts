// CreateRunner: a new runner in phase CREATED, with an exchange token for it (at most one
// local-configuration runner per organization).
import { clone, create } from "@bufbuild/protobuf";
import { RunnerPhase, RunnerSchema, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerKind } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { alreadyExists, callerOf, defineHandlers } from "../../rpc/index.js";
import { createdMessage, denyRunnerCaller, isGone, issueRunnerToken, runners } from "../../domain/runners/index.js";
import type { Transaction } from "../../store/store.js";
import { runnerKindAndProvider } from "./runner-kind.js";
import { newRunnerSpec } from "./runner-spec.js";
import { runnerView } from "./runner-view.js";
import { recordsWhere } from "../../store/scan.js";

async function assertNoLocalConfigurationRunner(tx: Transaction, organizationId: string, nowMs: number): Promise<void> {
  const existing = await recordsWhere(tx, runners, organizationId, (r) => r.kind === RunnerKind.LOCAL_CONFIGURATION && !isGone(r, nowMs));
  if (existing.length > 0)
    throw alreadyExists("runner", `of kind RUNNER_KIND_LOCAL_CONFIGURATION (${JSON.stringify(existing[0]!.id)}) in this organization`);
}

export const createRunner = defineHandlers(RunnerService, (deps) => ({
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
}));
