// DeleteEnvironment: without force the runner stops the environment (if it runs), deletes it and
// then it is removed; asking again meanwhile is accepted. With force it is removed at once, with
// its automations and tokens, whatever its phase.
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { removeEnvironment } from "../../domain/removal/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { findEnvironment } from "../../domain/environments/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const deleteEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async deleteEnvironment(req, ctx) {
    const caller = callerOf(ctx);
    if (req.force) {
      await deps.store.transaction(async (tx) => {
        await findEnvironment(tx, caller, req.environmentId);
        await removeEnvironment(tx, deps, caller.organizationId, req.environmentId);
      });
      return {};
    }
    await changeEnvironment(deps, caller, req.environmentId, (env) => {
      const spec = env.spec!;
      if (spec.desiredPhase === EnvironmentPhase.DELETED) return false;
      spec.desiredPhase = EnvironmentPhase.DELETED;
      spec.specVersion += 1n;
      return true;
    });
    return {};
  },
}));
