// DeleteService: without force the service is stopped first, then DELETED, then removed (by the
// runner, one step at a time; asking again changes nothing); with force it is removed at once.
// Either way its id leaves the depends_on of the environment's tasks when it is removed.
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { findService, removeService, requestDelete, services } from "../../domain/automations/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const deleteService = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async deleteService(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const record = await findService(tx, caller, req.id);
      if (req.force) return removeService(tx, organizationId, req.id);
      const value = record.value;
      if (requestDelete(value)) await tx.collection(services).update(req.id, value, { organizationId, expectVersion: record.version });
    });
    return {};
  },
}));
