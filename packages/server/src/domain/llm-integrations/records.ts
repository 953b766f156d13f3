// The record of LLM integrations: a runner's connection to a language model provider. The record
// holds the API message as the RPCs return it — its encrypted_api_key (and every request header
// value) already encrypted for the runner, so nothing stored here is a secret in clear.
import { clone } from "@bufbuild/protobuf";
import { LLMIntegrationSchema, type LLMIntegration } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { CollectionSpec } from "../../store/store.js";

/** A stored LLM integration; the record's organization is its runner's. */
export interface LlmIntegrationRecord {
  integration: LLMIntegration;
}

/** LLM integrations, keyed by integration.id; any number per runner. */
export const llmIntegrations: CollectionSpec<LlmIntegrationRecord> = {
  name: "llm_integrations",
  kind: "LLM integration",
  copy: (r) => ({ integration: clone(LLMIntegrationSchema, r.integration) }),
};
