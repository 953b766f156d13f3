// AllowPortAccess (deprecated): whether the caller may reach the port now — the environment runs,
// shares the port, and the port's admission level lets the caller in. It records nothing: the
// answer follows the environment's spec and status.
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { admits, findEnvironment, portIsOpen } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const allowPortAccess = defineHandlers(EnvironmentService, (deps) => ({
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- implementing the deprecated RPC is the point
  async allowPortAccess(req, ctx) {
    const caller = callerOf(ctx);
    const env = (await findEnvironment(deps.store, caller, req.environmentId)).value.environment;
    // A runner asks on behalf of the environments it hosts: they are its own.
    const hosts = env.metadata?.runnerId === caller.subject.id;
    return { allowed: portIsOpen(env, req.port) && (hosts || admits(env, req.port, caller)) };
  },
}));
