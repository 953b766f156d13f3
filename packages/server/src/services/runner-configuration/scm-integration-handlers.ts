// CreateSCMIntegration, GetSCMIntegration, ListSCMIntegrations, UpdateSCMIntegration,
// DeleteSCMIntegration. The OAuth client secret is encrypted for the runner
// (runner-encryption.ts) before it is stored; only that ciphertext is ever returned.
import { create } from "@bufbuild/protobuf";
import { HostAuthenticationTokenSource, SCMIntegrationSchema, type SCMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { alreadyExists, callerOf, hostAuthenticationTokens, notFound, paginate, scmIntegrations } from "../../kit.js";
import type { Transaction } from "../../store/store.js";
import type { HandlerGroup } from "./handler-group.js";
import { normalizeHost } from "./host-name.js";
import { assertRunnerConfigurable, requireRunner } from "./runner-access.js";
import { encryptForRunner } from "./runner-encryption.js";
import { findScmIntegration } from "./scm-credentials.js";
import { assertNoScmProblems, scmProblems, type ScmProposal } from "./scm-integration-rules.js";

const kind = "SCM integration";

/** The stored integration a valid proposal describes; a new plaintext secret is encrypted for the runner. */
export function integrationFrom(runner: Runner, id: string, p: ScmProposal): SCMIntegration {
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

/** Deletes the host tokens of (runner, host) obtained from these sources; returns how many. */
export async function deleteHostTokens(
  tx: Transaction,
  organizationId: string,
  integration: SCMIntegration,
  sources: readonly HostAuthenticationTokenSource[],
): Promise<number> {
  const tokens = tx.collection(hostAuthenticationTokens);
  let deleted = 0;
  let after: number | undefined;
  do {
    const page = await tokens.list({
      organizationId,
      limit: 500,
      ...(after !== undefined ? { after } : {}),
      where: ({ token }) => token.runnerId === integration.runnerId && token.host === integration.host && sources.includes(token.source),
    });
    for (const r of page.items) if (await tokens.delete(r.id, { organizationId })) deleted++;
    after = page.next;
  } while (after !== undefined);
  return deleted;
}

async function assertHostFree(tx: Transaction, organizationId: string, integration: SCMIntegration): Promise<void> {
  const existing = await findScmIntegration(tx, { organizationId, runnerId: integration.runnerId, host: integration.host });
  if (existing && existing.id !== integration.id)
    throw alreadyExists(kind, `for host ${JSON.stringify(integration.host)} on runner ${JSON.stringify(integration.runnerId)}`);
}

export const scmIntegrationHandlers: HandlerGroup = (deps) => ({
  async createSCMIntegration(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const runner = await requireRunner(deps.store, deps.clock.nowMs(), organizationId, req.runnerId);
    assertRunnerConfigurable(runner);
    const proposal: ScmProposal = {
      scmId: req.scmId,
      host: req.host,
      oauthClientId: req.oauthClientId ?? "",
      oauthClientSecret: req.oauthPlaintextClientSecret === undefined ? undefined : { plaintext: req.oauthPlaintextClientSecret },
      pat: req.pat,
      issuerUrl: req.issuerUrl ?? "",
      virtualDirectory: req.virtualDirectory ?? "",
    };
    assertNoScmProblems(scmProblems(runner, proposal));
    const integration = integrationFrom(runner, deps.ids.newId(), proposal);
    await deps.store.transaction(async (tx) => {
      await assertHostFree(tx, organizationId, integration);
      await tx.collection(scmIntegrations).insert({ id: integration.id, organizationId, value: { integration } });
    });
    return { id: integration.id };
  },

  async getSCMIntegration(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const record = await deps.store.collection(scmIntegrations).get(req.id, { organizationId });
    if (!record) throw notFound(kind, req.id);
    return { integration: record.value.integration };
  },

  async listSCMIntegrations(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const runnerIds = new Set(req.filter?.runnerIds ?? []);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(scmIntegrations),
      organizationId,
      pagination: req.pagination,
      filter: req.filter,
      where: ({ integration }) => runnerIds.size === 0 || runnerIds.has(integration.runnerId),
    });
    return { integrations: page.values.map((r) => r.integration), pagination: page.pagination };
  },

  async updateSCMIntegration(req, ctx) {
    const { organizationId } = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(scmIntegrations).get(req.id, { organizationId });
      if (!record) throw notFound(kind, req.id);
      const current = record.value.integration;
      const runner = await requireRunner(tx, deps.clock.nowMs(), organizationId, current.runnerId);
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
      await tx.collection(scmIntegrations).update(req.id, { integration: next }, { organizationId, expectVersion: record.version });
      const revoked: HostAuthenticationTokenSource[] = [];
      if (current.oauth && !next.oauth) revoked.push(HostAuthenticationTokenSource.OAUTH);
      if (current.pat && !next.pat) revoked.push(HostAuthenticationTokenSource.PAT);
      if (revoked.length > 0) await deleteHostTokens(tx, organizationId, current, revoked);
    });
    return {};
  },

  async deleteSCMIntegration(req, ctx) {
    const { organizationId } = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const removed = await tx.collection(scmIntegrations).delete(req.id, { organizationId });
      if (!removed) throw notFound(kind, req.id);
      await deleteHostTokens(tx, organizationId, removed.value.integration, [HostAuthenticationTokenSource.OAUTH, HostAuthenticationTokenSource.PAT]);
    });
    return {};
  },
});
