// DeleteLLMIntegration: removes an LLM integration. Nothing on this server depends on one (no
// environment or agent uses it), so `force` is accepted and changes nothing.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { llmIntegrations, visibleLlmIntegration } from "../../domain/llm-integrations/index.js";

export const deleteLLMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async deleteLLMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    await deps.store.transaction(async (tx) => {
      await visibleLlmIntegration(tx, caller, req.id);
      await tx.collection(llmIntegrations).delete(req.id, { organizationId: caller.organizationId });
    });
    return {};
  },
}));
