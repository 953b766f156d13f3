// MarkEnvironmentActive: records the activity signal (source, and its time or now) in the
// environment's status, which keeps a running environment from its inactivity timeout.
import { clone, create } from "@bufbuild/protobuf";
import { EnvironmentActivitySignalSchema, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { changeEnvironment } from "./environment-changes.js";

export const markEnvironmentActive = defineHandlers(EnvironmentService, (deps) => ({
  async markEnvironmentActive(req, ctx) {
    await changeEnvironment(
      deps,
      callerOf(ctx),
      req.environmentId,
      (env) => {
        const signal = req.activitySignal ? clone(EnvironmentActivitySignalSchema, req.activitySignal) : create(EnvironmentActivitySignalSchema);
        signal.timestamp ??= deps.clock.now();
        const status = env.status!;
        status.activitySignal = signal;
        status.statusVersion += 1n;
        return true;
      },
      { action: "mark it active" },
    );
    return {};
  },
}));
