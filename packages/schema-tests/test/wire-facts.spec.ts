// The generated schema carries exactly the wire facts of the official API, service by service:
// every RPC, and every field's number, JSON name, type, presence, oneof, deprecation and
// protovalidate rules, every enum value. Binary messages therefore interoperate with the real
// service and its official clients.
import { describe, expect, it } from "vitest";
import { schemaRegistry } from "../src/schema-registry.js";
import { compareService, compareType, loadWireFacts, typesOfService } from "../src/wire-facts.js";

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
