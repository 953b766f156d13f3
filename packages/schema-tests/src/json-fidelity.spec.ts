import { type DescMessage, type JsonValue, create, fromJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { differencesFromExample } from "./json-fidelity.js";
import { schemaRegistry } from "./schema-registry.js";

function message(name: string): DescMessage {
  const desc = schemaRegistry.getMessage(`gitpod.v1.${name}`);
  if (!desc) throw new Error(`no message gitpod.v1.${name}`);
  return desc;
}
/** The differences between an example and what fromJson makes of it. */
function parsedDifferences(name: string, example: JsonValue): string[] {
  const schema = message(name);
  return differencesFromExample(schema, example, fromJson(schema, example, { registry: schemaRegistry }), schemaRegistry);
}

describe("differencesFromExample", () => {
  it("finds none for an example that comes back key for key", () => {
    expect(parsedDifferences("ServiceSpec", { specVersion: "3", commands: { start: "x" }, env: [{ name: "A", value: "1" }] })).toEqual([]);
  });

  it("allows proto3 JSON's canonical forms: names, 64-bit strings, enum numbers, defaults, null", () => {
    const example = {
      spec_version: 3, // proto name, and a uint64 written as a number
      desiredPhase: 2, // enum by number
      session: "", // a default that only comes back with implicit fields
      readinessTimeout: "1.500s", // comes back as "1.5s"
      commands: null, // null: not set
    };
    expect(parsedDifferences("ServiceSpec", example)).toEqual([]);
  });

  it("compares Timestamps by instant and bytes by their decoded value", () => {
    expect(parsedDifferences("ServiceMetadata", { createdAt: "2019-12-27T18:11:19.1Z" })).toEqual([]);
    expect(parsedDifferences("RunnerConfiguration", { encryptedHoneycombApiKey: "U3RhaW5sZXNzIHJvY2s" })).toEqual([]);
  });

  it("reports a key that does not come back, a changed value and a key the example did not have", () => {
    const schema = message("ServiceSpec");
    const parsed = create(schema, { session: "s2", specVersion: 7n });
    const example = { session: "s1", commands: { start: "x" } };
    expect(differencesFromExample(schema, example, parsed)).toEqual([
      'ServiceSpec.session: written "s1", comes back as "s2"',
      'ServiceSpec.commands: lost ({"start":"x"} does not come back)',
      "ServiceSpec.specVersion: added (not in the example)",
    ]);
  });

  it("reports lists and maps that come back with other items or keys", () => {
    const schema = message("ServiceStatus");
    const parsed = create(schema, { output: { a: "1" } });
    expect(differencesFromExample(schema, { output: { a: "1", b: "2" } }, parsed)).toEqual([
      'ServiceStatus.output: map keys ["a","b"] come back as ["a"]',
    ]);
    const spec = message("TaskSpec");
    const withEnv = create(spec, { env: [{ name: "A" }] });
    expect(differencesFromExample(spec, { env: [{ name: "A" }, { name: "B" }] }, withEnv)).toEqual([
      'TaskSpec.env: written [{"name":"A"},{"name":"B"}], comes back as [{"name":"A"}]',
    ]);
  });
});
