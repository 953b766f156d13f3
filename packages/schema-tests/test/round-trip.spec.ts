// Every request and response message of the 62 RPCs, and a fully populated Environment, survive
// JSON and binary encoding without loss: decode(encode(m)) equals m, for every field set.
import { type DescMessage, type Message, equals, fromBinary, fromJson, isFieldSet, toBinary, toJson } from "@bufbuild/protobuf";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { describe, expect, it } from "vitest";
import { oneofWidth, populate } from "../src/populate.js";
import { schemaRegistry } from "../src/schema-registry.js";
import { loadWireFacts } from "../src/wire-facts.js";

const rpcMessages: DescMessage[] = loadWireFacts()
  .services.flatMap((s) => s.methods.flatMap((m) => [m.input, m.output]))
  .filter((name, i, all) => all.indexOf(name) === i)
  .map((name) => schemaRegistry.getMessage(name)!)
  .sort((a, b) => a.typeName.localeCompare(b.typeName));

function expectRoundTrips(desc: DescMessage, variant: number): void {
  const message = populate(desc, variant);
  const viaBinary = fromBinary(desc, toBinary(desc, message));
  expect(equals(desc, viaBinary, message)).toBe(true);
  const json = toJson(desc, message);
  const viaJson = fromJson(desc, json);
  expect(equals(desc, viaJson, message)).toBe(true);
  expect(toJson(desc, fromBinary(desc, toBinary(desc, fromJson(desc, json))))).toEqual(json);
}

/** Every field path of the type tree (a type already above on the path is not entered again). */
function allFieldPaths(desc: DescMessage, prefix = "", out = new Set<string>(), seen: string[] = []): Set<string> {
  if (seen.includes(desc.typeName)) return out;
  for (const field of desc.fields) {
    out.add(`${prefix}${field.name}`);
    if (field.fieldKind === "message" && !field.message.typeName.startsWith("google.protobuf.")) {
      allFieldPaths(field.message, `${prefix}${field.name}.`, out, [...seen, desc.typeName]);
    }
  }
  return out;
}

/** The field paths that are set in `message` (singular message fields are followed). */
function setFieldPaths(desc: DescMessage, message: Message, prefix: string, out: Set<string>): void {
  for (const field of desc.fields) {
    if (!isFieldSet(message, field)) continue;
    out.add(`${prefix}${field.name}`);
    if (field.fieldKind === "message" && !field.message.typeName.startsWith("google.protobuf.")) {
      const fields = message as unknown as Record<string, unknown>;
      // A oneof member's value sits in the oneof's { case, value }.
      const inner = field.oneof ? (fields[field.oneof.localName] as { value: Message }).value : (fields[field.localName] as Message);
      setFieldPaths(field.message, inner, `${prefix}${field.name}.`, out);
    }
  }
}

describe("round trips", () => {
  it("cover the request and response messages of all 62 RPCs", () => {
    expect(rpcMessages.length).toBeGreaterThanOrEqual(100);
  });

  it.each(rpcMessages.map((d) => [d.typeName, d] as const))("%s survives JSON and binary with every field set", (_name, desc) => {
    for (let variant = 0; variant < oneofWidth(desc); variant++) expectRoundTrips(desc, variant);
  });

  it("a fully populated Environment (every field of its tree, across oneof variants) survives JSON and binary", () => {
    const width = 8;
    const all = allFieldPaths(EnvironmentSchema);
    const set = new Set<string>();
    for (let variant = 0; variant < width; variant++) {
      const environment = populate(EnvironmentSchema, variant);
      setFieldPaths(EnvironmentSchema, environment, "", set);
      expectRoundTrips(EnvironmentSchema, variant);
    }
    expect([...all].filter((p) => !set.has(p))).toEqual([]);
    expect(all.size).toBeGreaterThan(100); // the tree is walked, not skipped
  });
});
