// The LLM integration RPCs through a real client over a real socket: models of one provider, the
// endpoint and request header rules, the write-only API key (encrypted for the runner, never in a
// response body), organizations and runner callers, pagination, updates, deletion with the runner,
// the events they make, and the protocol flavours.
import { Code } from "@connectrpc/connect";
import { createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from "node:crypto";
import { ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { LLMIntegrationPhase, SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";
import { RunnerPhase, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  LLMIntegrationRequestHeaderType,
  LLMProvider,
  RunnerConfigurationService,
  type LLMIntegration,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { llmIntegrations } from "../../domain/llm-integrations/index.js";
import { openSecret } from "../../domain/secrets/index.js";
import { recordsWhere } from "../../store/scan.js";
import type { StoreChange } from "../../store/store.js";
import { startTestServer, testTokens, type Flavour, type TestServer } from "../../test-support/test-server.js";
import { describeEvent, releaseStreams, watch } from "../event/event-test-helpers.js";
import { eventService } from "../event/index.js";
import { runnerService } from "../runner/index.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { addRunner, allPages, expectFailure, leaks, rawBodies, runnerToken, tamper } from "./test-fixtures.js";

const { LLM_PROVIDER_ANTHROPIC: ANTHROPIC, LLM_PROVIDER_OPENAI: OPENAI } = LLMProvider;
const {
  LLM_INTEGRATION_PHASE_UNSPECIFIED: UNSPECIFIED_PHASE,
  LLM_INTEGRATION_PHASE_AVAILABLE: AVAILABLE,
  LLM_INTEGRATION_PHASE_UNAVAILABLE: UNAVAILABLE,
  LLM_INTEGRATION_PHASE_DISABLED: DISABLED,
} = LLMIntegrationPhase;
const {
  LLM_INTEGRATION_REQUEST_HEADER_TYPE_UNSPECIFIED: UNTYPED,
  LLM_INTEGRATION_REQUEST_HEADER_TYPE_LITERAL: LITERAL,
  LLM_INTEGRATION_REQUEST_HEADER_TYPE_CEL_EXPRESSION: CEL,
} = LLMIntegrationRequestHeaderType;

let server: TestServer;
let runnerId: string;
const client = (token: string, flavour?: Flavour) => server.client(RunnerConfigurationService, token, flavour);
let admin: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
const apiKey = "sk-ant-api03-PLAINTEXT-KEY-1234567890";
const unknownId = "00000000-0000-4000-8000-0000000fffff";
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService, runnerService, eventService] });
  runnerId = server.bootstrap.runnerId;
  admin = client(testTokens.admin);
  other = client(testTokens.other);
});
afterAll(() => server.close());
afterEach(() => releaseStreams(server));

const claude = (extra: Record<string, unknown> = {}) => ({
  runnerId,
  models: [SupportedModel.SONNET_4_5, SupportedModel.OPUS_4_5],
  apiKey,
  maxTokens: 8192n,
  ...extra,
});

async function get(id: string, c = admin): Promise<LLMIntegration> {
  return (await c.getLLMIntegration({ id })).integration!;
}

async function stored(id: string) {
  return (await server.deps.store.collection(llmIntegrations).get(id))!;
}

/** A runner that reported an X25519 public key, and the private key only it holds. */
function keyedRunner() {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url"));
  return { raw, privateKey: createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" })) };
}

/** Opens a value sealed for an X25519 public key (what the runner does with its private key). */
function openAsRunner(privateKey: KeyObject, publicKeyRaw: Uint8Array, sealed: Uint8Array): string {
  const buf = Buffer.from(sealed);
  expect(buf[0]).toBe(0x02);
  const ephemeral = buf.subarray(1, 33);
  const shared = diffieHellman({
    privateKey,
    publicKey: createPublicKey({ key: { kty: "OKP", crv: "X25519", x: ephemeral.toString("base64url") }, format: "jwk" }),
  });
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeral, publicKeyRaw]), Buffer.from("gitpod-connect/runner-sealed-box/v1"), 32));
  const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(33, 45));
  decipher.setAAD(buf.subarray(0, 33));
  decipher.setAuthTag(buf.subarray(45, 61));
  return Buffer.concat([decipher.update(buf.subarray(61)), decipher.final()]).toString("utf8");
}

