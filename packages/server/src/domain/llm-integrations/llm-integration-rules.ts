// What makes an LLM integration acceptable: models of one provider (which the integration's
// provider is derived from), an endpoint that is empty or an absolute http(s) URL, request headers
// with valid names and values (a CEL_EXPRESSION value must parse as CEL), an API key fit for a
// request header, and a phase that says something. Each problem is invalid_argument naming the
// request field; messages never repeat an API key or a header value.
import { parse as parseCel } from "@bufbuild/cel";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { LLMIntegrationPhase, LLMIntegrationPhaseSchema, SupportedModelSchema, type SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";
import {
  LLMIntegrationRequestHeaderType,
  LLMIntegrationRequestHeaderTypeSchema,
  LLMProvider,
  type LLMIntegrationRequestHeader,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { invalidArgument } from "../../errors.js";

const providerNames: Record<LLMProvider, string> = {
  [LLMProvider.LLM_PROVIDER_UNSPECIFIED]: "no provider",
  [LLMProvider.LLM_PROVIDER_ANTHROPIC]: "Anthropic",
  [LLMProvider.LLM_PROVIDER_OPENAI]: "OpenAI",
};

const modelName = (m: SupportedModel) => SupportedModelSchema.value[m]?.name ?? `model ${m}`;

/**
 * The provider whose model `m` is: the Claude models (Sonnet, Opus, Haiku) are Anthropic's, the
 * OPENAI_* ones OpenAI's. UNSPECIFIED (and a model this server does not know) has none.
 */
export function providerOfModel(m: SupportedModel): LLMProvider {
  const name = SupportedModelSchema.value[m]?.localName ?? "";
  if (/^(SONNET|OPUS|HAIKU)_/.test(name)) return LLMProvider.LLM_PROVIDER_ANTHROPIC;
  if (/^OPENAI_/.test(name)) return LLMProvider.LLM_PROVIDER_OPENAI;
  return LLMProvider.LLM_PROVIDER_UNSPECIFIED;
}

/**
 * The models of an integration, each kept once in the order first given, and the provider they
 * come from. invalid_argument naming `models[i]` for a model without provider (UNSPECIFIED, which
 * `defined_only` lets through), `models` for models of two providers or for none at all.
 */
export function modelsOf(models: readonly SupportedModel[]): { models: SupportedModel[]; provider: LLMProvider } {
  if (models.length === 0) throw invalidArgument("models", "at least one model is required");
  const kept: SupportedModel[] = [];
  let first: SupportedModel | undefined;
  for (const [i, m] of models.entries()) {
    const provider = providerOfModel(m);
    if (provider === LLMProvider.LLM_PROVIDER_UNSPECIFIED)
      throw invalidArgument(`models[${i}]`, `${modelName(m)} is not a model an integration can offer`);
    if (first !== undefined && providerOfModel(first) !== provider)
      throw invalidArgument(
        "models",
        `all models of an integration must come from one provider: ${modelName(first)} is ${providerNames[providerOfModel(first)]}'s, ${modelName(m)} is ${providerNames[provider]}'s`,
      );
    first ??= m;
    if (!kept.includes(m)) kept.push(m);
  }
  return { models: kept, provider: providerOfModel(first!) };
}

/**
 * Why `endpoint` is not acceptable, or undefined: empty (the provider's default) or an absolute
 * http(s) URL with a host, without user info (credentials belong in api_key or a request header,
 * not in a URL every reader sees), without a fragment and without surrounding white space.
 */
export function endpointProblem(endpoint: string): string | undefined {
  if (endpoint === "") return undefined;
  if (endpoint.trim() !== endpoint) return "must not start or end with white space";
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `${JSON.stringify(endpoint)} is not an absolute URL; leave it empty for the provider's default`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `must be an http or https URL, not ${url.protocol.slice(0, -1)}`;
  if (url.hostname === "") return "must name a host";
  if (url.username !== "" || url.password !== "") return "must not contain credentials; set api_key or a request header instead";
  if (url.hash !== "") return "must not have a fragment";
  return undefined;
}

/** invalid_argument naming `endpoint` unless it is acceptable. */
export function assertEndpoint(endpoint: string): void {
  const problem = endpointProblem(endpoint);
  if (problem) throw invalidArgument("endpoint", problem);
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const controlCharacters = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above; a horizontal tab is allowed inside a header value
const controlCharactersButTab = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * invalid_argument naming `api_key` for a key no request header could carry: control characters
 * (a line break), or white space around it (a copy-paste slip). Empty means no key.
 */
export function assertApiKey(apiKey: string): void {
  if (apiKey === "") return;
  if (controlCharacters.test(apiKey)) throw invalidArgument("api_key", "must not contain control characters");
  if (apiKey.trim() !== apiKey) throw invalidArgument("api_key", "must not start or end with white space");
}

/** An HTTP field name (RFC 9110 `token`). */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the runner's HTTP client sets for every request itself (framing, connection management). */
const reservedHeaders: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "te",
  "trailer",
]);

/** The most bytes a header value may have (what HTTP servers commonly accept for one header). */
export const maxHeaderValueBytes = 8192;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A request header whose value has been checked, with that value as text. */
export interface CheckedHeader {
  key: string;
  headerType: LLMIntegrationRequestHeaderType;
  /** The value (a literal, or a CEL expression) as text; it is encrypted before it is stored. */
  text: string;
}

/**
 * The request headers, checked: each key an HTTP field name, not reserved and not repeated
 * (names are case-insensitive); each value UTF-8 text of at most 8 KiB; a LITERAL (or, as the
 * docs say for old clients, UNSPECIFIED) value without control characters, a CEL_EXPRESSION value
 * that parses as CEL. invalid_argument naming `request_headers[i].key` / `.value` / `.header_type`.
 */
export function checkRequestHeaders(headers: readonly LLMIntegrationRequestHeader[]): CheckedHeader[] {
  const seen = new Map<string, number>();
  return headers.map((h, i) => {
    const at = (field: string) => `request_headers[${i}].${field}`;
    if (!headerName.test(h.key)) throw invalidArgument(at("key"), `${JSON.stringify(h.key)} is not a valid HTTP header name`);
    const lower = h.key.toLowerCase();
    if (reservedHeaders.has(lower)) throw invalidArgument(at("key"), `${h.key} is set by the runner for every request and cannot be configured`);
    const earlier = seen.get(lower);
    if (earlier !== undefined) throw invalidArgument(at("key"), `repeats request_headers[${earlier}].key (header names are case-insensitive)`);
    seen.set(lower, i);

    if (h.value.length > maxHeaderValueBytes) throw invalidArgument(at("value"), `must be at most ${maxHeaderValueBytes} bytes, got ${h.value.length}`);
    let text: string;
    try {
      text = utf8.decode(h.value);
    } catch {
      throw invalidArgument(at("value"), "must be UTF-8 text");
    }
    switch (h.headerType) {
      case LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_UNSPECIFIED:
      case LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_LITERAL:
        if (controlCharactersButTab.test(text)) throw invalidArgument(at("value"), "a literal header value must not contain control characters (line breaks)");
        break;
      case LLMIntegrationRequestHeaderType.LLM_INTEGRATION_REQUEST_HEADER_TYPE_CEL_EXPRESSION:
        if (text.trim() === "") throw invalidArgument(at("value"), "a CEL expression must not be empty");
        try {
          parseCel(text);
        } catch (e) {
          // The parser's message points into the expression (e.g. "<input>:1:3: found + …").
          throw invalidArgument(at("value"), `is not a CEL expression: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
      default:
        // defined_only rejects this before the handler; kept for values of a newer schema.
        throw invalidArgument(at("header_type"), `must be one of ${LLMIntegrationRequestHeaderTypeSchema.values.map((v) => v.name).join(", ")}`);
    }
    return { key: h.key, headerType: h.headerType, text };
  });
}

const settablePhases: ReadonlySet<LLMIntegrationPhase> = new Set([
  LLMIntegrationPhase.LLM_INTEGRATION_PHASE_AVAILABLE,
  LLMIntegrationPhase.LLM_INTEGRATION_PHASE_UNAVAILABLE,
  LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED,
]);

/** invalid_argument naming `phase` unless it is AVAILABLE, UNAVAILABLE or DISABLED. */
export function assertSettablePhase(phase: LLMIntegrationPhase): void {
  if (!settablePhases.has(phase))
    throw invalidArgument(
      "phase",
      `must be ${[...settablePhases].map((p) => LLMIntegrationPhaseSchema.value[p].name).join(", ")}, not ${LLMIntegrationPhaseSchema.value[phase]?.name ?? String(phase)}`,
    );
}

const principalWords: Partial<Record<Principal, string>> = {
  [Principal.USER]: "a user",
  [Principal.SERVICE_ACCOUNT]: "a service account",
  [Principal.RUNNER]: "the runner",
};

/** The phase_reason an UpdateLLMIntegration that sets `phase` leaves: empty for AVAILABLE. */
export function phaseReasonOf(phase: LLMIntegrationPhase, by: Principal): string {
  const who = principalWords[by] ?? "a caller";
  switch (phase) {
    case LLMIntegrationPhase.LLM_INTEGRATION_PHASE_UNAVAILABLE:
      return `marked unavailable by ${who}`;
    case LLMIntegrationPhase.LLM_INTEGRATION_PHASE_DISABLED:
      return `disabled by ${who}`;
    default:
      return "";
  }
}
