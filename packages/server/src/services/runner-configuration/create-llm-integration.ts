// CreateLLMIntegration: a runner's connection to a language model provider (models of one
// provider, endpoint, token limit); the API key is stored only encrypted for the runner.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { llmIntegrations, newLlmIntegration } from "../../domain/llm-integrations/index.js";

export const createLLMIntegration = defineHandlers(RunnerConfigurationService, (deps) => ({
  async createLLMIntegration(req, ctx) {
    const caller = callerOf(ctx);
    const id = deps.ids.newId();
    await deps.store.transaction(async (tx) => {
      // In the inserting transaction: a concurrent DeleteRunner comes first (this fails) or removes it.
      const runner = await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "connect it to a language model provider");
      const integration = newLlmIntegration(runner, id, req);
      await tx.collection(llmIntegrations).insert({ id, organizationId: caller.organizationId, value: { integration } });
    });
    return { id };
  },
}));
