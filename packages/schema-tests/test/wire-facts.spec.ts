// The generated schema carries exactly the wire facts of the official API, service by service:
// every RPC, and every field's number, JSON name, type, presence, oneof, deprecation and
// protovalidate rules, every enum value. Binary messages therefore interoperate with the real
// service and its official clients.
import { create } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { SearchRepositoriesRequestSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { ValidateRunnerConfigurationRequestSchema } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { describe, expect, it } from "vitest";
import { schemaRegistry } from "../src/schema-registry.js";
import { currentWireFactsFile, extraWireFactsFile, wireFactsFile } from "../src/repo-paths.js";
import { compareService, compareType, loadAllWireFacts, loadWireFacts, typesOfService, validationDisabled } from "../src/wire-facts.js";

// All facts files: the 62 RPCs of the seeds, the two beyond them the current SDK relies on, and the
// 8 the four documented services have gained since.
const facts = loadAllWireFacts();
const typeFacts = new Map(facts.types.map((t) => [t.name, t]));

describe.each(facts.services.map((s) => [s.name, s] as const))("%s", (_name, service) => {
  it("declares every RPC of the facts with their request and response types and streaming kind", () => {
    expect(compareService(schemaRegistry, service)).toEqual([]);
  });

  it.each(typesOfService(facts, service.name))("%s matches the wire facts", (typeName) => {
    expect(compareType(schemaRegistry, typeFacts.get(typeName)!)).toEqual([]);
  });
});

describe("the facts themselves", () => {
  const main = loadWireFacts(wireFactsFile);
  const extra = loadWireFacts(extraWireFactsFile);
  const current = loadWireFacts(currentWireFactsFile);
  const rpcs = (f: typeof main) => f.services.flatMap((s) => s.methods.map((m) => `${s.name}/${m.name}${m.serverStreaming ? " (stream)" : ""}`));

  it("cover 62 RPCs across four services in the main file", () => {
    expect(rpcs(main)).toHaveLength(62);
  });

  it("add WatchEvents (a server stream) and GetAuthenticatedIdentity in the extra file", () => {
    expect(rpcs(extra)).toEqual(["gitpod.v1.EventService/WatchEvents (stream)", "gitpod.v1.IdentityService/GetAuthenticatedIdentity"]);
  });

  it("add 8 RPCs to EnvironmentService and RunnerConfigurationService in the current file: 70 in the four services", () => {
    expect(rpcs(current).sort()).toEqual(
      [
        "gitpod.v1.EnvironmentService/AllowPortAccess",
        "gitpod.v1.EnvironmentService/ArchiveEnvironment",
        "gitpod.v1.EnvironmentService/CreatePortAccessToken",
        "gitpod.v1.RunnerConfigurationService/CreateLLMIntegration",
        "gitpod.v1.RunnerConfigurationService/DeleteLLMIntegration",
        "gitpod.v1.RunnerConfigurationService/GetLLMIntegration",
        "gitpod.v1.RunnerConfigurationService/ListLLMIntegrations",
        "gitpod.v1.RunnerConfigurationService/UpdateLLMIntegration",
      ].sort(),
    );
    const fourServices = facts.services.filter((s) => !["gitpod.v1.EventService", "gitpod.v1.IdentityService"].includes(s.name));
    expect(fourServices.reduce((n, s) => n + s.methods.length, 0)).toBe(70);
  });

  it("agree with the main file on the types the current file shares with it (pagination)", () => {
    const inMain = new Map(main.types.map((t) => [t.name, t]));
    const shared = current.types.filter((t) => inMain.has(t.name));
    expect(shared.map((t) => t.name).sort()).toEqual(["gitpod.v1.PaginationRequest", "gitpod.v1.PaginationResponse"]);
    for (const t of shared) expect(t).toEqual(inMain.get(t.name));
  });

  it("agree on the types both files list (Subject, Principal)", () => {
    const inMain = new Map(main.types.map((t) => [t.name, t]));
    const shared = extra.types.filter((t) => inMain.has(t.name));
    expect(shared.map((t) => t.name).sort()).toEqual(["gitpod.v1.Principal", "gitpod.v1.Subject"]);
    for (const t of shared) expect(t).toEqual(inMain.get(t.name));
  });

  it("list only types that some RPC reaches, so the per-service tests cover them all", () => {
    const reached = new Set(facts.services.flatMap((s) => typesOfService(facts, s.name)));
    expect(facts.types.map((t) => t.name).filter((n) => !reached.has(n))).toEqual([]);
  });

  it("are told apart by streaming kind: a unary fact does not match the streaming RPC", () => {
    const watch = extra.services.find((s) => s.name === "gitpod.v1.EventService")!;
    const asUnary = { ...watch, methods: watch.methods.map((m) => ({ ...m, serverStreaming: false })) };
    expect(compareService(schemaRegistry, asUnary)).toEqual(["gitpod.v1.EventService.WatchEvents: server_streaming, facts say unary"]);
  });
});

// The two corrected facts (reference/, 2026-12-01), in the terms of protovalidate v1.
describe("validation the facts switch off", () => {
  const validator = createValidator();

  it("ValidateRunnerConfigurationRequest (facts: disabled) is never rejected by its rules, nested ones included", () => {
    const request = create(ValidateRunnerConfigurationRequestSchema, {
      runnerId: "not-a-uuid",
      config: { case: "environmentClass", value: { displayName: "a", description: "b" } },
    });
    expect(validator.validate(ValidateRunnerConfigurationRequestSchema, request).kind).toBe("valid");
    // The same class on its own breaks its rules: they are skipped, not absent.
    expect(validator.validate(EnvironmentClassSchema, create(EnvironmentClassSchema, { displayName: "a", description: "b" })).kind).toBe("invalid");
  });

  it("the checker reads disabled as IGNORE_ALWAYS on every field, and only for a disabled message", () => {
    const disabledFact = typeFacts.get("gitpod.v1.ValidateRunnerConfigurationRequest")!;
    expect(validationDisabled(disabledFact)).toBe(true);
    expect(compareType(schemaRegistry, disabledFact)).toEqual([]);
    // Without `disabled`, the IGNORE_ALWAYS of our schema contradicts the facts' rules.
    const enabled = compareType(schemaRegistry, { ...disabledFact, validate: {} });
    expect(enabled.join("\n")).toContain("ValidateRunnerConfigurationRequest.runner_id: protovalidate rules");
    // A message whose fields keep their rules does not satisfy `disabled`.
    const getRunner = typeFacts.get("gitpod.v1.GetRunnerRequest")!;
    expect(compareType(schemaRegistry, getRunner)).toEqual([]);
    expect(compareType(schemaRegistry, { ...getRunner, validate: { disabled: true } })).toEqual([
      expect.stringContaining('GetRunnerRequest.runner_id: protovalidate rules {"string":{"uuid":true}}, facts say {"ignore":"IGNORE_ALWAYS"}'),
    ]);
  });

  it("SearchRepositoriesRequest.limit (facts: IGNORE_IF_ZERO_VALUE) may be left out, but not be out of range", () => {
    const runnerId = "00000000-0000-4000-8000-000000000001";
    expect(validator.validate(SearchRepositoriesRequestSchema, create(SearchRepositoriesRequestSchema, { runnerId })).kind).toBe("valid");
    expect(validator.validate(SearchRepositoriesRequestSchema, create(SearchRepositoriesRequestSchema, { runnerId, limit: 101 })).kind).toBe("invalid");
  });
});
