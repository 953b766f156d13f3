// ArchiveEnvironment: a stopped environment leaves the default lists (metadata.archived_at);
// failed_precondition while it is not stopped; idempotent. The same code archives idle environments
// and serves the testing controls.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { archive } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const archiveEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async archiveEnvironment(req, ctx) {
    await changeEnvironment(deps, callerOf(ctx), req.environmentId, (env) => archive(env, deps.clock.now()), { action: "archive it" });
    return {};
  },
}));
