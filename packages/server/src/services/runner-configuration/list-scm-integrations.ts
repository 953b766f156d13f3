// ListSCMIntegrations: the organization's SCM integrations, filtered by runner (a runner: its own only).
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";
import { scmIntegrations } from "../../domain/scm/index.js";
import { ownRunnerOnly } from "../../domain/runners/index.js";

export const listSCMIntegrations = defineHandlers(RunnerConfigurationService, (deps) => ({
  async listSCMIntegrations(req, ctx) {
    const caller = callerOf(ctx);
    const onlyRunner = ownRunnerOnly(caller);
    const runnerIds = new Set(req.filter?.runnerIds ?? []);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(scmIntegrations),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: req.filter, onlyRunner },
      where: ({ integration }) =>
        (onlyRunner === undefined || integration.runnerId === onlyRunner) && (runnerIds.size === 0 || runnerIds.has(integration.runnerId)),
    });
    return { integrations: page.values.map((r) => r.integration), pagination: page.pagination };
  },
}));
