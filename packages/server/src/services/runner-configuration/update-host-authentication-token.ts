// UpdateHostAuthenticationToken: replaces a host token's value, refresh token, expiry or scopes.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { hostAuthenticationTokens } from "../../domain/scm/index.js";
import { visibleToken } from "./host-token-access.js";
import { assertScopes } from "./host-token-scopes.js";
import { sealSecret } from "../../domain/secrets/index.js";

export const updateHostAuthenticationToken = defineHandlers(RunnerConfigurationService, (deps) => ({
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
}));