describe("CreateLLMIntegration", () => {
  it("creates an AVAILABLE integration whose provider follows its models, each model kept once", async () => {
    const { id } = await admin.createLLMIntegration(claude({ models: [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5, SupportedModel.SONNET_4_5] }));
    const integration = await get(id);
    expect(integration).toMatchObject({
      id,
      runnerId,
      models: [SupportedModel.SONNET_4_5, SupportedModel.HAIKU_4_5],
      endpoint: "",
      maxTokens: 8192n,
      phase: AVAILABLE,
      phaseReason: "",
      requestHeaders: [],
      provider: ANTHROPIC,
    });
    const { id: openai } = await admin.createLLMIntegration(
      claude({ models: [SupportedModel.OPENAI_4O, SupportedModel.OPENAI_AUTO], endpoint: "https://gateway.example.com/openai/v1?api-version=2025-01" }),
    );
    expect(await get(openai)).toMatchObject({ provider: OPENAI, endpoint: "https://gateway.example.com/openai/v1?api-version=2025-01" });
  });

  it("stores the API key only encrypted for the runner (the server key for a runner without a public key)", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    const { encryptedApiKey } = await get(id);
    expect(encryptedApiKey.length).toBeGreaterThan(apiKey.length);
    expect(leaks(Buffer.from(encryptedApiKey), apiKey)).toBe(false);
    expect(openSecret(encryptedApiKey)).toBe(apiKey); // the bootstrap runner reported no public key
    expect((await stored(id)).value.integration.encryptedApiKey).toEqual(encryptedApiKey);
  });

  it("encrypts the API key with the runner's X25519 public key when the runner has one", async () => {
    const { raw, privateKey } = keyedRunner();
    const keyed = await addRunner(server, { publicKey: raw });
    const { id } = await admin.createLLMIntegration(claude({ runnerId: keyed }));
    const sealed = (await get(id)).encryptedApiKey;
    expect(() => openSecret(sealed)).toThrow();
    expect(openAsRunner(privateKey, raw, sealed)).toBe(apiKey);
  });

  it("accepts an integration without an API key: encrypted_api_key stays empty", async () => {
    const { id } = await admin.createLLMIntegration(claude({ apiKey: "", endpoint: "http://localhost:8080/v1", maxTokens: 0n }));
    expect(await get(id)).toMatchObject({ encryptedApiKey: new Uint8Array(), endpoint: "http://localhost:8080/v1", maxTokens: 0n });
  });

  it("rejects models of two providers, an unspecified model and no model, with invalid_argument naming the field", async () => {
    await expectFailure(
      admin.createLLMIntegration(claude({ models: [SupportedModel.SONNET_4, SupportedModel.OPENAI_4O] })),
      Code.InvalidArgument,
      "models:",
      "one provider",
      "SUPPORTED_MODEL_SONNET_4 is Anthropic's",
      "SUPPORTED_MODEL_OPENAI_4O is OpenAI's",
    );
    await expectFailure(admin.createLLMIntegration(claude({ models: [SupportedModel.OPUS_4, SupportedModel.UNSPECIFIED] })), Code.InvalidArgument, "models[1]", "SUPPORTED_MODEL_UNSPECIFIED is not a model");
    await expectFailure(admin.createLLMIntegration(claude({ models: [] })), Code.InvalidArgument, "models");
  });

  it.each([
    ["not a url", "not an absolute URL"],
    ["/v1/messages", "not an absolute URL"],
    ["ftp://models.example.com", "http or https"],
    ["https://user:secret@models.example.com", "credentials"],
    ["https://models.example.com/v1#frag", "fragment"],
    [" https://models.example.com", "white space"],
  ])("rejects the endpoint %j with invalid_argument naming endpoint", async (endpoint, why) => {
    await expectFailure(admin.createLLMIntegration(claude({ endpoint })), Code.InvalidArgument, "endpoint:", why);
  });

  it("rejects an API key no request header could carry, without repeating it", async () => {
    const key = "sk-WITH-A-LINE-BREAK\nsecond-line";
    const e = await expectFailure(admin.createLLMIntegration(claude({ apiKey: key })), Code.InvalidArgument, "api_key", "control characters");
    expect(leaks(e.rawMessage, "sk-WITH-A-LINE-BREAK")).toBe(false);
    await expectFailure(admin.createLLMIntegration(claude({ apiKey: ` ${apiKey}` })), Code.InvalidArgument, "api_key", "white space");
  });

  it("answers not_found for an unknown runner and for another organization's runner", async () => {
    await expectFailure(admin.createLLMIntegration(claude({ runnerId: unknownId })), Code.NotFound, "runner", unknownId);
    await expectFailure(other.createLLMIntegration(claude()), Code.NotFound, "runner", runnerId);
  });

  it("refuses a runner that is being deleted with failed_precondition", async () => {
    const leaving = await addRunner(server, { desiredPhase: RunnerPhase.DELETED });
    await expectFailure(admin.createLLMIntegration(claude({ runnerId: leaving })), Code.FailedPrecondition, "being deleted");
    const deleting = await addRunner(server);
    await server.client(RunnerService, testTokens.admin).deleteRunner({ runnerId: deleting });
    await expectFailure(admin.createLLMIntegration(claude({ runnerId: deleting })), Code.FailedPrecondition, "being deleted");
  });
});

