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
import { compareService, compareType, loadWireFacts, typesOfService, validationDisabled } from "../src/wire-facts.js";

const facts = loadWireFacts();
const typeFacts = new Map(facts.types.map((t) => [t.name, t]));

describe.each(facts.services.map((s) => [s.name, s] as const))("%s", (_name, service) => {
  it("declares every RPC of the facts with their request and response types", () => {
    expect(compareService(schemaRegistry, service)).toEqual([]);
  });

  it.each(typesOfService(facts, service.name))("%s matches the wire facts", (typeName) => {
    expect(compareType(schemaRegistry, typeFacts.get(typeName)!)).toEqual([]);
  });
});

describe("the facts themselves", () => {
  it("cover 62 RPCs across four services", () => {
    expect(facts.services.map((s) => s.methods.length).reduce((a, b) => a + b, 0)).toBe(62);
  });

  it("list only types that some RPC reaches, so the per-service tests cover them all", () => {
    const reached = new Set(facts.services.flatMap((s) => typesOfService(facts, s.name)));
    expect(facts.types.map((t) => t.name).filter((n) => !reached.has(n))).toEqual([]);
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
