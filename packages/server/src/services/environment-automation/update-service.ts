// UpdateService: changes only the fields set — metadata any time, the spec only while the service is
// stopped (failed_precondition otherwise), the status only when the service's own environment
// reports it (permission_denied for anyone else). One transaction: concurrent updates serialise.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { applyServiceUpdate, findService, services } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const updateService = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async updateService(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      const record = await findService(tx, caller, req.id);
      const value = record.value;
      applyServiceUpdate(value, req, caller);
      await tx.collection(services).update(req.id, value, { organizationId: caller.organizationId, expectVersion: record.version });
    });
    return {};
  },
}));
