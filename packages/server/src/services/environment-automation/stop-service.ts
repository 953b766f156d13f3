// StopService: asks for the service to stop (desired STOPPED). Idempotent: a service stopped,
// stopping or being deleted stays as it is.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findService, requestStop, services } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const stopService = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async stopService(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const record = await findService(tx, caller, req.id);
      const value = record.value;
      if (requestStop(value)) await tx.collection(services).update(req.id, value, { organizationId: caller.organizationId, expectVersion: record.version });
    });
    return {};
  },
}));
