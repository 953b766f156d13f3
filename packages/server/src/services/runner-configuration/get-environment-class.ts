// GetEnvironmentClass: one environment class of the caller's organization (a runner: its own only).
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, notFound } from "../../rpc/index.js";
import { environmentClasses } from "../../domain/environment-classes/index.js";
import { mayActOn } from "../../domain/runners/index.js";

const kind = "environment class";

export const getEnvironmentClass = defineHandlers(RunnerConfigurationService, (deps) => ({
  async getEnvironmentClass(req, ctx) {
    const caller = callerOf(ctx);
    const record = await deps.store.collection(environmentClasses).get(req.environmentClassId, { organizationId: caller.organizationId });
    if (!record || !mayActOn(caller, record.value.runnerId)) throw notFound(kind, req.environmentClassId);
    return { environmentClass: record.value };
  },
}));