describe("the write-only API key", () => {
  it("never appears in the JSON or binary body of a Create, Get, List or Update response, nor does a header value", async () => {
    const secret = "sk-THAT-MUST-NOT-LEAK-42-abcdefghij";
    const headerSecret = "Bearer header-SECRET-value-77";
    const created = await rawBodies(server, "createLLMIntegration", claude({ apiKey: secret }), testTokens.admin);
    const id = (JSON.parse(created.json) as { id: string }).id;
    const updated = await rawBodies(
      server,
      "updateLLMIntegration",
      { id, apiKey: secret + "-v2", requestHeaders: [{ key: "Authorization", value: text(headerSecret), headerType: LITERAL }] },
      testTokens.admin,
    );
    const bodies = [
      created,
      updated,
      await rawBodies(server, "getLLMIntegration", { id }, testTokens.admin),
      await rawBodies(server, "listLLMIntegrations", { pagination: { pageSize: 100 } }, testTokens.admin),
    ];
    for (const { json, binary } of bodies) {
      for (const s of [secret, secret + "-v2", headerSecret]) {
        expect(leaks(json, s)).toBe(false);
        expect(leaks(binary, s)).toBe(false);
      }
    }
    // What Get and List carry instead: the ciphertext.
    expect(bodies[2]!.json).toContain("encryptedApiKey");
    expect(bodies[3]!.json).toContain(id);
    expect(openSecret((await get(id)).encryptedApiKey)).toBe(secret + "-v2");
  });
});

describe("GetLLMIntegration", () => {
  it("answers not_found for an unknown id and hides another organization's integration", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await expectFailure(admin.getLLMIntegration({ id: unknownId }), Code.NotFound, "LLM integration", unknownId);
    await expectFailure(other.getLLMIntegration({ id }), Code.NotFound, "LLM integration", id);
  });
});

