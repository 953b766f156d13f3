// CreateHostAuthenticationToken: stores a token (sealed) for an SCM host through a runner; its
// owner is the caller unless an admin or the runner names someone else (host-token-access.ts).
import { create } from "@bufbuild/protobuf";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { HostAuthenticationTokenSchema, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, invalidArgument, notFound } from "../../rpc/index.js";
import { assertHostName, insertHostToken, normalizeHost, scmIntegrations } from "../../domain/scm/index.js";
import type { HostTokenRecord } from "../../domain/scm/index.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { resolveTokenOwner } from "./host-token-access.js";
import { assertScopes } from "./host-token-scopes.js";
import { sealSecret } from "../../domain/secrets/index.js";

export const createHostAuthenticationToken = defineHandlers(RunnerConfigurationService, (deps) => ({
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
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients name the owner by user_id
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
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients read the owner from user_id
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
}));
