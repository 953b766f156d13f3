import type { DescMessage } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { parseFlatYaml, tokenize } from "./flat-yaml.js";
import { schemaRegistry } from "./schema-registry.js";

function message(name: string): DescMessage {
  const desc = schemaRegistry.getMessage(`gitpod.v1.${name}`);
  if (!desc) throw new Error(`no message gitpod.v1.${name}`);
  return desc;
}
const parse = (text: string, name: string) => parseFlatYaml(text, message(name));

describe("parseFlatYaml", () => {
  it("nests keys into the message that has them and closes it at a key it lacks", () => {
    const text =
      'environmentId: "e1" metadata: reference: "redis" name: "Redis" spec: commands: start: "redis-server" runsOn: docker: image: "redis:7"';
    expect(parse(text, "CreateServiceRequest")).toEqual({
      value: {
        environmentId: "e1",
        metadata: { reference: "redis", name: "Redis" },
        spec: { commands: { start: "redis-server" }, runsOn: { docker: { image: "redis:7" } } },
      },
      unknownKeys: [],
    });
  });

  it("takes any key as a map entry, and closes the map at a field of an enclosing message", () => {
    const text =
      'automationsFile: services: web: name: "Web" db: name: "DB" commands: start: "pg" tasks: build: command: "make"';
    expect(parse(text, "UpsertAutomationsFileRequest").value).toEqual({
      automationsFile: {
        services: { web: { name: "Web" }, db: { name: "DB", commands: { start: "pg" } } },
        tasks: { build: { command: "make" } },
      },
    });
  });

  it("takes the first key after a map opens as an entry, even one named like an enclosing field", () => {
    expect(parse('automationsFile: services: tasks: name: "x"', "UpsertAutomationsFileRequest").value).toEqual({
      automationsFile: { services: { tasks: { name: "x" } } },
    });
  });

  it("reads maps of scalars", () => {
    expect(parse('output: url: "http://x" port: "80" phase: SERVICE_PHASE_RUNNING', "ServiceStatus").value).toEqual({
      output: { url: "http://x", port: "80" },
      phase: "SERVICE_PHASE_RUNNING",
    });
  });

  it("reads block lists of scalars and of messages, and leaves a list at a key its items lack", () => {
    const metadata = 'id: "s1" metadata: triggeredBy: trigger: - postDevcontainerStart: true - manual: true';
    expect(parse(metadata, "UpdateServiceRequest").value).toEqual({
      id: "s1",
      metadata: { triggeredBy: { trigger: [{ postDevcontainerStart: true }, { manual: true }] } },
    });
    const classes = 'runnerId: "r" configuration: - key: "cpu" value: "8" - key: "memory" value: "16384" displayName: "L"';
    expect(parse(classes, "CreateEnvironmentClassRequest").value).toEqual({
      runnerId: "r",
      configuration: [
        { key: "cpu", value: "8" },
        { key: "memory", value: "16384" },
      ],
      displayName: "L",
    });
    const file = 'automationsFile: services: web: triggeredBy: - manual - prebuild name: "Web"';
    expect(parse(file, "UpsertAutomationsFileRequest").value).toEqual({
      automationsFile: { services: { web: { triggeredBy: ["manual", "prebuild"], name: "Web" } } },
    });
  });

  it("reads flow collections, quoted strings with colons and spaces, numbers, booleans and plain words", () => {
    const text = "filter: references: [\"web\", 'db'] pagination: pageSize: 20 token: \"a: b # c\"";
    expect(parse(text, "ListServicesRequest").value).toEqual({
      filter: { references: ["web", "db"] },
      pagination: { pageSize: 20, token: "a: b # c" },
    });
    expect(parse("id: d2c94c27 force: false", "DeleteServiceRequest").value).toEqual({ id: "d2c94c27", force: false });
  });

  it("folds a plain scalar that spanned several lines into one string", () => {
    expect(parse("id: a plain sentence force: true", "DeleteServiceRequest").value).toEqual({
      id: "a plain sentence",
      force: true,
    });
  });

  it("keeps a key that no open message has where it appears, and reports it", () => {
    expect(parse('id: "s1" colour: blue', "GetServiceRequest")).toEqual({
      value: { id: "s1", colour: "blue" },
      unknownKeys: ["gitpod.v1.GetServiceRequest.colour"],
    });
  });

  it("rejects a key set twice in the same message", () => {
    expect(() => parse('id: "a" id: "b"', "GetServiceRequest")).toThrow(/key "id" set twice/);
  });

  it("rejects YAML it cannot rebuild without line breaks", () => {
    expect(() => tokenize("a: &anchor 1")).toThrow(/unsupported YAML syntax "&anchor"/);
    expect(() => tokenize("a: 1 # comment")).toThrow(/unsupported YAML syntax "#"/);
    expect(() => tokenize("a: | text")).toThrow(/unsupported YAML syntax "\|"/);
    expect(() => tokenize('a: "open')).toThrow(/unterminated/);
    expect(() => parse("- x", "GetServiceRequest")).toThrow(/"-" outside a block list/);
    expect(() => parse('"x"', "GetServiceRequest")).toThrow(/value "x" without a key/);
  });
});
