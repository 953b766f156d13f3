// Every request and response example of the SDK reference (the seeds) is a message of our schema:
// it parses strictly (an unknown key is an error), survives JSON → binary → JSON without loss,
// and the parsed message says back everything the example said. Response examples that the doc
// generator wrote in ways the real API cannot accept are listed below as documented
// contradictions, and each must be rejected for exactly its listed reasons.
//
// The examples come from the committed fixtures (scripts/extract-fixtures.ts writes them from the
// seeds); this test never reads the seeds.
import {
  type DescMessage,
  type JsonValue,
  equals,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type ExampleFixture, exampleName, exampleSeeds, loadFixtureFile } from "../src/example-fixtures.js";
import { differencesFromExample } from "../src/json-fidelity.js";
import { schemaRegistry } from "../src/schema-registry.js";

/** What the extractor found in each seed; a lost or truncated fixture file fails the count test. */
const expectedCounts: Record<(typeof exampleSeeds)[number]["seed"], { requests: number; responses: number }> = {
  "001_6b4a54020b458683.txt": { requests: 25, responses: 17 },
  "002_4bb91746e48afafe.txt": { requests: 37, responses: 32 },
};

type JsonObject = { [key: string]: JsonValue };

/** One thing an example does that the real API does not allow. */
interface Contradiction {
  /** Where in the example: a dotted path of JSON keys; `key[]` means every item of a list. */
  at: string;
  reason: string;
  /** protobuf-es's error for it. */
  rejectedWith: RegExp;
  /**
   * The reading the real API allows, applied to a copy only to prove that nothing but the listed
   * contradictions is wrong: drop the extra oneof members, or replace an invalid value.
   */
  resolve: { drop: string[] } | { set: JsonObject };
}

// The models whose documented examples contradict the schema, with where they sit in a response.
const oneofMembers = {
  trigger: ["beforeSnapshot", "manual", "postDevcontainerStart", "postEnvironmentStart", "postMachineStart", "prebuild"],
  fieldType: ["bool", "display", "enum", "int", "string"],
};
const keepOnly = (members: string[], kept: string) => ({ drop: members.filter((m) => m !== kept) });

const allTriggers = (at: string): Contradiction => ({
  at: `${at}.metadata.triggeredBy[]`,
  reason: "sets all six members of the AutomationTrigger oneof `trigger`; a trigger is exactly one event",
  rejectedWith: /oneof gitpod\.v1\.AutomationTrigger\.trigger from JSON: oneof set multiple times/,
  resolve: keepOnly(oneofMembers.trigger, "postDevcontainerStart"),
});
const valueAndValueFrom = (at: string): Contradiction => ({
  at: `${at}.spec.env[]`,
  reason: "gives an environment variable both a literal `value` and `valueFrom`, the two members of its oneof `source`",
  rejectedWith: /oneof gitpod\.v1\.EnvironmentVariableItem\.source from JSON: oneof set multiple times by value and value_from/,
  resolve: { drop: ["value"] },
});
const dockerAndMachine = (at: string): Contradiction => ({
  at: `${at}.spec.runsOn`,
  reason: "runs on both `docker` and `machine`, the two members of RunsOn's oneof `target`",
  rejectedWith: /oneof gitpod\.v1\.RunsOn\.target from JSON: oneof set multiple times by docker and machine/,
  resolve: { drop: ["machine"] },
});
const placeholderVersion = (at: string, key: "specVersion" | "statusVersion"): Contradiction => ({
  at,
  reason: `writes the uint64 \`${key}\` as the placeholder "${key}"; a uint64 in proto3 JSON is a decimal number or string`,
  rejectedWith: new RegExp(`cannot decode field gitpod\\.v1\\.\\w+\\.${key === "specVersion" ? "spec_version" : "status_version"} from JSON: expected bigint \\(uint64\\)`),
  resolve: { set: { [key]: "1" } },
});
const serviceModel = (at: string) => [
  allTriggers(at),
  valueAndValueFrom(at),
  dockerAndMachine(at),
  placeholderVersion(`${at}.spec`, "specVersion"),
  placeholderVersion(`${at}.status`, "statusVersion"),
];
const taskModel = (at: string) => [allTriggers(at), valueAndValueFrom(at), dockerAndMachine(at)];
const taskExecutionModel = (at: string): Contradiction[] => [
  {
    at: `${at}.spec.plan[].steps[]`,
    reason: "a plan step names both a `serviceId` and a `task`, the two members of the Step oneof `step`",
    rejectedWith: /oneof gitpod\.v1\.TaskExecutionSpec\.Step\.step from JSON: oneof set multiple times by service_id and task/,
    resolve: { drop: ["serviceId"] },
  },
  valueAndValueFrom(`${at}.spec.plan[].steps[].task`),
  dockerAndMachine(`${at}.spec.plan[].steps[].task`),
  placeholderVersion(`${at}.status`, "statusVersion"),
];
const runnerModel = (at: string): Contradiction => ({
  at: `${at}.status.gatewayInfo`,
  reason: 'writes the Duration `latency` as "+9125115.360s"; proto3 JSON Durations have no "+" sign',
  rejectedWith: /cannot decode message google\.protobuf\.Duration from JSON: "\+9125115\.360s"/,
  resolve: { set: { latency: "9125115.360s" } },
});
const configurationSchemaFields = (at: string): Contradiction => ({
  at: `schema.${at}[]`,
  reason: `sets all five members (bool, display, enum, int, string) of the oneof \`type\` of every ${at} field`,
  rejectedWith: /oneof gitpod\.v1\.RunnerConfigurationSchema\.Field\.type from JSON: oneof set multiple times/,
  resolve: keepOnly(oneofMembers.fieldType, "enum"),
});

