// CreateEnvironment: a new environment from a spec, started at once (desired phase RUNNING).
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { createEnvironment as create } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const createEnvironment = defineHandlers(EnvironmentService, (deps) => ({
  async createEnvironment(req, ctx) {
    const caller = callerOf(ctx);
    const environment = await deps.store.transaction((tx) =>
      create(tx, deps, caller, { spec: req.spec, name: req.name, sessionId: req.sessionId, annotations: req.annotations }),
    );
    return { environment };
  },
}));
