// GetLLMIntegration: one LLM integration the caller may see (a runner: its own runner's only),
// its API key only as the ciphertext encrypted for the runner.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { visibleLlmIntegration } from "../../domain/llm-integrations/index.js";

export const getLLMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async getLLMIntegration(req, ctx) {
    return { integration: (await visibleLlmIntegration(deps.store, callerOf(ctx), req.id)).value.integration };
  },
}));
