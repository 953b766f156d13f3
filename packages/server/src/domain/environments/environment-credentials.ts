// The tokens issued for an environment, both valid for one hour as documented.
//
// - Access tokens authenticate their bearer as the environment itself (PRINCIPAL_ENVIRONMENT,
//   subject = the environment id): the principal-scope interceptor lets it call only what an
//   environment may (its own environment and automations), and the lookups show it nothing else.
// - Logs tokens are not API credentials: they open the environment's logs
//   (status.environment_urls.logs, served by http/environment-logs.ts) and nothing else.
// Both are issued credentials (auth/issued-credentials.ts): recorded by their SHA-256, never in
// clear, so removing the environment revokes them.
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { issuedCredentials } from "../../auth/issued-credentials.js";
import type { TokenStore } from "../../auth/token-store.js";
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";

/** Lifetime of access and logs tokens: one hour. */
export const environmentTokenTtlMs = 60 * 60 * 1000;

/** The credentials issued for environments, keyed by the token's SHA-256 hex. */
export const environmentCredentials = issuedCredentials("environment_credentials", "environment credential");

const owner = (organizationId: string, environmentId: string, purpose: "access" | "logs") => ({
  organizationId,
  ownerId: environmentId,
  principal: Principal.ENVIRONMENT,
  purpose,
});

export function issueEnvironmentAccessToken(tx: Transaction, deps: HandlerDeps, organizationId: string, environmentId: string): Promise<string> {
  return environmentCredentials.issueBearer(tx, deps, owner(organizationId, environmentId, "access"), environmentTokenTtlMs, `environment ${environmentId} access token`);
}

export function issueEnvironmentLogsToken(tx: Transaction, deps: HandlerDeps, organizationId: string, environmentId: string): Promise<string> {
  return environmentCredentials.issueOpaque(tx, deps, owner(organizationId, environmentId, "logs"), environmentTokenTtlMs, "gitpod_envlogs_");
}

/** The environment a logs token opens, or undefined for an unknown, expired or revoked one. */
export async function resolveEnvironmentLogsToken(
  deps: Pick<HandlerDeps, "store" | "clock">,
  token: string,
): Promise<{ organizationId: string; environmentId: string } | undefined> {
  const opens = await environmentCredentials.resolve(deps, token, "logs");
  return opens && { organizationId: opens.organizationId, environmentId: opens.ownerId };
}

/** Revokes every token issued for the environment, inside the transaction that removes it. */
export async function revokeEnvironmentCredentials(tx: Transaction, tokens: TokenStore, organizationId: string, environmentId: string): Promise<void> {
  await environmentCredentials.revokeAll(tx, { tokens }, organizationId, environmentId);
}
