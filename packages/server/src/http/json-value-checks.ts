// Unknown enum names in a JSON request are an error, not a missing value.
//
// connect-es parses JSON requests with `ignoreUnknownFields: true`, so that a client built from a
// newer schema can still call: unknown keys are dropped (proto3 JSON's forward compatibility, and
// the official client relies on it). protobuf-es applies the same option to enum strings, though:
// `{"filter":{"kinds":["REMOTE"]}}` parses as a ListRunners request without a filter, and
// `{"provider":"LINUX_HOST"}` as a CreateRunner request without a provider. A misspelt filter
// that silently lists everything, or a "set provider" error for a provider that was set, hides
// the client's mistake.
//
// This module walks the parsed JSON along the request message's descriptor and reports every
// string that stands for an enum value but names none: fields are found by proto name and JSON
// name (as protobuf-es does), through nested messages, repeated fields, maps and oneof members.
// Unknown keys, numbers for enums (proto3 JSON allows them; open enums keep unknown numbers) and
// `null` are left alone, and so are well-known types with their own JSON form (Struct, Value,
// Any, wrappers, …: everything in google.protobuf) — but for Duration and Timestamp strings, which
// protobuf-es parses too leniently (json-time-strings.ts) and which are checked here as well.
// Anything else that is malformed is left to protobuf-es, which reports it itself. The walk is
// iterative, so nesting depth costs no stack.
//
// The same walk, reporting unknown keys too (findStrictJsonProblems), gives the config file's
// proto JSON values (config.ts) error messages that name the path of the offending key.
import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { durationStringProblem, timestampStringProblem } from "./json-time-strings.js";

/** A string in an enum's place that names no value of the enum. */
export interface UnknownEnumName {
  /** Proto field path, e.g. `filter.kinds[0]`, `labels["a"]`. */
  path: string;
  /** The string the request sent. */
  value: string;
  enum: DescEnum;
}

/** At most this many problems are named in one error message. */
const maxReported = 10;

/** A JSON value still to look at: a message of a known type, or a value in an enum's place. */
type Pending =
  | { kind: "message"; desc: DescMessage; json: unknown; path: string }
  | { kind: "enum"; desc: DescEnum; json: unknown; path: string };

/** Every unknown enum name in `json` (a parsed JSON request of type `desc`), in document order. */
export function findUnknownEnumNames(desc: DescMessage, json: unknown): UnknownEnumName[] {
  const found: UnknownEnumName[] = [];
  walk(desc, json, { onUnknownEnumName: (u) => found.push(u) });
  return found;
}

/** A key or an enum name that strict proto JSON parsing (no ignoreUnknownFields) rejects. */
export interface StrictJsonProblem {
  /** Proto field path of the enum value, or the path of the unknown key (the key as written last). */
  path: string;
  message: string;
}

/**
 * What strict parsing rejects in `json`, by path: unknown keys, unknown enum names and malformed
 * Duration and Timestamp strings, in document order. For a message that fromJson rejects, this
 * says where; other malformed values (wrong types) are not listed — fromJson's own error
 * describes them.
 */
export function findStrictJsonProblems(desc: DescMessage, json: unknown): StrictJsonProblem[] {
  const found: StrictJsonProblem[] = [];
  walk(desc, json, {
    onUnknownEnumName: (u) => found.push({ path: u.path, message: unknownEnumNameMessage(u) }),
    onUnknownKey: (path) => found.push({ path, message: "unknown key" }),
    onBadTimeString: (path, message) => found.push({ path, message }),
  });
  return found;
}

interface WalkHandlers {
  onUnknownEnumName(u: UnknownEnumName): void;
  /** Without it, unknown keys are skipped silently. */
  onUnknownKey?(path: string): void;
  /** A Duration or Timestamp string that proto3 JSON does not allow; without it, skipped. */
  onBadTimeString?(path: string, message: string): void;
}

/** The string checks of the well-known types that protobuf-es parses too leniently. */
const timeStringChecks = new Map<string, (text: string) => string | undefined>([
  ["google.protobuf.Duration", durationStringProblem],
  ["google.protobuf.Timestamp", timestampStringProblem],
]);

