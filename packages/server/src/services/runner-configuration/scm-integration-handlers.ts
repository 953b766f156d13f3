// CreateSCMIntegration, GetSCMIntegration, ListSCMIntegrations, UpdateSCMIntegration,
// DeleteSCMIntegration. The OAuth client secret is encrypted for the runner
// (runner-encryption.ts) before it is stored; only that ciphertext is ever returned.
import { create } from "@bufbuild/protobuf";
import { HostAuthenticationTokenSource, SCMIntegrationSchema, type SCMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { Caller } from "../../auth/caller.js";
import { callerOf, notFound, paginate } from "../../rpc/index.js";
import { deleteHostTokensWhere, deleteScmIntegration, insertScmIntegration, normalizeHost, scmIntegrations } from "../../domain/scm/index.js";
import type { Transaction } from "../../store/store.js";
import { findRunner, findUsableRunner, mayActOn, ownRunnerOnly } from "../../domain/runners/index.js";
import type { HandlerGroup } from "./handler-group.js";
import { encryptForRunner } from "../../domain/secrets/index.js";
import { assertNoScmProblems, scmProblems, type ScmProposal } from "./scm-integration-rules.js";

const kind = "SCM integration";

/** The stored integration a valid proposal describes; a new plaintext secret is encrypted for the runner. */
function integrationFrom(runner: Runner, id: string, p: ScmProposal): SCMIntegration {
  const secret = p.oauthClientSecret;
  const encrypted =
    !secret ? undefined : "plaintext" in secret ? encryptForRunner(runner, secret.plaintext) : "encrypted" in secret ? secret.encrypted : secret.stored;
  return create(SCMIntegrationSchema, {
    id,
    scmId: p.scmId,
    host: normalizeHost(p.host),
    ...(p.oauthClientId
      ? { oauth: { clientId: p.oauthClientId, encryptedClientSecret: encrypted ?? new Uint8Array(), issuerUrl: p.issuerUrl ?? "" } }
      : {}),
    pat: p.pat,
    runnerId: runner.runnerId,
    ...(p.virtualDirectory ? { virtualDirectory: p.virtualDirectory } : {}),
  });
}

/** Deletes the host tokens of the integration's (runner, host) obtained from these sources. */
async function deleteHostTokens(
  tx: Transaction,
  organizationId: string,
  integration: SCMIntegration,
  sources: readonly HostAuthenticationTokenSource[],
): Promise<void> {
  const host = normalizeHost(integration.host);
  await deleteHostTokensWhere(
    tx,
    organizationId,
    (t) => t.runnerId === integration.runnerId && normalizeHost(t.host) === host && sources.includes(t.source),
  );
}

/** The integration `id` if the caller may see it (a runner: only its own runner's); not_found otherwise. */
async function visibleIntegration(tx: Transaction, caller: Caller, id: string): Promise<SCMIntegration> {
  const record = await tx.collection(scmIntegrations).get(id, { organizationId: caller.organizationId });
  if (!record || !mayActOn(caller, record.value.integration.runnerId)) throw notFound(kind, id);
  return record.value.integration;
}

export const scmIntegrationHandlers: HandlerGroup = (deps) => ({
  async createSCMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    const proposal: ScmProposal = {
      scmId: req.scmId,
      host: req.host,
      oauthClientId: req.oauthClientId ?? "",
      oauthClientSecret: req.oauthPlaintextClientSecret === undefined ? undefined : { plaintext: req.oauthPlaintextClientSecret },
      pat: req.pat,
      issuerUrl: req.issuerUrl ?? "",
      virtualDirectory: req.virtualDirectory ?? "",
    };
    const id = deps.ids.newId();
    await deps.store.transaction(async (tx) => {
      const runner = await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "configure it any more");
      assertNoScmProblems(scmProblems(runner, proposal));
      await insertScmIntegration(tx, caller.organizationId, integrationFrom(runner, id, proposal));
    });
    return { id };
  },

  async getSCMIntegration(req, ctx) {
    return { integration: await visibleIntegration(deps.store, callerOf(ctx), req.id) };
  },

  async listSCMIntegrations(req, ctx) {
    const caller = callerOf(ctx);
    const onlyRunner = ownRunnerOnly(caller);
    const runnerIds = new Set(req.filter?.runnerIds ?? []);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(scmIntegrations),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: req.filter, onlyRunner },
      where: ({ integration }) =>
        (onlyRunner === undefined || integration.runnerId === onlyRunner) && (runnerIds.size === 0 || runnerIds.has(integration.runnerId)),
    });
    return { integrations: page.values.map((r) => r.integration), pagination: page.pagination };
  },

  async updateSCMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const current = await visibleIntegration(tx, caller, req.id);
      const runner = (await findRunner(tx, deps.clock.nowMs(), organizationId, current.runnerId)).value;
      // An empty client ID removes OAuth altogether, whatever else is sent for it.
      const clientId = req.oauthClientId ?? current.oauth?.clientId ?? "";
      const oauthRemoved = req.oauthClientId === "";
      const proposal: ScmProposal = {
        scmId: current.scmId,
        host: current.host,
        oauthClientId: clientId,
        oauthClientSecret: oauthRemoved
          ? undefined
          : req.oauthPlaintextClientSecret !== undefined
            ? { plaintext: req.oauthPlaintextClientSecret }
            : current.oauth
              ? { stored: current.oauth.encryptedClientSecret }
              : undefined,
        pat: req.pat ?? current.pat,
        issuerUrl: oauthRemoved ? "" : (req.issuerUrl ?? current.oauth?.issuerUrl ?? ""),
        virtualDirectory: req.virtualDirectory ?? current.virtualDirectory ?? "",
      };
      assertNoScmProblems(scmProblems(runner, proposal));
      const next = integrationFrom(runner, current.id, proposal);
      // Runner and host never change, so the integration's key stays as it is.
      await tx.collection(scmIntegrations).update(req.id, { integration: next }, { organizationId });
      const revoked: HostAuthenticationTokenSource[] = [];
      if (current.oauth && !next.oauth) revoked.push(HostAuthenticationTokenSource.OAUTH);
      if (current.pat && !next.pat) revoked.push(HostAuthenticationTokenSource.PAT);
      if (revoked.length > 0) await deleteHostTokens(tx, organizationId, current, revoked);
    });
    return {};
  },

  async deleteSCMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const integration = await visibleIntegration(tx, caller, req.id);
      await deleteScmIntegration(tx, caller.organizationId, req.id);
      await deleteHostTokens(tx, caller.organizationId, integration, [HostAuthenticationTokenSource.OAUTH, HostAuthenticationTokenSource.PAT]);
    });
    return {};
  },
});