describe("ListLLMIntegrations", () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await addRunner(server);
    b = await addRunner(server);
    for (let i = 0; i < 7; i++) await admin.createLLMIntegration(claude({ runnerId: a, maxTokens: BigInt(i) }));
    for (let i = 0; i < 4; i++) await admin.createLLMIntegration(claude({ runnerId: b, models: [SupportedModel.OPENAI_O1], maxTokens: BigInt(100 + i) }));
  });

  const pages = (filter: { runnerIds: string[] }, pageSize: number, c = admin) =>
    allPages(async (token) => {
      const page = await c.listLLMIntegrations({ filter, pagination: { token, pageSize } });
      expect(page.llmManagedByOna).toBe(false);
      expect(page.onaIntelligenceProviders).toEqual([]);
      return { items: page.integrations, nextToken: page.pagination?.nextToken ?? "" };
    });

  it("pages through the integrations of some runners in creation order", async () => {
    const onlyA = await pages({ runnerIds: [a] }, 3);
    expect(onlyA.pages).toBe(3);
    expect(onlyA.items.map((i) => i.maxTokens)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
    const both = await pages({ runnerIds: [b, a] }, 3);
    expect(both.pages).toBe(4);
    expect(both.items.map((i) => i.maxTokens)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 100n, 101n, 102n, 103n]);
    expect(both.items.filter((i) => i.runnerId === b).every((i) => i.provider === OPENAI)).toBe(true);
    const all = await pages({ runnerIds: [] }, 100);
    expect(all.items.length).toBeGreaterThanOrEqual(11);
  });

  it("shows nothing of another organization and rejects tampered or re-filtered page tokens", async () => {
    expect((await pages({ runnerIds: [] }, 50, other)).items).toEqual([]);
    expect((await pages({ runnerIds: [a] }, 50, other)).items).toEqual([]);
    const first = await admin.listLLMIntegrations({ filter: { runnerIds: [a] }, pagination: { pageSize: 2 } });
    const token = first.pagination!.nextToken;
    expect(token).not.toBe("");
    await expectFailure(
      admin.listLLMIntegrations({ filter: { runnerIds: [a] }, pagination: { token: tamper(token), pageSize: 2 } }),
      Code.InvalidArgument,
      "pagination.token",
    );
    await expectFailure(admin.listLLMIntegrations({ filter: { runnerIds: [b] }, pagination: { token, pageSize: 2 } }), Code.InvalidArgument, "pagination.token");
    await expectFailure(other.listLLMIntegrations({ filter: { runnerIds: [a] }, pagination: { token, pageSize: 2 } }), Code.InvalidArgument, "pagination.token");
  });
});

