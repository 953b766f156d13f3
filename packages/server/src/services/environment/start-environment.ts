// StartEnvironment: asks for the environment to run (a new spec version, so a failed start is
// tried again); idempotent while it already runs or starts. An archived environment must be
// unarchived first.
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { hasFailed, isArchived } from "../../domain/environments/index.js";
import { callerOf, defineHandlers, failedPrecondition } from "../../rpc/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const startEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async startEnvironment(req, ctx) {
    await changeEnvironment(
      deps,
      callerOf(ctx),
      req.environmentId,
      (env) => {
        if (isArchived(env)) throw failedPrecondition(`environment ${JSON.stringify(env.id)} is archived; unarchive it first (UnarchiveEnvironment)`);
        const spec = env.spec!;
        if (spec.desiredPhase === EnvironmentPhase.RUNNING && !hasFailed(env)) return false;
        spec.desiredPhase = EnvironmentPhase.RUNNING;
        spec.specVersion += 1n;
        env.metadata!.lastStartedAt = deps.clock.now();
        return true;
      },
      { action: "start it" },
    );
    return {};
  },
}));
