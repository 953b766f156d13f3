// CreateHostAuthenticationToken, GetHostAuthenticationToken, ListHostAuthenticationTokens,
// UpdateHostAuthenticationToken, DeleteHostAuthenticationToken. Token values are sealed
// (secret-box.ts) before they are stored and never leave the server.
import { create } from "@bufbuild/protobuf";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { HostAuthenticationTokenSchema } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { Caller } from "../../auth/caller.js";
import { callerOf, invalidArgument, notFound, paginate } from "../../rpc/index.js";
import { assertHostName, deleteHostToken, hostAuthenticationTokens, insertHostToken, normalizeHost, scmIntegrations, tokenOwnerId } from "../../domain/scm/index.js";
import type { HostTokenRecord } from "../../domain/scm/index.js";
import type { Transaction } from "../../store/store.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import type { HandlerGroup } from "./handler-group.js";
import { canSeeToken, isOrganizationAdmin, resolveTokenOwner } from "./host-token-access.js";
import { sealSecret } from "../../domain/secrets/index.js";

const kind = "host authentication token";

function assertScopes(scopes: readonly string[]): void {
  scopes.forEach((scope, i) => {
    if (scope.trim() === "") throw invalidArgument(`scopes[${i}]`, "must not be empty");
  });
}

/** The token record `id` if the caller may see it; not_found otherwise (also for other organizations). */
async function visibleToken(tx: Transaction, caller: Caller, id: string) {
  const record = await tx.collection(hostAuthenticationTokens).get(id, { organizationId: caller.organizationId });
  if (!record || !canSeeToken(caller, await isOrganizationAdmin(tx, caller), record.value.token)) throw notFound(kind, id);
  return record;
}

export const hostTokenHandlers: HandlerGroup = (deps) => ({
  async createHostAuthenticationToken(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    assertHostName(req.host, "host");
    assertScopes(req.scopes);
    const host = normalizeHost(req.host);
    const encryptedValue = sealSecret(req.token);
    const encryptedRefreshToken = req.refreshToken === "" ? undefined : sealSecret(req.refreshToken);

    const token = await deps.store.transaction(async (tx) => {
      const runner = await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "configure it any more");
      const owner = await resolveTokenOwner(tx, caller, { subject: req.subject, userId: req.userId, runnerId: req.runnerId });
      if (req.integrationId !== "") {
        const integration = await tx.collection(scmIntegrations).get(req.integrationId, { organizationId });
        if (!integration) throw notFound("SCM integration", req.integrationId);
        const { runnerId, host: integrationHost } = integration.value.integration;
        if (runnerId !== runner.runnerId || integrationHost !== host)
          throw invalidArgument("integration_id", `SCM integration ${JSON.stringify(req.integrationId)} is for host ${JSON.stringify(integrationHost)} of runner ${JSON.stringify(runnerId)}`);
      }
      const id = deps.ids.newId();
      const token = create(HostAuthenticationTokenSchema, {
        id,
        runnerId: runner.runnerId,
        userId: owner.principal === Principal.USER ? owner.id : "",
        host,
        source: req.source,
        ...(req.expiresAt ? { expiresAt: req.expiresAt } : {}),
        integrationId: req.integrationId,
        scopes: [...req.scopes],
        subject: owner,
      });
      const record: HostTokenRecord = { token, encryptedValue, ...(encryptedRefreshToken ? { encryptedRefreshToken } : {}) };
      await insertHostToken(tx, organizationId, record); // already_exists for a second token of (runner, owner, host)
      return token;
    });
    return { token };
  },

  async getHostAuthenticationToken(req, ctx) {
    const record = await visibleToken(deps.store, callerOf(ctx), req.id);
    return { token: record.value.token };
  },

  async listHostAuthenticationTokens(req, ctx) {
    const caller = callerOf(ctx);
    const admin = await isOrganizationAdmin(deps.store, caller);
    const f = req.filter;
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(hostAuthenticationTokens),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: f,
      where: ({ token }) =>
        canSeeToken(caller, admin, token) &&
        (f?.runnerId === undefined || token.runnerId === f.runnerId) &&
        (f?.userId === undefined || tokenOwnerId(token) === f.userId) &&
        (f?.subjectId === undefined || tokenOwnerId(token) === f.subjectId),
    });
    return { tokens: page.values.map((r) => r.token), pagination: page.pagination };
  },

  async updateHostAuthenticationToken(req, ctx) {
    const caller = callerOf(ctx);
    assertScopes(req.scopes);
    const encryptedValue = req.token === undefined ? undefined : sealSecret(req.token);
    const encryptedRefreshToken = req.refreshToken ? sealSecret(req.refreshToken) : undefined;
    await deps.store.transaction(async (tx) => {
      await visibleToken(tx, caller, req.id);
      // Runner, host and owner never change, so the token's key stays as it is.
      await tx.collection(hostAuthenticationTokens).update(
        req.id,
        (current) => {
          if (encryptedValue) current.encryptedValue = encryptedValue;
          if (req.refreshToken !== undefined) {
            if (encryptedRefreshToken) current.encryptedRefreshToken = encryptedRefreshToken;
            else delete current.encryptedRefreshToken;
          }
          if (req.expiresAt !== undefined) current.token.expiresAt = req.expiresAt;
          if (req.scopes.length > 0) current.token.scopes = [...req.scopes];
          return current;
        },
        { organizationId: caller.organizationId },
      );
    });
    return {};
  },

  async deleteHostAuthenticationToken(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      await visibleToken(tx, caller, req.id);
      await deleteHostToken(tx, caller.organizationId, req.id);
    });
    return {};
  },
});
