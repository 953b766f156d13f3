// UnarchiveEnvironment: clears the archival time, so default lists show the environment again, and
// restarts its idle period; idempotent.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { unarchive } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const unarchiveEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async unarchiveEnvironment(req, ctx) {
    await changeEnvironment(
      deps,
      callerOf(ctx),
      req.environmentId,
      (env, _tx, record) => {
        if (!unarchive(env)) return false;
        // The idle period starts again, or it would be archived again at once.
        if (record.idleSinceMs !== undefined) record.idleSinceMs = deps.clock.nowMs();
        return true;
      },
      { action: "unarchive it" },
    );
    return {};
  },
}));
