// LLM integrations: a runner's connections to language model providers — the record, the rules
// (models of one provider, endpoint, request headers, API key, phase), the integration a create or
// an update makes (secrets encrypted for the runner), finding the one a call names, and removing a
// runner's integrations with the runner.
export { llmIntegrations, type LlmIntegrationRecord } from "./records.js";
export {
  providerOfModel,
  modelsOf,
  endpointProblem,
  assertEndpoint,
  assertApiKey,
  checkRequestHeaders,
  assertSettablePhase,
  phaseReasonOf,
  maxHeaderValueBytes,
  type CheckedHeader,
} from "./llm-integration-rules.js";
export { newLlmIntegration, changedLlmIntegration, type LlmIntegrationProposal, type LlmIntegrationChanges } from "./llm-integration-writes.js";
export { visibleLlmIntegration, deleteLlmIntegrationsOf } from "./llm-integration-lookup.js";
