// Whether a caller is authenticated with an SCM host through a runner: it holds a host
// authentication token for (runner, host) that has not expired (a token without expires_at never
// expires). The tokens are RunnerConfigurationService's; this module only reads them.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { HostAuthenticationToken } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { hostAuthenticationTokens } from "../../domain/scm/index.js";
import { failedPrecondition } from "../../errors.js";
import type { Transaction } from "../../store/store.js";
import { recordsWhere } from "../../store/scan.js";
import { findHostToken, normalizeHost, tokenOwnerId, type HostQuery } from "../../domain/scm/index.js";

/** Whether `token` still works at `nowMs`. */
function isHostTokenValid(token: HostAuthenticationToken, nowMs: number): boolean {
  return !token.expiresAt || timestampMs(token.expiresAt) > nowMs;
}

/** Whether `userId` holds a working token for (runner, host). */
export async function isAuthenticatedWithHost(tx: Transaction, nowMs: number, query: HostQuery & { userId: string }): Promise<boolean> {
  const record = await findHostToken(tx, query);
  return record !== undefined && isHostTokenValid(record.token, nowMs);
}

/** failed_precondition unless `userId` holds a working token for (runner, host). */
export async function requireHostAuthentication(tx: Transaction, nowMs: number, query: HostQuery & { userId: string }): Promise<void> {
  if (!(await isAuthenticatedWithHost(tx, nowMs, query)))
    throw failedPrecondition(
      `not authenticated with ${normalizeHost(query.host)}: authenticate first (see CheckAuthenticationForHost for the ways the host supports)`,
    );
}

/** The hosts `userId` holds a working token for through the runner, sorted. */
export async function authenticatedHosts(tx: Transaction, nowMs: number, query: { organizationId: string; runnerId: string; userId: string }): Promise<string[]> {
  const held = await recordsWhere(
    tx,
    hostAuthenticationTokens,
    query.organizationId,
    ({ token }) => token.runnerId === query.runnerId && tokenOwnerId(token) === query.userId && isHostTokenValid(token, nowMs),
  );
  return [...new Set(held.map((r) => normalizeHost(r.value.token.host)))].sort();
}
