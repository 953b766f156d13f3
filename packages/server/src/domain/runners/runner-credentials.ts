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
// Every token is recorded in `runnerCredentials` (by its SHA-256, never in clear), so deleting a
// runner revokes all of them.
import { randomBytes } from "node:crypto";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { hashToken, type TokenStore } from "../../auth/token-store.js";
import { runnerCredentials } from "./records.js";
import type { HandlerDeps } from "../../handler-deps.js";
import type { Transaction } from "../../store/store.js";
import { recordsWhere } from "../../store/scan.js";

/** Lifetime of a runner (exchange) token: 24 hours, as documented. */
export const runnerTokenTtlMs = 24 * 60 * 60 * 1000;
/** Lifetime of a logs token: one hour, as documented. */
export const logsTokenTtlMs = 60 * 60 * 1000;

/** Issues a runner token; returns it in clear (the only time it is seen). */
export async function issueRunnerToken(deps: HandlerDeps, organizationId: string, runnerId: string): Promise<string> {
  const { token, tokenId } = await deps.tokens.issue(
    { organizationId, subjectId: runnerId, principal: Principal.RUNNER },
    { ttlMs: runnerTokenTtlMs, description: `runner ${runnerId} exchange token` },
  );
  await deps.store.collection(runnerCredentials).insert({
    id: tokenId,
    organizationId,
    value: { runnerId, purpose: "runner", expiresAtMs: deps.clock.nowMs() + runnerTokenTtlMs },
  });
  return token;
}

/** Issues a logs token for the runner; returns it in clear. */
export async function issueLogsToken(deps: HandlerDeps, organizationId: string, runnerId: string): Promise<string> {
  const token = `gitpod_logs_${randomBytes(32).toString("base64url")}`;
  await deps.store.collection(runnerCredentials).insert({
    id: hashToken(token),
    organizationId,
    value: { runnerId, purpose: "logs", expiresAtMs: deps.clock.nowMs() + logsTokenTtlMs },
  });
  return token;
}

/** The runner a logs token opens, or undefined for an unknown, expired or revoked one. */
export async function resolveLogsToken(
  deps: Pick<HandlerDeps, "store" | "clock">,
  token: string,
): Promise<{ organizationId: string; runnerId: string } | undefined> {
  if (token.length === 0 || token.length > 4096) return undefined;
  const record = await deps.store.collection(runnerCredentials).get(hashToken(token));
  if (!record || record.value.purpose !== "logs" || deps.clock.nowMs() >= record.value.expiresAtMs) return undefined;
  return { organizationId: record.organizationId, runnerId: record.value.runnerId };
}

/**
 * Revokes every token issued for the runner. Call it inside the transaction that deletes the
 * runner: the token store's writes join it. Returns how many tokens were revoked.
 */
export async function revokeRunnerCredentials(tx: Transaction, tokens: TokenStore, organizationId: string, runnerId: string): Promise<number> {
  const issued = await recordsWhere(tx, runnerCredentials, organizationId, (c) => c.runnerId === runnerId);
  for (const r of issued) {
    if (r.value.purpose === "runner") await tokens.revoke(r.id, { organizationId });
    await tx.collection(runnerCredentials).delete(r.id, { organizationId });
  }
  return issued.length;
}