describe("UpdateLLMIntegration", () => {
  it("changes only the fields that are set", async () => {
    const { id } = await admin.createLLMIntegration(claude({ endpoint: "https://anthropic.example.com" }));
    const before = await get(id);
    await admin.updateLLMIntegration({ id, maxTokens: 1024n });
    expect(await get(id)).toEqual({ ...before, maxTokens: 1024n });
    await admin.updateLLMIntegration({ id, endpoint: "https://bedrock-proxy.example.com/v1" });
    expect(await get(id)).toEqual({ ...before, maxTokens: 1024n, endpoint: "https://bedrock-proxy.example.com/v1" });
    await admin.updateLLMIntegration({ id, endpoint: "" }); // back to the provider's default
    expect((await get(id)).endpoint).toBe("");
    await expectFailure(admin.updateLLMIntegration({ id, endpoint: "mailto:models@example.com" }), Code.InvalidArgument, "endpoint");
    expect((await get(id)).endpoint).toBe("");
  });

  it("writes nothing when nothing is set or nothing changes", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await admin.updateLLMIntegration({ id });
    await admin.updateLLMIntegration({ id, maxTokens: 8192n, models: [SupportedModel.SONNET_4_5, SupportedModel.OPUS_4_5] });
    expect((await stored(id)).version).toBe(1);
  });

  it("replaces the models when some are given and derives the provider again; an empty list keeps them", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await admin.updateLLMIntegration({ id, models: [SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_O1_MINI] });
    expect(await get(id)).toMatchObject({ models: [SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_O1_MINI], provider: OPENAI });
    await admin.updateLLMIntegration({ id, models: [], maxTokens: 1n });
    expect(await get(id)).toMatchObject({ models: [SupportedModel.OPENAI_4O_MINI, SupportedModel.OPENAI_O1_MINI], provider: OPENAI });
    await expectFailure(admin.updateLLMIntegration({ id, models: [SupportedModel.OPENAI_4O, SupportedModel.HAIKU_4_5] }), Code.InvalidArgument, "models");
    expect((await get(id)).provider).toBe(OPENAI);
  });

  it("re-encrypts a new API key for the runner, and removes the key for an empty one", async () => {
    const { raw, privateKey } = keyedRunner();
    const keyed = await addRunner(server, { publicKey: raw });
    const { id } = await admin.createLLMIntegration(claude({ runnerId: keyed }));
    const first = (await get(id)).encryptedApiKey;
    await admin.updateLLMIntegration({ id, apiKey: "sk-second-key" });
    const second = (await get(id)).encryptedApiKey;
    expect(second).not.toEqual(first);
    expect(openAsRunner(privateKey, raw, second)).toBe("sk-second-key");
    await admin.updateLLMIntegration({ id, apiKey: apiKey }); // the same key again: a fresh ciphertext
    const third = (await get(id)).encryptedApiKey;
    expect(third).not.toEqual(first);
    expect(openAsRunner(privateKey, raw, third)).toBe(apiKey);
    await admin.updateLLMIntegration({ id, apiKey: "" });
    expect((await get(id)).encryptedApiKey).toEqual(new Uint8Array());
  });

  it("sets the phase with a reason naming who set it, and rejects UNSPECIFIED", async () => {
    const own = await addRunner(server);
    const { id } = await admin.createLLMIntegration(claude({ runnerId: own }));
    await admin.updateLLMIntegration({ id, phase: DISABLED });
    expect(await get(id)).toMatchObject({ phase: DISABLED, phaseReason: "disabled by a user" });
    await client(await runnerToken(server, own)).updateLLMIntegration({ id, phase: UNAVAILABLE });
    expect(await get(id)).toMatchObject({ phase: UNAVAILABLE, phaseReason: "marked unavailable by the runner" });
    await admin.updateLLMIntegration({ id, phase: AVAILABLE });
    expect(await get(id)).toMatchObject({ phase: AVAILABLE, phaseReason: "" });
    await expectFailure(admin.updateLLMIntegration({ id, phase: UNSPECIFIED_PHASE }), Code.InvalidArgument, "phase", "LLM_INTEGRATION_PHASE_UNSPECIFIED");
    await expectFailure(admin.updateLLMIntegration({ id, phase: 42 as LLMIntegrationPhase }), Code.InvalidArgument, "phase");
    expect((await get(id)).phase).toBe(AVAILABLE);
  });

  it("replaces the request headers, each value encrypted for the runner; an empty list keeps them", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await admin.updateLLMIntegration({
      id,
      requestHeaders: [
        { key: "X-Team", value: text("platform"), headerType: LITERAL },
        { key: "anthropic-beta", value: text("tools-2024-04-04"), headerType: UNTYPED },
        { key: "X-User", value: text('has(request.user) ? request.user : "anonymous"'), headerType: CEL },
      ],
    });
    const headers = (await get(id)).requestHeaders;
    expect(headers.map((h) => [h.key, h.headerType, openSecret(h.value)])).toEqual([
      ["X-Team", LITERAL, "platform"],
      ["anthropic-beta", UNTYPED, "tools-2024-04-04"],
      ["X-User", CEL, 'has(request.user) ? request.user : "anonymous"'],
    ]);
    await admin.updateLLMIntegration({ id, maxTokens: 5n });
    expect((await get(id)).requestHeaders.map((h) => h.key)).toEqual(["X-Team", "anthropic-beta", "X-User"]);
    await admin.updateLLMIntegration({ id, requestHeaders: [{ key: "X-Only", value: text("1"), headerType: LITERAL }] });
    expect((await get(id)).requestHeaders.map((h) => h.key)).toEqual(["X-Only"]);
  });

  it("rejects a bad header name, value, type or CEL expression with invalid_argument naming it, changing nothing", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    const ok = { key: "X-Ok", value: text("fine"), headerType: LITERAL };
    const second = { key: "X-Second", value: text("also fine"), headerType: LITERAL };
    const update = (h: { key: string; value: Uint8Array; headerType: LLMIntegrationRequestHeaderType }) =>
      admin.updateLLMIntegration({ id, requestHeaders: [ok, h] });
    await expectFailure(update({ ...second, key: "Bad Header" }), Code.InvalidArgument, "request_headers[1].key", "not a valid HTTP header name");
    await expectFailure(update({ ...second, key: "" }), Code.InvalidArgument, "request_headers[1].key");
    await expectFailure(update({ ...second, key: "Content-Length" }), Code.InvalidArgument, "request_headers[1].key", "set by the runner");
    await expectFailure(update({ ...second, key: "x-ok" }), Code.InvalidArgument, "request_headers[1].key", "repeats request_headers[0].key");
    await expectFailure(update({ ...second, value: text("one\r\nInjected: two") }), Code.InvalidArgument, "request_headers[1].value", "control characters");
    await expectFailure(update({ ...second, value: Uint8Array.of(0xff, 0xfe) }), Code.InvalidArgument, "request_headers[1].value", "UTF-8");
    await expectFailure(update({ ...second, value: new Uint8Array(8193).fill(0x61) }), Code.InvalidArgument, "request_headers[1].value", "8192");
    await expectFailure(update({ ...second, value: text("request.user +"), headerType: CEL }), Code.InvalidArgument, "request_headers[1].value", "not a CEL expression");
    await expectFailure(update({ ...second, value: text("  "), headerType: CEL }), Code.InvalidArgument, "request_headers[1].value", "empty");
    await expectFailure(update({ ...second, headerType: 7 as LLMIntegrationRequestHeaderType }), Code.InvalidArgument, "request_headers[1].header_type");
    expect((await get(id)).requestHeaders).toEqual([]);
    expect((await stored(id)).version).toBe(1);
  });

  it("answers not_found for an unknown integration and for another organization's, changing nothing", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await expectFailure(admin.updateLLMIntegration({ id: unknownId, maxTokens: 1n }), Code.NotFound, unknownId);
    await expectFailure(other.updateLLMIntegration({ id, maxTokens: 1n, phase: DISABLED }), Code.NotFound, id);
    expect(await get(id)).toMatchObject({ maxTokens: 8192n, phase: AVAILABLE });
  });

  it("serializes 20 parallel updates: endpoint and token limit always come from the same update", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.updateLLMIntegration({ id, endpoint: `https://llm${i}.example.com`, maxTokens: BigInt(1000 + i) })),
    );
    const record = await stored(id);
    expect(record.version).toBe(21);
    const n = /^https:\/\/llm(\d+)\.example\.com$/.exec(record.value.integration.endpoint)?.[1];
    expect(record.value.integration.maxTokens).toBe(BigInt(1000 + Number(n)));
  });

  it("loses no change of 6 parallel updates of different fields", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await Promise.all([
      admin.updateLLMIntegration({ id, maxTokens: 77n }),
      admin.updateLLMIntegration({ id, endpoint: "https://one.example.com" }),
      admin.updateLLMIntegration({ id, phase: DISABLED }),
      admin.updateLLMIntegration({ id, models: [SupportedModel.OPUS_4_8] }),
      admin.updateLLMIntegration({ id, requestHeaders: [{ key: "X-A", value: text("a"), headerType: LITERAL }] }),
      admin.updateLLMIntegration({ id, apiKey: "sk-parallel" }),
    ]);
    const integration = await get(id);
    expect(integration).toMatchObject({ maxTokens: 77n, endpoint: "https://one.example.com", phase: DISABLED, models: [SupportedModel.OPUS_4_8] });
    expect(integration.requestHeaders.map((h) => h.key)).toEqual(["X-A"]);
    expect(openSecret(integration.encryptedApiKey)).toBe("sk-parallel");
    expect((await stored(id)).version).toBe(7);
  });
});

