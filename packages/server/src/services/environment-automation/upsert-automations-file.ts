// UpsertAutomationsFile: applies an automations file to an environment that exists and is not
// being deleted, in one transaction (domain/automations/automations-file.ts has the rules).
import { create } from "@bufbuild/protobuf";
import { AutomationsFileSchema, EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { upsertAutomationsFile as applyFile } from "../../domain/automations/index.js";
import { findChangeableEnvironment } from "../../domain/environments/index.js";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const upsertAutomationsFile = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async upsertAutomationsFile(req, ctx) {
    const caller = callerOf(ctx);
    return deps.store.transaction(async (tx) => {
      const env = await findChangeableEnvironment(tx, caller, req.environmentId, "apply an automations file");
      return applyFile(tx, deps, caller.subject, env.value.environment, req.automationsFile ?? create(AutomationsFileSchema));
    });
  },
}));
