// The wire facts of the official Gitpod v1 API (reference/gitpod-v1-wire-facts.json) and a
// comparison of a schema against them: field numbers, JSON names, types, presence, oneofs,
// deprecation, enum values and protovalidate rules. A difference is a string naming the
// element, so a failing test or the CLI says exactly what to fix.
import { readFileSync } from "node:fs";
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescOneof,
  type Registry,
  ScalarType,
  getOption,
  hasOption,
  toJson,
} from "@bufbuild/protobuf";
import {
  FieldRulesSchema,
  MessageRulesSchema,
  OneofRulesSchema,
  field as fieldRulesExt,
  message as messageRulesExt,
  oneof as oneofRulesExt,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { allWireFactsFiles, wireFactsFile } from "./repo-paths.js";

export interface FieldFact {
  name: string;
  number: number;
  jsonName: string;
  kind: "scalar" | "enum" | "message" | "list" | "map";
  type: string;
  repeated?: boolean;
  map?: boolean;
  key?: string;
  optional?: boolean;
  oneof?: string;
  deprecated?: boolean;
  validate?: unknown;
}

export interface OneofFact {
  name: string;
  fields: string[];
  validate?: unknown;
}

export interface EnumValueFact {
  name: string;
  number: number;
  deprecated?: boolean;
}

export interface TypeFact {
  name: string;
  file: string;
  fields?: FieldFact[];
  oneofs?: OneofFact[];
  validate?: unknown;
  enum?: EnumValueFact[];
}

export interface ServiceFact {
  name: string;
  file: string;
  methods: { name: string; input: string; output: string; serverStreaming?: boolean }[];
}

export interface WireFacts {
  services: ServiceFact[];
  types: TypeFact[];
}

export function loadWireFacts(file = wireFactsFile): WireFacts {
  return JSON.parse(readFileSync(file, "utf8")) as WireFacts;
}

/**
 * Every facts file as one: the main file and the extra ones (more RPCs in the same format). A type
 * several files list (e.g. gitpod.v1.Subject) is listed once, the files agree on it (a test proves
 * it); a service several files list has the RPCs of all of them.
 */
export function loadAllWireFacts(files: readonly string[] = allWireFactsFiles): WireFacts {
  const all = files.map((f) => loadWireFacts(f));
  const types = new Map<string, TypeFact>();
  for (const facts of all) for (const t of facts.types) if (!types.has(t.name)) types.set(t.name, t);
  // A service several files add RPCs to (the current facts add 3 to EnvironmentService) is one service.
  const services = new Map<string, ServiceFact>();
  for (const s of all.flatMap((f) => f.services)) {
    const known = services.get(s.name);
    services.set(s.name, known ? { ...known, methods: [...known.methods, ...s.methods] } : s);
  }
  return { services: [...services.values()], types: [...types.values()] };
}

/** The facts' type names reachable from the RPCs of one service (requests, responses, and all they use). */
export function typesOfService(facts: WireFacts, serviceName: string): string[] {
  const service = facts.services.find((s) => s.name === serviceName);
  if (!service) throw new Error(`no service ${serviceName} in the wire facts`);
  const byName = new Map(facts.types.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const queue = service.methods.flatMap((m) => [m.input, m.output]);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const type = byName.get(name);
    if (!type) continue; // google.protobuf types are not listed
    seen.add(name);
    for (const f of type.fields ?? []) queue.push(f.type);
  }
  return [...seen].sort();
}

const scalarNames: Record<ScalarType, string> = {
  [ScalarType.DOUBLE]: "double",
  [ScalarType.FLOAT]: "float",
  [ScalarType.INT64]: "int64",
  [ScalarType.UINT64]: "uint64",
  [ScalarType.INT32]: "int32",
  [ScalarType.FIXED64]: "fixed64",
  [ScalarType.FIXED32]: "fixed32",
  [ScalarType.BOOL]: "bool",
  [ScalarType.STRING]: "string",
  [ScalarType.BYTES]: "bytes",
  [ScalarType.UINT32]: "uint32",
  [ScalarType.SFIXED32]: "sfixed32",
  [ScalarType.SFIXED64]: "sfixed64",
  [ScalarType.SINT32]: "sint32",
  [ScalarType.SINT64]: "sint64",
};

/** The facts' view of a field: kind, element/value type name, and for maps the key type. */
function describeField(field: DescField): Pick<FieldFact, "kind" | "type" | "key"> {
  switch (field.fieldKind) {
    case "scalar":
      return { kind: "scalar", type: scalarNames[field.scalar] };
    case "enum":
      return { kind: "enum", type: field.enum.typeName };
    case "message":
      return { kind: "message", type: field.message.typeName };
    case "list":
      return {
        kind: "list",
        type:
          field.listKind === "scalar"
            ? scalarNames[field.scalar]
            : field.listKind === "enum"
              ? field.enum.typeName
              : field.message.typeName,
      };
    case "map":
      return {
        kind: "map",
        key: scalarNames[field.mapKey],
        type:
          field.mapKind === "scalar"
            ? scalarNames[field.scalar]
            : field.mapKind === "enum"
              ? field.enum.typeName
              : field.message.typeName,
      };
  }
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function fieldRules(field: DescField): unknown {
  return hasOption(field, fieldRulesExt) ? toJson(FieldRulesSchema, getOption(field, fieldRulesExt)) : undefined;
}

function oneofRules(oneof: DescOneof): unknown {
  return hasOption(oneof, oneofRulesExt) ? toJson(OneofRulesSchema, getOption(oneof, oneofRulesExt)) : undefined;
}

function messageRules(message: DescMessage): unknown {
  return hasOption(message, messageRulesExt)
    ? toJson(MessageRulesSchema, getOption(message, messageRulesExt))
    : undefined;
}

function compareRules(where: string, actual: unknown, expected: unknown, out: string[]): void {
  if (expected === undefined && actual === undefined) return;
  if (stable(actual) !== stable(expected)) {
    out.push(`${where}: protovalidate rules ${stable(actual) ?? "(none)"}, facts say ${stable(expected) ?? "(none)"}`);
  }
}

function compareField(typeName: string, fact: FieldFact, field: DescField | undefined, out: string[]): void {
  const where = `${typeName}.${fact.name}`;
  if (!field) {
    out.push(`${where}: missing (facts: #${fact.number} ${fact.kind} ${fact.type})`);
    return;
  }
  if (field.number !== fact.number) out.push(`${where}: number ${field.number}, facts say ${fact.number}`);
  if (field.jsonName !== fact.jsonName) out.push(`${where}: JSON name ${field.jsonName}, facts say ${fact.jsonName}`);
  const shape = describeField(field);
  if (shape.kind !== fact.kind) out.push(`${where}: kind ${shape.kind}, facts say ${fact.kind}`);
  if (shape.type !== fact.type) out.push(`${where}: type ${shape.type}, facts say ${fact.type}`);
  if (fact.kind === "map" && shape.key !== fact.key) out.push(`${where}: map key ${shape.key}, facts say ${fact.key}`);
  const optional = field.proto.proto3Optional === true;
  if (optional !== (fact.optional === true)) {
    out.push(`${where}: ${optional ? "optional" : "no explicit presence"}, facts say ${fact.optional ? "optional" : "no explicit presence"}`);
  }
  const oneof = field.oneof?.name;
  if (oneof !== fact.oneof) out.push(`${where}: oneof ${oneof ?? "(none)"}, facts say ${fact.oneof ?? "(none)"}`);
  if (field.deprecated !== (fact.deprecated === true)) {
    out.push(`${where}: deprecated=${field.deprecated}, facts say ${fact.deprecated === true}`);
  }
  compareRules(where, fieldRules(field), fact.validate, out);
}

/**
 * Whether the facts switch request validation off for a whole message: `disabled: true`, a message
 * option of the protovalidate the real API uses, which protovalidate v1 removed (the field number
 * is reserved in v1's MessageRules, so no v1 schema can carry it).
 */
export function validationDisabled(fact: TypeFact): boolean {
  return (fact.validate as { disabled?: unknown } | undefined)?.disabled === true;
}

/**
 * What a schema in protovalidate v1 terms must say for a message whose facts are `disabled: true`:
 * no message rules, no oneof rules, and every field exactly `ignore: IGNORE_ALWAYS`. That is the
 * one v1 spelling of "nothing here is validated": IGNORE_ALWAYS skips a field's own rules and,
 * for a message field, everything inside it, just as `disabled` skipped the message with all it
 * contains. The facts' own field rules are then moot (buf lint rejects rules next to
 * IGNORE_ALWAYS), so they are not compared.
 */
const ignoredAlways = { ignore: "IGNORE_ALWAYS" } as const;

function compareMessage(fact: TypeFact, message: DescMessage, out: string[]): void {
  const disabled = validationDisabled(fact);
  const byName = new Map(message.fields.map((f) => [f.name, f]));
  for (const fieldFact of fact.fields ?? []) {
    const asChecked = disabled ? { ...fieldFact, validate: ignoredAlways } : fieldFact;
    compareField(fact.name, asChecked, byName.get(fieldFact.name), out);
  }
  const known = new Set((fact.fields ?? []).map((f) => f.name));
  for (const field of message.fields) {
    if (!known.has(field.name)) out.push(`${fact.name}.${field.name}: not in the facts (#${field.number})`);
  }
  const oneofs = new Map(message.oneofs.map((o) => [o.name, o]));
  for (const oneofFact of fact.oneofs ?? []) {
    const oneof = oneofs.get(oneofFact.name);
    if (!oneof) {
      out.push(`${fact.name}: oneof ${oneofFact.name} missing`);
      continue;
    }
    const members = oneof.fields.map((f) => f.name).sort();
    if (stable(members) !== stable([...oneofFact.fields].sort())) {
      out.push(`${fact.name}: oneof ${oneofFact.name} has ${members.join(",")}, facts say ${oneofFact.fields.join(",")}`);
    }
    compareRules(`${fact.name} oneof ${oneofFact.name}`, oneofRules(oneof), disabled ? undefined : oneofFact.validate, out);
  }
  const factOneofs = new Set((fact.oneofs ?? []).map((o) => o.name));
  for (const oneof of message.oneofs) {
    if (!factOneofs.has(oneof.name)) out.push(`${fact.name}: oneof ${oneof.name} not in the facts`);
  }
  compareRules(`${fact.name} (message rules)`, messageRules(message), disabled ? undefined : fact.validate, out);
}

function compareEnum(fact: TypeFact, desc: DescEnum, out: string[]): void {
  const byName = new Map(desc.values.map((v) => [v.name, v]));
  for (const valueFact of fact.enum ?? []) {
    const value = byName.get(valueFact.name);
    if (!value) {
      out.push(`${fact.name}.${valueFact.name}: enum value missing (facts: ${valueFact.number})`);
      continue;
    }
    if (value.number !== valueFact.number) {
      out.push(`${fact.name}.${valueFact.name}: number ${value.number}, facts say ${valueFact.number}`);
    }
    const deprecated = value.proto.options?.deprecated === true;
    if (deprecated !== (valueFact.deprecated === true)) {
      out.push(`${fact.name}.${valueFact.name}: deprecated=${deprecated}, facts say ${valueFact.deprecated === true}`);
    }
  }
  const known = new Set((fact.enum ?? []).map((v) => v.name));
  for (const value of desc.values) {
    if (!known.has(value.name)) out.push(`${fact.name}.${value.name}: enum value not in the facts`);
  }
}

/** Compares one type of the facts with the schema; returns the differences (empty when equal). */
export function compareType(registry: Registry, fact: TypeFact): string[] {
  const out: string[] = [];
  if (fact.enum) {
    const desc = registry.getEnum(fact.name);
    if (!desc) return [`${fact.name}: enum missing`];
    compareEnum(fact, desc, out);
  } else {
    const desc = registry.getMessage(fact.name);
    if (!desc) return [`${fact.name}: message missing`];
    compareMessage(fact, desc, out);
  }
  return out;
}

/** Compares one service of the facts with the schema: every method, its input and output. */
export function compareService(registry: Registry, fact: ServiceFact): string[] {
  const service = registry.getService(fact.name);
  if (!service) return [`${fact.name}: service missing`];
  const out: string[] = [];
  for (const methodFact of fact.methods) {
    const method = service.methods.find((m) => m.name === methodFact.name);
    if (!method) {
      out.push(`${fact.name}.${methodFact.name}: RPC missing`);
      continue;
    }
    if (method.input.typeName !== methodFact.input) {
      out.push(`${fact.name}.${methodFact.name}: input ${method.input.typeName}, facts say ${methodFact.input}`);
    }
    if (method.output.typeName !== methodFact.output) {
      out.push(`${fact.name}.${methodFact.name}: output ${method.output.typeName}, facts say ${methodFact.output}`);
    }
    const kind = methodFact.serverStreaming ? "server_streaming" : "unary";
    if (method.methodKind !== kind) out.push(`${fact.name}.${methodFact.name}: ${method.methodKind}, facts say ${kind}`);
  }
  const known = new Set(fact.methods.map((m) => m.name));
  for (const method of service.methods) {
    if (!known.has(method.name)) out.push(`${fact.name}.${method.name}: RPC not in the facts`);
  }
  return out;
}
