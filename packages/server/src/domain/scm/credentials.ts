// Host authentication tokens and SCM integrations as both services use them: the host credential a
// user holds for (runner, host), the SCM integration of (runner, host) — RunnerService reads them
// for CheckAuthenticationForHost, CheckRepositoryAccess, SearchRepositories, ListSCMOrganizations
// and ParseContextURL — and the only way to add or remove either.
//
// Each record has a uniqueness key in a key collection (records.ts: hostTokenKeys,
// scmIntegrationKeys), kept by store/keyed-records.ts: a lookup is two `get`s, never a scan, and a
// duplicate is the store's own already_exists on insert. Call the writers inside a transaction.
import type { HostAuthenticationToken, SCMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { hostAuthenticationTokens, hostTokenKeys, scmIntegrationKeys, scmIntegrations, type HostTokenRecord, type ScmIntegrationRecord } from "./records.js";
import { alreadyExists } from "../../errors.js";
import { keyedRecords } from "../../store/keyed-records.js";
import type { StoredRecord, Transaction } from "../../store/store.js";
import { normalizeHost } from "./host-name.js";

/** Where to look: the caller's organization, the runner and the host (any case, with or without port). */
export interface HostQuery {
  organizationId: string;
  runnerId: string;
  host: string;
}

/** The owner of a host token: `Subject.id` (for users, the user id; `user_id` is its deprecated copy). */
export function tokenOwnerId(token: HostAuthenticationToken): string {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- tokens written by old clients carry only user_id
  return token.subject?.id || token.userId;
}

const hostTokenKey = (runnerId: string, ownerId: string, host: string) => `${runnerId}\n${ownerId}\n${normalizeHost(host)}`;
const tokenKeyOf = (t: HostAuthenticationToken) => hostTokenKey(t.runnerId, tokenOwnerId(t), t.host);
const integrationKey = (runnerId: string, host: string) => `${runnerId}\n${normalizeHost(host)}`;
const integrationKeyOf = (i: SCMIntegration) => integrationKey(i.runnerId, i.host);

const tokens = keyedRecords(hostAuthenticationTokens, hostTokenKeys, (r) => tokenKeyOf(r.token), ({ token: t }) =>
  alreadyExists(
    "host authentication token",
    `for ${JSON.stringify(tokenOwnerId(t))} on host ${JSON.stringify(normalizeHost(t.host))} of runner ${JSON.stringify(t.runnerId)}`,
  ),
);

const integrations = keyedRecords(scmIntegrations, scmIntegrationKeys, (r) => integrationKeyOf(r.integration), ({ integration: i }) =>
  alreadyExists("SCM integration", `for host ${JSON.stringify(normalizeHost(i.host))} on runner ${JSON.stringify(i.runnerId)}`),
);

/**
 * The host authentication token `userId` (a subject id) holds for (runner, host) in the organization,
 * or undefined. The record carries the encrypted secrets; decrypt with `openSecret` (secret-box.ts)
 * if the plain value is really needed. An expired token is still returned: check `token.expiresAt`.
 */
export async function findHostToken(store: Transaction, query: HostQuery & { userId: string }): Promise<HostTokenRecord | undefined> {
  return tokens.find(store, query.organizationId, hostTokenKey(query.runnerId, query.userId, query.host));
}

/** The SCM integration of (runner, host) in the organization, or undefined when none exists. */
export async function findScmIntegration(store: Transaction, query: HostQuery): Promise<SCMIntegration | undefined> {
  return (await integrations.find(store, query.organizationId, integrationKey(query.runnerId, query.host)))?.integration;
}

/** Adds a host token; already_exists when its owner already holds one for (runner, host). */
export function insertHostToken(tx: Transaction, organizationId: string, record: HostTokenRecord): Promise<void> {
  return tokens.insert(tx, organizationId, record.token.id, record);
}

/** Removes a host token and its key; returns the removed record, or undefined when there was none. */
export function deleteHostToken(tx: Transaction, organizationId: string, id: string): Promise<StoredRecord<HostTokenRecord> | undefined> {
  return tokens.delete(tx, organizationId, id);
}

/** Removes every host token of the organization `match` selects, with their keys; returns how many. */
export function deleteHostTokensWhere(tx: Transaction, organizationId: string, match: (token: HostAuthenticationToken) => boolean): Promise<number> {
  return tokens.deleteWhere(tx, organizationId, (r) => match(r.token));
}

/** Adds an SCM integration; already_exists when its runner already has one for the host. */
export function insertScmIntegration(tx: Transaction, organizationId: string, integration: SCMIntegration): Promise<void> {
  return integrations.insert(tx, organizationId, integration.id, { integration });
}

/** Removes an SCM integration and its key; returns the removed record, or undefined when there was none. */
export function deleteScmIntegration(tx: Transaction, organizationId: string, id: string): Promise<StoredRecord<ScmIntegrationRecord> | undefined> {
  return integrations.delete(tx, organizationId, id);
}

/** Removes every SCM integration of the organization `match` selects, with their keys; returns how many. */
export function deleteScmIntegrationsWhere(tx: Transaction, organizationId: string, match: (integration: SCMIntegration) => boolean): Promise<number> {
  return integrations.deleteWhere(tx, organizationId, (r) => match(r.integration));
}
