// StartService: asks for the service to run (desired RUNNING). Idempotent: a service running or
// starting stays as it is. Needs the environment running (failed_precondition), and a service
// that is not being deleted.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findRunningEnvironment, findService, isBeingDeleted, requestStart, services } from "../../domain/automations/index.js";
import { callerOf, defineHandlers, failedPrecondition } from "../../rpc/index.js";

export const startService = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async startService(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const record = await findService(tx, caller, req.id);
      const value = record.value;
      if (isBeingDeleted(value)) throw failedPrecondition(`service ${JSON.stringify(req.id)} is being deleted`);
      await findRunningEnvironment(tx, caller, value.service.environmentId, "start its services");
      if (requestStart(value)) await tx.collection(services).update(req.id, value, { organizationId: caller.organizationId, expectVersion: record.version });
    });
    return {};
  },
}));