const automation = "gitpod.v1.EnvironmentAutomationService";
const runners = "gitpod.v1.RunnerService";
const configuration = "gitpod.v1.RunnerConfigurationService";

/** The documented contradictions, by example, in the order protobuf-es meets them. */
const documentedContradictions: Record<string, Contradiction[]> = {
  [`${automation}/CreateService response 1`]: serviceModel("service"),
  [`${automation}/ListServices response 1`]: serviceModel("services[]"),
  [`${automation}/GetService response 1`]: serviceModel("service"),
  [`${automation}/CreateTask response 1`]: taskModel("task"),
  [`${automation}/ListTasks response 1`]: taskModel("tasks[]"),
  [`${automation}/GetTask response 1`]: taskModel("task"),
  [`${automation}/StartTask response 1`]: taskExecutionModel("taskExecution"),
  [`${automation}/ListTaskExecutions response 1`]: taskExecutionModel("taskExecutions[]"),
  [`${automation}/GetTaskExecution response 1`]: taskExecutionModel("taskExecution"),
  [`${runners}/CreateRunner response 1`]: [runnerModel("runner")],
  [`${runners}/ListRunners response 1`]: [runnerModel("runners[]")],
  [`${runners}/GetRunner response 1`]: [runnerModel("runner")],
  [`${configuration}/ValidateRunnerConfiguration response 1`]: [
    {
      at: "",
      reason: "returns both `environmentClass` and `scmIntegration`, the two members of the oneof `result`",
      rejectedWith:
        /oneof gitpod\.v1\.ValidateRunnerConfigurationResponse\.result from JSON: oneof set multiple times by environment_class and scm_integration/,
      resolve: { drop: ["scmIntegration"] },
    },
  ],
  [`${configuration}/GetRunnerConfigurationSchema response 1`]: [
    configurationSchemaFields("environmentClasses"),
    configurationSchemaFields("runnerConfig"),
  ],
};

/** The objects at a path of `at` ("a.b[].c"); throws when the path leads nowhere. */
function objectsAt(root: JsonObject, at: string): JsonObject[] {
  let objects: JsonValue[] = [root];
  for (const segment of at === "" ? [] : at.split(".")) {
    const key = segment.replace(/\[\]$/, "");
    objects = objects.flatMap((o) => {
      const value = (o as JsonObject)[key];
      if (value === undefined) throw new Error(`no "${key}" on the path ${at}`);
      return segment.endsWith("[]") ? value : [value];
    });
  }
  if (objects.length === 0) throw new Error(`the path ${at} reaches no object`);
  return objects as JsonObject[];
}