describe("DeleteLLMIntegration", () => {
  it("removes the integration, with or without force; a second delete is not_found", async () => {
    for (const force of [false, true]) {
      const { id } = await admin.createLLMIntegration(claude());
      await admin.deleteLLMIntegration({ id, force });
      await expectFailure(admin.getLLMIntegration({ id }), Code.NotFound, id);
      await expectFailure(admin.deleteLLMIntegration({ id, force }), Code.NotFound, id);
      expect(await server.deps.store.collection(llmIntegrations).get(id)).toBeUndefined();
    }
  });

  it("hides another organization's integration as not_found and leaves it in place", async () => {
    const { id } = await admin.createLLMIntegration(claude());
    await expectFailure(other.deleteLLMIntegration({ id, force: true }), Code.NotFound, id);
    expect((await get(id)).id).toBe(id);
  });
});

describe("a runner's token", () => {
  let own: string;
  let foreign: string;
  let runner: ReturnType<typeof client>;
  let ownId: string;
  let foreignId: string;
  beforeAll(async () => {
    own = await addRunner(server);
    foreign = await addRunner(server);
    runner = client(await runnerToken(server, own));
    ownId = (await runner.createLLMIntegration(claude({ runnerId: own }))).id;
    foreignId = (await admin.createLLMIntegration(claude({ runnerId: foreign }))).id;
  });

  it("may not create an integration for another runner (permission_denied)", async () => {
    await expectFailure(runner.createLLMIntegration(claude({ runnerId: foreign })), Code.PermissionDenied, foreign);
    await expectFailure(runner.createLLMIntegration(claude({ runnerId: unknownId })), Code.PermissionDenied, unknownId);
  });

  it("sees another runner's integration as not_found, and cannot change or delete it", async () => {
    await expectFailure(runner.getLLMIntegration({ id: foreignId }), Code.NotFound, foreignId);
    await expectFailure(runner.updateLLMIntegration({ id: foreignId, phase: DISABLED }), Code.NotFound, foreignId);
    await expectFailure(runner.deleteLLMIntegration({ id: foreignId, force: true }), Code.NotFound, foreignId);
    expect((await get(foreignId)).phase).toBe(AVAILABLE);
  });

  it("lists only its own runner's integrations, whatever the filter", async () => {
    expect((await runner.listLLMIntegrations({})).integrations.map((i) => i.id)).toEqual([ownId]);
    expect((await runner.listLLMIntegrations({ filter: { runnerIds: [foreign] } })).integrations).toEqual([]);
    const all = (await admin.listLLMIntegrations({ pagination: { pageSize: 100 }, filter: { runnerIds: [own, foreign] } })).integrations.map((i) => i.id);
    expect(all).toEqual([ownId, foreignId]);
  });

  it("manages its own runner's integrations", async () => {
    await runner.updateLLMIntegration({ id: ownId, maxTokens: 3n });
    expect((await get(ownId, runner)).maxTokens).toBe(3n);
    const { id } = await runner.createLLMIntegration(claude({ runnerId: own }));
    await runner.deleteLLMIntegration({ id });
    await expectFailure(runner.getLLMIntegration({ id }), Code.NotFound);
  });
});

