// The tokens issued for a runner.
//
// - Runner tokens (CreateRunner, CreateRunnerToken): the "exchange token" of the docs. It is a
//   bearer token of the runner principal in the token store and expires 24 hours after issue.
//   IdentityService.ExchangeToken is not part of this server, so the token itself authenticates
//   the runner until it expires (it is not consumed by a first use). Earlier tokens stay valid.
// - Logs tokens (CreateRunnerLogsToken): open one runner's logs and support bundle for one hour.
//   They are not API credentials: a call authenticated with one is unauthenticated.
//   `resolveLogsToken` tells which runner a logs token opens: the server has no logs endpoint
//   yet, so only the tests use it (to prove a logs token's runner and lifetime).
//
// Both are issued credentials (auth/issued-credentials.ts): recorded by their SHA-256, never in
// clear, so deleting the runner revokes all of them.
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { issuedCredentials } from "../../auth/issued-credentials.js";
import type { TokenStore } from "../../auth/token-store.js";
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";

/** Lifetime of a runner (exchange) token: 24 hours, as documented. */
export const runnerTokenTtlMs = 24 * 60 * 60 * 1000;
/** Lifetime of a logs token: one hour, as documented. */
export const logsTokenTtlMs = 60 * 60 * 1000;

/** The credentials issued for runners, keyed by the token's SHA-256 hex. */
export const runnerCredentials = issuedCredentials("runner_credentials", "runner credential");

const owner = (organizationId: string, runnerId: string, purpose: "runner" | "logs") => ({
  organizationId,
  ownerId: runnerId,
  principal: Principal.RUNNER,
  purpose,
});

/** Issues a runner token; returns it in clear (the only time it is seen). Joins the running transaction. */
export function issueRunnerToken(deps: HandlerDeps, organizationId: string, runnerId: string): Promise<string> {
  return runnerCredentials.issueBearer(deps.store, deps, owner(organizationId, runnerId, "runner"), runnerTokenTtlMs, `runner ${runnerId} exchange token`);
}

/** Issues a logs token for the runner; returns it in clear. */
export function issueLogsToken(deps: HandlerDeps, organizationId: string, runnerId: string): Promise<string> {
  return runnerCredentials.issueOpaque(deps.store, deps, owner(organizationId, runnerId, "logs"), logsTokenTtlMs, "gitpod_logs_");
}

/** The runner a logs token opens, or undefined for an unknown, expired or revoked one. */
export async function resolveLogsToken(
  deps: Pick<HandlerDeps, "store" | "clock">,
  token: string,
): Promise<{ organizationId: string; runnerId: string } | undefined> {
  const opens = await runnerCredentials.resolve(deps, token, "logs");
  return opens && { organizationId: opens.organizationId, runnerId: opens.ownerId };
}

/**
 * Revokes every token issued for the runner. Call it inside the transaction that deletes the
 * runner: the token store's writes join it. Returns how many tokens were revoked.
 */
export function revokeRunnerCredentials(tx: Transaction, tokens: TokenStore, organizationId: string, runnerId: string): Promise<number> {
  return runnerCredentials.revokeAll(tx, { tokens }, organizationId, runnerId);
}
