// StopEnvironment: asks for the environment to stop, keeping its content; idempotent.
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const stopEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async stopEnvironment(req, ctx) {
    await changeEnvironment(
      deps,
      callerOf(ctx),
      req.environmentId,
      (env) => {
        const spec = env.spec!;
        if (spec.desiredPhase === EnvironmentPhase.STOPPED) return false;
        spec.desiredPhase = EnvironmentPhase.STOPPED;
        spec.specVersion += 1n;
        return true;
      },
      { action: "stop it" },
    );
    return {};
  },
}));
