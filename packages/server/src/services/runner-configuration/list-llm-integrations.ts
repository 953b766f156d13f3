// ListLLMIntegrations: the organization's LLM integrations in creation order, filtered by runner
// (a runner: its own only). Gitpod manages no models on this server: llm_managed_by_ona stays
// false and ona_intelligence_providers empty.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";
import { ownRunnerOnly } from "../../domain/runners/index.js";
import { llmIntegrations } from "../../domain/llm-integrations/index.js";

export const listLLMIntegrations = defineHandlers(RunnerConfigurationService, (deps) => ({
  async listLLMIntegrations(req, ctx) {
    const caller = callerOf(ctx);
    const onlyRunner = ownRunnerOnly(caller);
    const runnerIds = new Set(req.filter?.runnerIds ?? []);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(llmIntegrations),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: req.filter, onlyRunner },
      where: ({ integration }) =>
        (onlyRunner === undefined || integration.runnerId === onlyRunner) && (runnerIds.size === 0 || runnerIds.has(integration.runnerId)),
    });
    return { integrations: page.values.map((r) => r.integration), pagination: page.pagination, onaIntelligenceProviders: [] };
  },
}));
