// CreatePortAccessToken: a one-hour token that opens one shared port of one environment (its URL in
// status.environment_urls.ports) for the caller — if the port's admission level lets the caller in.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { admits, findChangeableEnvironment, issuePortAccessToken, sharedPort } from "../../domain/environments/index.js";
import { callerOf, defineHandlers, failedPreconditionAt, permissionDenied } from "../../rpc/index.js";

export const createPortAccessToken = defineHandlers(EnvironmentService, (deps) => ({
  async createPortAccessToken(req, ctx) {
    const caller = callerOf(ctx);
    const accessToken = await deps.store.transaction(async (tx) => {
      const env = (await findChangeableEnvironment(tx, caller, req.environmentId, "issue tokens for it")).value.environment;
      if (!sharedPort(env, req.port)) throw failedPreconditionAt("port", `port ${req.port} is not shared by the environment (spec.ports)`);
      if (!admits(env, req.port, caller)) throw permissionDenied(`port: the admission level of port ${req.port} does not let you in`);
      return issuePortAccessToken(tx, deps, env, req.port, caller);
    });
    return { accessToken };
  },
}));