function applyResolution(body: JsonObject, c: Contradiction): void {
  for (const object of objectsAt(body, c.at)) {
    const keys = "drop" in c.resolve ? c.resolve.drop : Object.keys(c.resolve.set);
    for (const key of keys) {
      if (!(key in object)) throw new Error(`the contradiction at ${c.at} has no "${key}" any more`);
      if ("drop" in c.resolve) delete object[key];
      else object[key] = c.resolve.set[key]!;
    }
  }
}

function schemaOf(example: ExampleFixture): DescMessage {
  const method = schemaRegistry.getService(example.service)?.methods.find((m) => m.name === example.method);
  if (!method) throw new Error(`${example.service}/${example.method} is not in the generated schema`);
  return example.kind === "request" ? method.input : method.output;
}

/** Strict parse, then JSON → binary → JSON, and the message must say back all the example said. */
function expectParsesAndRoundTrips(schema: DescMessage, body: JsonObject): void {
  const options = { registry: schemaRegistry };
  const message = fromJson(schema, body, options);
  const json = toJson(schema, message, options);

  const binary = toBinary(schema, message);
  const fromWire = fromBinary(schema, binary);
  expect(equals(schema, fromWire, message, options)).toBe(true);
  expect(toJson(schema, fromWire, options)).toEqual(json);
  expect(toBinary(schema, fromWire)).toEqual(binary);
  expect(toJson(schema, fromJson(schema, json, options), options)).toEqual(json);

  expect(differencesFromExample(schema, body, message, schemaRegistry)).toEqual([]);
}

const fixtures = exampleSeeds.map(({ seed, services }) => ({ seed, services, file: loadFixtureFile(seed) }));
const allExamples = new Set(fixtures.flatMap(({ file }) => file.examples.map(exampleName)));

describe("the documented-example fixtures", () => {
  it.each(fixtures.map((f) => [f.seed, f] as const))("hold every example the extractor found in %s", (seed, { file }) => {
    const count = (kind: string) => file.examples.filter((e) => e.kind === kind).length;
    expect({ seed: file.seed, requests: count("request"), responses: count("response") }).toEqual({
      seed,
      ...expectedCounts[seed],
    });
    expect({ requests: file.requests, responses: file.responses }).toEqual(expectedCounts[seed]);
  });

  it("list documented contradictions only for examples that exist", () => {
    expect(Object.keys(documentedContradictions).filter((name) => !allExamples.has(name))).toEqual([]);
  });
});

for (const { services, file } of fixtures) {
  for (const service of services) {
    describe(`${service} documented examples`, () => {
      for (const example of file.examples.filter((e) => e.service === service)) {
        const contradictions = documentedContradictions[exampleName(example)];
        const which = `${example.method} ${example.kind} example ${example.index}`;

        if (!contradictions) {
          it(`parses the ${which} strictly and round-trips it`, () => {
            const schema = schemaOf(example);
            expect(schema.typeName).toBe(example.message);
            expectParsesAndRoundTrips(schema, example.body);
          });
          continue;
        }

        const reasons = contradictions.length === 1 ? "its documented contradiction" : `its ${contradictions.length} documented contradictions`;
        it(`rejects the ${which} for exactly ${reasons}`, () => {
          const schema = schemaOf(example);
          expect(schema.typeName).toBe(example.message);
          const body = structuredClone(example.body);
          // Each listed contradiction, in turn, is what stops the parse; once all are resolved
          // the rest of the example parses and round-trips like any other.
          for (const contradiction of contradictions) {
            expect(() => fromJson(schema, body, { registry: schemaRegistry }), contradiction.reason).toThrow(
              contradiction.rejectedWith,
            );
            applyResolution(body, contradiction);
          }
          expectParsesAndRoundTrips(schema, body);
        });
      }
    });
  }
}
