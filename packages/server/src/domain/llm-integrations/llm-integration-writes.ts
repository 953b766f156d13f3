// The LLM integration a create or an update makes, checked by llm-integration-rules.ts. Secrets
// are encrypted for the runner (domain/secrets: with its X25519 public key when it reported one,
// else with the server key) before anything is stored: the API key becomes encrypted_api_key, and
// every request header value is stored (and returned) encrypted, as the SDK documents ("plain text
// values in update requests, encrypted binary values on read requests"). Nothing here returns or
// stores a secret in clear.
import { clone, create, equals } from "@bufbuild/protobuf";
import type { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { LLMIntegrationPhase, type SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  LLMIntegrationRequestHeaderSchema,
  LLMIntegrationSchema,
  type LLMIntegration,
  type LLMIntegrationRequestHeader,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { encryptForRunner } from "../secrets/index.js";
import { assertApiKey, assertEndpoint, assertSettablePhase, checkRequestHeaders, modelsOf, phaseReasonOf } from "./llm-integration-rules.js";

/** What CreateLLMIntegration asks for (the request's fields). */
export interface LlmIntegrationProposal {
  models: readonly SupportedModel[];
  endpoint: string;
  /** In clear; empty for none. */
  apiKey: string;
  maxTokens: bigint;
}

/** What UpdateLLMIntegration asks to change (the request's fields): unset or empty lists change nothing. */
export interface LlmIntegrationChanges {
  endpoint?: string;
  models: readonly SupportedModel[];
  /** In clear; "" removes the key. */
  apiKey?: string;
  maxTokens?: bigint;
  phase?: LLMIntegrationPhase;
  requestHeaders: readonly LLMIntegrationRequestHeader[];
}

/** The stored form of an API key: encrypted for the runner, or empty for none. */
function sealApiKey(runner: Runner, apiKey: string): Uint8Array {
  assertApiKey(apiKey);
  return apiKey === "" ? new Uint8Array() : encryptForRunner(runner, apiKey);
}

/** The stored form of request headers: checked, each value encrypted for the runner. */
function sealRequestHeaders(runner: Runner, headers: readonly LLMIntegrationRequestHeader[]): LLMIntegrationRequestHeader[] {
  return checkRequestHeaders(headers).map((h) =>
    create(LLMIntegrationRequestHeaderSchema, { key: h.key, headerType: h.headerType, value: encryptForRunner(runner, h.text) }),
  );
}

/** A new integration of `runner` (AVAILABLE, no request headers); invalid_argument naming the field at fault. */
export function newLlmIntegration(runner: Runner, id: string, p: LlmIntegrationProposal): LLMIntegration {
  const { models, provider } = modelsOf(p.models);
  assertEndpoint(p.endpoint);
  return create(LLMIntegrationSchema, {
    id,
    runnerId: runner.runnerId,
    models,
    endpoint: p.endpoint,
    encryptedApiKey: sealApiKey(runner, p.apiKey),
    maxTokens: p.maxTokens,
    phase: LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE,
    phaseReason: "",
    requestHeaders: [],
    provider,
  });
}

/**
 * `current` with the changes applied (a new message; `current` is untouched), or undefined when
 * they change nothing. `by` is the principal of the caller, for the phase_reason of a phase change.
 */
export function changedLlmIntegration(runner: Runner, current: LLMIntegration, c: LlmIntegrationChanges, by: Principal): LLMIntegration | undefined {
  const next = clone(LLMIntegrationSchema, current);
  if (c.endpoint !== undefined) {
    assertEndpoint(c.endpoint);
    next.endpoint = c.endpoint;
  }
  if (c.models.length > 0) {
    const { models, provider } = modelsOf(c.models);
    next.models = models;
    next.provider = provider;
  }
  if (c.apiKey !== undefined) next.encryptedApiKey = sealApiKey(runner, c.apiKey);
  if (c.maxTokens !== undefined) next.maxTokens = c.maxTokens;
  if (c.phase !== undefined) {
    assertSettablePhase(c.phase);
    next.phase = c.phase;
    next.phaseReason = phaseReasonOf(c.phase, by);
  }
  if (c.requestHeaders.length > 0) next.requestHeaders = sealRequestHeaders(runner, c.requestHeaders);
  return equals(LLMIntegrationSchema, current, next) ? undefined : next;
}
