// The tokens issued for an environment, both valid for one hour as documented.
//
// - Access tokens authenticate their bearer as the environment itself (PRINCIPAL_ENVIRONMENT,
//   subject = the environment id): the principal-scope interceptor lets it call only what an
//   environment may (its own environment and automations), and the lookups show it nothing else.
// - Logs tokens are not API credentials: they open the environment's logs
//   (status.environment_urls.logs, served by http/environment-logs.ts) and nothing else.
// Every token is recorded by its SHA-256 (never in clear), so removing the environment revokes them.
import { randomBytes } from "node:crypto";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { hashToken, type TokenStore } from "../../auth/token-store.js";
import type { HandlerDeps } from "../../handler-deps.js";
import { recordsWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import { environmentCredentials } from "./records.js";

/** Lifetime of access and logs tokens: one hour. */
export const environmentTokenTtlMs = 60 * 60 * 1000;

export async function issueEnvironmentAccessToken(tx: Transaction, deps: HandlerDeps, organizationId: string, environmentId: string): Promise<string> {
  const { token, tokenId } = await deps.tokens.issue(
    { organizationId, subjectId: environmentId, principal: Principal.ENVIRONMENT },
    { ttlMs: environmentTokenTtlMs, description: `environment ${environmentId} access token` },
  );
  await tx.collection(environmentCredentials).insert({
    id: tokenId,
    organizationId,
    value: { environmentId, purpose: "access", expiresAtMs: deps.clock.nowMs() + environmentTokenTtlMs },
  });
  return token;
}

export async function issueEnvironmentLogsToken(tx: Transaction, deps: HandlerDeps, organizationId: string, environmentId: string): Promise<string> {
  const token = `gitpod_envlogs_${randomBytes(32).toString("base64url")}`;
  await tx.collection(environmentCredentials).insert({
    id: hashToken(token),
    organizationId,
    value: { environmentId, purpose: "logs", expiresAtMs: deps.clock.nowMs() + environmentTokenTtlMs },
  });
  return token;
}

/** The environment a logs token opens, or undefined for an unknown, expired or revoked one. */
export async function resolveEnvironmentLogsToken(
  deps: Pick<HandlerDeps, "store" | "clock">,
  token: string,
): Promise<{ organizationId: string; environmentId: string } | undefined> {
  if (token.length === 0 || token.length > 4096) return undefined;
  const record = await deps.store.collection(environmentCredentials).get(hashToken(token));
  if (!record || record.value.purpose !== "logs" || deps.clock.nowMs() >= record.value.expiresAtMs) return undefined;
  return { organizationId: record.organizationId, environmentId: record.value.environmentId };
}

/** Revokes every token issued for the environment, inside the transaction that removes it. */
export async function revokeEnvironmentCredentials(tx: Transaction, tokens: TokenStore, organizationId: string, environmentId: string): Promise<void> {
  for (const r of await recordsWhere(tx, environmentCredentials, organizationId, (c) => c.environmentId === environmentId)) {
    if (r.value.purpose === "access") await tokens.revoke(r.id, { organizationId });
    await tx.collection(environmentCredentials).delete(r.id, { organizationId });
  }
}
