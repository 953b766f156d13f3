// UpdateLLMIntegration: changes what is set — endpoint, models (non-empty: replaced, provider
// derived again), API key (re-encrypted for the runner; "" removes it), token limit, phase, request
// headers (non-empty: replaced, values encrypted for the runner). A change of nothing writes nothing.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { findRunner } from "../../domain/runners/index.js";
import { changedLlmIntegration, llmIntegrations, visibleLlmIntegration } from "../../domain/llm-integrations/index.js";

export const updateLLMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async updateLLMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    await deps.store.transaction(async (tx) => {
      const { value } = await visibleLlmIntegration(tx, caller, req.id);
      const runner = (await findRunner(tx, deps.clock.nowMs(), organizationId, value.integration.runnerId)).value;
      const next = changedLlmIntegration(runner, value.integration, req, caller.subject.principal);
      if (next) await tx.collection(llmIntegrations).update(req.id, { integration: next }, { organizationId });
    });
    return {};
  },
}));