describe("deleting the runner", () => {
  it("removes its LLM integrations in the transaction that marks it deleted, and no one else's", async () => {
    const doomed = await addRunner(server);
    const kept = await addRunner(server);
    const ids = [(await admin.createLLMIntegration(claude({ runnerId: doomed }))).id, (await admin.createLLMIntegration(claude({ runnerId: doomed }))).id];
    const keptId = (await admin.createLLMIntegration(claude({ runnerId: kept }))).id;
    const commits: (readonly StoreChange[])[] = [];
    const stop = server.deps.store.onCommit((changes) => commits.push(changes));
    try {
      await server.client(RunnerService, testTokens.admin).deleteRunner({ runnerId: doomed });
    } finally {
      stop();
    }
    const commit = commits.find((c) => c.some((ch) => ch.collection === llmIntegrations.name));
    expect(commit?.filter((ch) => ch.collection === llmIntegrations.name).map((ch) => `${ch.op} ${ch.record.id}`)).toEqual(ids.map((id) => `delete ${id}`));
    expect(commit?.some((ch) => ch.collection === "runners" && ch.record.id === doomed)).toBe(true);
    for (const id of ids) await expectFailure(admin.getLLMIntegration({ id }), Code.NotFound, id);
    expect((await get(keptId)).runnerId).toBe(kept);
  });

  it("leaves no LLM integration behind when creates race a forced DeleteRunner", async () => {
    const doomed = await addRunner(server);
    const runners = server.client(RunnerService, testTokens.admin);
    const results = await Promise.allSettled([
      ...Array.from({ length: 5 }, () => admin.createLLMIntegration(claude({ runnerId: doomed }))),
      runners.deleteRunner({ runnerId: doomed, force: true }),
      ...Array.from({ length: 5 }, () => admin.createLLMIntegration(claude({ runnerId: doomed }))),
    ]);
    expect(results[5]!.status).toBe("fulfilled");
    const left = await recordsWhere(server.deps.store, llmIntegrations, server.bootstrap.organizationId, (r) => r.integration.runnerId === doomed);
    expect(left).toEqual([]);
  });
});

