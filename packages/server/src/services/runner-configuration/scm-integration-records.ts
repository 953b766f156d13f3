// SCM integrations as stored, shared by the SCM integration RPCs: the record a valid proposal
// becomes (the OAuth client secret encrypted for the runner, runner-encryption.ts; only that
// ciphertext is ever returned), the integration a caller may see, and revoking host tokens.
import { create } from "@bufbuild/protobuf";
import { type HostAuthenticationTokenSource, SCMIntegrationSchema, type SCMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { Caller } from "../../auth/caller.js";
import { notFound } from "../../rpc/index.js";
import { deleteHostTokensWhere, normalizeHost, scmIntegrations } from "../../domain/scm/index.js";
import type { Transaction } from "../../store/store.js";
import { mayActOn } from "../../domain/runners/index.js";
import { encryptForRunner } from "../../domain/secrets/index.js";
import type { ScmProposal } from "./scm-integration-rules.js";

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

/** Deletes the host tokens of the integration's (runner, host) obtained from these sources. */
export async function deleteHostTokens(
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
export async function visibleIntegration(tx: Transaction, caller: Caller, id: string): Promise<SCMIntegration> {
  const record = await tx.collection(scmIntegrations).get(id, { organizationId: caller.organizationId });
  if (!record || !mayActOn(caller, record.value.integration.runnerId)) throw notFound(kind, id);
  return record.value.integration;
}