/** Depth-first over the JSON along the descriptor, without recursion. */
function walk(desc: DescMessage, json: unknown, handlers: WalkHandlers): void {
  const stack: Pending[] = [{ kind: "message", desc, json, path: "" }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.kind === "enum") {
      if (typeof item.json === "string" && !enumNames(item.desc).has(item.json)) {
        handlers.onUnknownEnumName({ path: item.path, value: item.json, enum: item.desc });
      }
      continue;
    }
    const timeCheck = timeStringChecks.get(item.desc.typeName);
    if (timeCheck && typeof item.json === "string") {
      const problem = timeCheck(item.json);
      if (problem) handlers.onBadTimeString?.(item.path, problem);
      continue;
    }
    if (!isObject(item.json) || hasOwnJsonForm(item.desc)) continue;
    const children: Pending[] = [];
    const child = (field: DescField, value: unknown, path: string) => {
      if (field.fieldKind === "enum" || field.fieldKind === "list" || field.fieldKind === "map") {
        if (field.enum) children.push({ kind: "enum", desc: field.enum, json: value, path });
        else if (field.message) children.push({ kind: "message", desc: field.message, json: value, path });
      } else if (field.fieldKind === "message") {
        children.push({ kind: "message", desc: field.message, json: value, path });
      }
    };
    for (const [key, value] of Object.entries(item.json)) {
      const field = fieldsByJsonKey(item.desc).get(key);
      if (!field) {
        // An unknown key: ignored, as connect-es does, unless asked for. "[…]" is an extension.
        if (!(key.startsWith("[") && key.endsWith("]"))) handlers.onUnknownKey?.(item.path === "" ? key : `${item.path}.${key}`);
        continue;
      }
      // null is the default value of any field (and NullValue's only value): nothing to check.
      if (value === null) continue;
      const path = item.path === "" ? field.name : `${item.path}.${field.name}`;
      switch (field.fieldKind) {
        case "enum":
        case "message":
          child(field, value, path);
          break;
        case "list":
          if (Array.isArray(value)) value.forEach((element, i) => child(field, element, `${path}[${i}]`));
          break;
        case "map":
          if (isObject(value)) {
            for (const [mapKey, element] of Object.entries(value)) child(field, element, `${path}[${formatMapKey(field, mapKey)}]`);
          }
          break;
        case "scalar":
          break;
      }
    }
    // Depth-first, in document order: the first child is popped first.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/** `unknown value "X" for enum T; accepted: A, B, … (or the value's number)` */
function unknownEnumNameMessage(u: UnknownEnumName): string {
  return (
    `unknown value ${JSON.stringify(u.value)} for enum ${u.enum.typeName}; ` +
    `accepted: ${[...new Set(u.enum.values.map((v) => v.name))].join(", ")} (or the value's number)`
  );
}

/**
 * invalid_argument naming the field path of each unknown enum name (with the accepted names) and
 * of each malformed Duration or Timestamp string; undefined when there is none.
 */
export function jsonRequestError(desc: DescMessage, json: unknown): ConnectError | undefined {
  const found: string[] = [];
  walk(desc, json, {
    onUnknownEnumName: (u) => found.push(`${u.path}: ${unknownEnumNameMessage(u)}`),
    onBadTimeString: (path, message) => found.push(`${path}: ${message}`),
  });
  if (found.length === 0) return undefined;
  const named = found.slice(0, maxReported);
  if (found.length > maxReported) named.push(`and ${found.length - maxReported} more invalid values`);
  return new ConnectError(named.join("; "), Code.InvalidArgument);
}

/**
 * Checks one JSON request message (UTF-8 bytes). Bytes that are not UTF-8 or not JSON are left
 * for connect-node to reject in its own words; so is a document that is not an object.
 */
export function checkJsonRequest(desc: DescMessage, data: Uint8Array): ConnectError | undefined {
  if (data.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    return undefined;
  }
  return jsonRequestError(desc, json);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** google.protobuf types: Timestamp, Duration, Struct, Value, Any, wrappers, … have a JSON form of their own. */
function hasOwnJsonForm(desc: DescMessage): boolean {
  return desc.typeName.startsWith("google.protobuf.");
}

/** A map key as it appears in a field path: quoted for string keys, bare for numbers and booleans. */
function formatMapKey(field: DescField & { fieldKind: "map" }, key: string): string {
  return field.mapKey === ScalarType.STRING ? JSON.stringify(key) : key;
}

const fieldsCache = new WeakMap<DescMessage, Map<string, DescField>>();
/** A message's fields by proto name and JSON name, the keys protobuf-es accepts. */
function fieldsByJsonKey(desc: DescMessage): Map<string, DescField> {
  let fields = fieldsCache.get(desc);
  if (!fields) {
    fields = new Map();
    for (const f of desc.fields) fields.set(f.name, f).set(f.jsonName, f);
    fieldsCache.set(desc, fields);
  }
  return fields;
}

const namesCache = new WeakMap<DescEnum, Set<string>>();
/** The strings protobuf-es accepts for an enum: each value's proto name and JSON name. */
function enumNames(desc: DescEnum): Set<string> {
  let names = namesCache.get(desc);
  if (!names) {
    names = new Set(desc.values.flatMap((v) => [v.name, v.jsonName]));
    namesCache.set(desc, names);
  }
  return names;
}