describe("events", () => {
  const llmOnly = [{ resourceType: ResourceType.RUNNER_LLM_INTEGRATION }];

  it("WatchEvents reports create, update and delete as RUNNER_LLM_INTEGRATION events, and no event for a change of nothing", async () => {
    const stream = await watch(server, testTokens.admin, { scope: { case: "organization", value: true }, resourceTypeFilters: llmOnly });
    const { id } = await admin.createLLMIntegration(claude());
    expect(describeEvent(await stream.next())).toBe(`CREATE RUNNER_LLM_INTEGRATION ${id}`);
    await admin.updateLLMIntegration({ id, phase: DISABLED });
    expect(describeEvent(await stream.next())).toBe(`UPDATE RUNNER_LLM_INTEGRATION ${id}`);
    await admin.updateLLMIntegration({ id, phase: DISABLED });
    expect(await stream.quietFor(100)).toBe(true);
    await admin.deleteLLMIntegration({ id });
    expect(describeEvent(await stream.next())).toBe(`DELETE RUNNER_LLM_INTEGRATION ${id}`);
  });

  it("shows a runner's token the events of its own runner's integrations only", async () => {
    const own = await addRunner(server);
    const foreign = await addRunner(server);
    const stream = await watch(server, await runnerToken(server, own), { resourceTypeFilters: llmOnly });
    await admin.createLLMIntegration(claude({ runnerId: foreign }));
    const { id } = await admin.createLLMIntegration(claude({ runnerId: own }));
    expect(describeEvent(await stream.next())).toBe(`CREATE RUNNER_LLM_INTEGRATION ${id}`);
    expect(await stream.quietFor(100)).toBe(true);
  });
});

describe.each(["grpc", "grpc-web", "connect-binary"] as const)("over %s", (flavour) => {
  it("creates, reads, lists, updates and deletes an integration", async () => {
    const c = client(testTokens.admin, flavour);
    const own = await addRunner(server);
    const { id } = await c.createLLMIntegration(claude({ runnerId: own, models: [SupportedModel.OPENAI_AUTO] }));
    expect((await c.getLLMIntegration({ id })).integration).toMatchObject({ id, provider: OPENAI, phase: AVAILABLE });
    await c.updateLLMIntegration({ id, requestHeaders: [{ key: "X-Flavour", value: text(flavour), headerType: LITERAL }], maxTokens: 2n });
    const listed = await c.listLLMIntegrations({ filter: { runnerIds: [own] } });
    expect(listed.integrations.map((i) => [i.id, i.maxTokens, i.requestHeaders.map((h) => h.key)])).toEqual([[id, 2n, ["X-Flavour"]]]);
    await expectFailure(c.createLLMIntegration(claude({ runnerId: own, models: [SupportedModel.OPENAI_AUTO, SupportedModel.SONNET_5] })), Code.InvalidArgument, "models");
    await c.deleteLLMIntegration({ id });
    await expectFailure(c.getLLMIntegration({ id }), Code.NotFound, id);
  });
});
