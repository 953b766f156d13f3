import { create } from "@bufbuild/protobuf";
import { RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { describe, expect, it } from "vitest";
import { providerSchema, schemaMessage } from "../runners/index.js";
import { configurationProblems } from "./configuration-validation.js";

const providers = [
  RunnerProvider.UNSPECIFIED,
  RunnerProvider.AWS_EC2,
  RunnerProvider.LINUX_HOST,
  RunnerProvider.DESKTOP_MAC,
  RunnerProvider.MANAGED,
  RunnerProvider.GCP,
  RunnerProvider.DEV_AGENT,
];

describe("configuration validation follows the published schema", () => {
  it("accepts the bootstrap class's configuration on the bootstrap runner's provider", () => {
    const fields = providerSchema(RunnerProvider.AWS_EC2, RunnerKind.REMOTE).environmentClass;
    expect(configurationProblems([{ key: "cpu", value: "2" }, { key: "memory", value: "8" }, { key: "disk", value: "30" }], fields)).toEqual([]);
  });

  it.each(providers)("accepts every field's published default and bounds, and rejects just outside them (provider %i)", (provider) => {
    const runner = create(RunnerSchema, { provider, kind: RunnerKind.REMOTE });
    const message = schemaMessage(runner);
    const fields = providerSchema(provider, RunnerKind.REMOTE).environmentClass;
    expect(message.environmentClasses.map((f) => f.id)).toEqual(fields.map((f) => f.id));
    const required = message.environmentClasses.filter((f) => f.required).map((f) => ({ key: f.id, value: String((f.type.value as { default: unknown }).default) }));
    for (const field of message.environmentClasses) {
      const others = required.filter((r) => r.key !== field.id);
      const check = (value: string) => configurationProblems([...others, { key: field.id, value }], fields);
      switch (field.type.case) {
        case "int":
          expect(check(String(field.type.value.default))).toEqual([]);
          expect(check(String(field.type.value.min))).toEqual([]);
          expect(check(String(field.type.value.max))).toEqual([]);
          expect(check(String(field.type.value.min - 1))).toHaveLength(1);
          expect(check(String(field.type.value.max + 1))).toHaveLength(1);
          break;
        case "enum":
          for (const v of field.type.value.possibleValues) expect(check(v.title)).toEqual([]);
          expect(check("not-a-choice")).toHaveLength(1);
          break;
        case "bool":
          expect(check("true")).toEqual([]);
          expect(check("1")).toHaveLength(1);
          break;
        default:
          break;
      }
    }
  });

  it("names the position of each bad entry and reports missing required keys last", () => {
    const fields = providerSchema(RunnerProvider.AWS_EC2, RunnerKind.REMOTE).environmentClass;
    const problems = configurationProblems([{ key: "", value: "1" }, { key: "cpu", value: "x" }], fields);
    expect(problems.map((p) => p.field)).toEqual(["configuration[0].key", "configuration[1].value", "configuration"]);
    expect(problems[2]!.key).toBe("memory");
  });
});
