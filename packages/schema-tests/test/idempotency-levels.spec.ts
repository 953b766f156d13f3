// Every RPC's idempotency level follows docs/proto-conventions.md: reads are NO_SIDE_EFFECTS,
// calls that set a state are IDEMPOTENT, calls that make something new have no level. Clients
// decide what they may retry (and Connect GET) from these levels, so a wrong one is a bug that
// repeats a side effect; a new RPC whose verb the rule does not know fails here until classified.
import type { DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Level } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { schemaRegistry } from "../src/schema-registry.js";

const services: DescService[] = [];
for (const type of schemaRegistry) if (type.kind === "service") services.push(type);

/** The level the conventions give an RPC, from its name; undefined when the rule has no verb for it. */
function expectedLevel(name: string): Level | undefined {
  if (name === "StartTask") return Level.IDEMPOTENCY_UNKNOWN; // a new execution each time
  if (name === "AllowPortAccess") return Level.NO_SIDE_EFFECTS; // only answers a question
  const verb = /^[A-Z][a-z]+/.exec(name)?.[0] ?? "";
  if (["Get", "List", "Search", "Check", "Parse", "Validate", "Watch"].includes(verb)) return Level.NO_SIDE_EFFECTS;
  if (["Update", "Delete", "Start", "Stop", "Upsert", "Archive", "Unarchive", "Mark"].includes(verb)) return Level.IDEMPOTENT;
  if (verb === "Create") return Level.IDEMPOTENCY_UNKNOWN;
  return undefined;
}

describe("idempotency levels", () => {
  it("finds the RPCs of all six services", () => {
    expect(services.map((s) => s.typeName).sort()).toEqual([
      "gitpod.v1.EnvironmentAutomationService",
      "gitpod.v1.EnvironmentService",
      "gitpod.v1.EventService",
      "gitpod.v1.IdentityService",
      "gitpod.v1.RunnerConfigurationService",
      "gitpod.v1.RunnerService",
    ]);
    expect(services.flatMap((s) => s.methods)).toHaveLength(72);
  });

  for (const service of services) {
    for (const method of service.methods) {
      it(`${service.name}.${method.name} has the level its verb calls for`, () => {
        const expected = expectedLevel(method.name);
        expect(expected, `no rule classifies ${method.name}: add its verb to the conventions`).toBeDefined();
        expect(Level[method.idempotency]).toBe(Level[expected!]);
      });
    }
  }
});
