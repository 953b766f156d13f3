// UpdateEnvironment: changes only what the request sets (domain/environments/environment-update.ts).
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { isOrganizationAdmin } from "../../auth/organization-admin.js";
import { applyEnvironmentUpdate } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const updateEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async updateEnvironment(req, ctx) {
    const caller = callerOf(ctx);
    await changeEnvironment(
      deps,
      caller,
      req.environmentId,
      async (env, tx) => applyEnvironmentUpdate(env, req, { isAdmin: await isOrganizationAdmin(tx, caller), nowMs: deps.clock.nowMs() }),
      { action: "update it" },
    );
    return {};
  },
}));
