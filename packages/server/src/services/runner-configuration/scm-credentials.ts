// Lookups RunnerService shares with RunnerConfigurationService: the host credential a user holds
// for (runner, host) and the SCM integration of (runner, host). RunnerService uses them for
// CheckAuthenticationForHost, CheckRepositoryAccess, SearchRepositories and ListSCMOrganizations.
import type { HostAuthenticationToken, SCMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { hostAuthenticationTokens, scmIntegrations, type HostTokenRecord } from "../../collections.js";
import type { Transaction } from "../../store/store.js";
import { normalizeHost } from "./host-name.js";

/** Where to look: the caller's organization, the runner and the host (any case, with or without port). */
export interface HostQuery {
  organizationId: string;
  runnerId: string;
  host: string;
}

/** The owner of a host token: `Subject.id` (for users, the user id; `user_id` is its deprecated copy). */
export function tokenOwnerId(token: HostAuthenticationToken): string {
  return token.subject?.id || token.userId;
}

/**
 * The host authentication token `userId` (a subject id) holds for (runner, host) in the organization,
 * or undefined. The record carries the encrypted secrets; decrypt with `openSecret` (secret-box.ts)
 * if the plain value is really needed. An expired token is still returned: check `token.expiresAt`.
 */
export async function findHostToken(
  store: Transaction,
  query: HostQuery & { userId: string },
): Promise<HostTokenRecord | undefined> {
  const host = normalizeHost(query.host);
  const { items } = await store.collection(hostAuthenticationTokens).list({
    organizationId: query.organizationId,
    limit: 1,
    where: (r) =>
      r.token.runnerId === query.runnerId && normalizeHost(r.token.host) === host && tokenOwnerId(r.token) === query.userId,
  });
  return items[0]?.value;
}

/** The SCM integration of (runner, host) in the organization, or undefined when none exists. */
export async function findScmIntegration(store: Transaction, query: HostQuery): Promise<SCMIntegration | undefined> {
  const host = normalizeHost(query.host);
  const { items } = await store.collection(scmIntegrations).list({
    organizationId: query.organizationId,
    limit: 1,
    where: (r) => r.integration.runnerId === query.runnerId && normalizeHost(r.integration.host) === host,
  });
  return items[0]?.value.integration;
}

/** Whether an SCM integration exists for (runner, host) in the organization. */
export async function hasScmIntegration(store: Transaction, query: HostQuery): Promise<boolean> {
  return (await findScmIntegration(store, query)) !== undefined;
}
