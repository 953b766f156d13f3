// Whether a parsed message still says everything its JSON example said.
//
// fromJson accepting an example is not enough: proto3 JSON lets a parser drop things quietly (a
// null, a key it maps to another field, a value it normalises). This compares the example with
// what the message serialises back to, key by key, and allows only proto3 JSON's canonical forms:
// - a key written with its proto name comes back with its JSON name;
// - 64-bit integers come back as strings, 32-bit ones and floats as numbers (floats at their
//   precision), enum numbers as names, bytes in standard base64 (compared decoded);
// - Timestamps and Durations come back in canonical form (compared by value);
// - `null` means "not set", and a set field equal to its default comes back only when implicit
//   fields are emitted.
// Everything else must come back exactly: every key of the example, and no key it did not have.
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type JsonValue,
  type MessageShape,
  type Registry,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { isDeepStrictEqual } from "node:util";

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

/** Nanoseconds since the epoch of an RFC 3339 timestamp, or undefined if it is not one. */
function timestampNanos(text: unknown): bigint | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** Nanoseconds of a proto3 JSON Duration ("-1.5s"), or undefined if it is not one. */
function durationNanos(text: unknown): bigint | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) return undefined;
  const nanos = BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? "").padEnd(9, "0"));
  return m[1] ? -nanos : nanos;
}

function sameScalar(type: ScalarType, written: JsonValue, read: JsonValue): boolean {
  switch (type) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (typeof written === "number" || typeof written === "string") && String(BigInt(written)) === read;
    case ScalarType.INT32:
    case ScalarType.UINT32:
    case ScalarType.SINT32:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return (typeof written === "number" || typeof written === "string") && Number(written) === read;
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE: {
      if (typeof written === "string" && ["NaN", "Infinity", "-Infinity"].includes(written)) return written === read;
      if (typeof written !== "number" && typeof written !== "string") return false;
      const value = type === ScalarType.FLOAT ? Math.fround(Number(written)) : Number(written);
      return value === read;
    }
    case ScalarType.BYTES:
      return (
        typeof written === "string" &&
        typeof read === "string" &&
        isDeepStrictEqual(base64Decode(written), base64Decode(read))
      );
    default:
      return written === read;
  }
}

function sameEnum(desc: DescEnum, written: JsonValue, read: JsonValue): boolean {
  if (desc.typeName === "google.protobuf.NullValue") return read === null;
  if (typeof written === "number") return (desc.value[written]?.name ?? written) === read;
  return written === read;
}

class Comparison {
  readonly differences: string[] = [];

  /** `full` serialises implicit fields too; `minimal` only what is set. */
  message(desc: DescMessage, written: JsonValue, full: JsonValue, minimal: JsonValue | undefined, path: string) {
    if (desc.typeName.startsWith("google.protobuf.")) return this.wellKnown(desc, written, full, path);
    if (!isObject(written) || !isObject(full)) return this.differ(path, written, full);
    const seen = new Set<string>();
    for (const [key, value] of Object.entries(written)) {
      const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
      const at = `${path}.${key}`;
      if (!field) {
        this.differences.push(`${at}: not a field of ${desc.typeName}`);
        continue;
      }
      seen.add(field.jsonName);
      if (value === null) {
        // proto3 JSON: null means the field is not set.
        if (isObject(minimal) && field.jsonName in minimal) this.differ(at, value, minimal[field.jsonName]);
        continue;
      }
      if (!(field.jsonName in full)) {
        this.differences.push(`${at}: lost (${show(value)} does not come back)`);
        continue;
      }
      this.field(field, value, full[field.jsonName]!, isObject(minimal) ? minimal[field.jsonName] : undefined, at);
    }
    for (const key of Object.keys(isObject(minimal) ? minimal : {})) {
      if (!seen.has(key)) this.differences.push(`${path}.${key}: added (not in the example)`);
    }
  }

  private field(field: DescField, written: JsonValue, full: JsonValue, minimal: JsonValue | undefined, path: string) {
    switch (field.fieldKind) {
      case "scalar":
        if (!sameScalar(field.scalar, written, full)) this.differ(path, written, full);
        return;
      case "enum":
        if (!sameEnum(field.enum, written, full)) this.differ(path, written, full);
        return;
      case "message":
        return this.message(field.message, written, full, minimal, path);
      case "list": {
        if (!Array.isArray(written) || !Array.isArray(full) || written.length !== full.length) {
          return this.differ(path, written, full);
        }
        written.forEach((item, i) => {
          const at = `${path}[${i}]`;
          const min = Array.isArray(minimal) ? minimal[i] : undefined;
          if (field.listKind === "message") this.message(field.message, item, full[i]!, min, at);
          else if (field.listKind === "enum" ? !sameEnum(field.enum, item, full[i]!) : !sameScalar(field.scalar, item, full[i]!)) {
            this.differ(at, item, full[i]);
          }
        });
        return;
      }
      case "map": {
        if (!isObject(written) || !isObject(full)) return this.differ(path, written, full);
        const keys = Object.keys(written);
        if (!isDeepStrictEqual([...keys].sort(), Object.keys(full).sort())) {
          return this.differences.push(`${path}: map keys ${show(keys)} come back as ${show(Object.keys(full))}`);
        }
        for (const key of keys) {
          const at = `${path}[${show(key)}]`;
          const min = isObject(minimal) ? minimal[key] : undefined;
          if (field.mapKind === "message") this.message(field.message, written[key]!, full[key]!, min, at);
          else if (field.mapKind === "enum" ? !sameEnum(field.enum, written[key]!, full[key]!) : !sameScalar(field.scalar, written[key]!, full[key]!)) {
            this.differ(at, written[key], full[key]);
          }
        }
        return;
      }
    }
  }

  private wellKnown(desc: DescMessage, written: JsonValue, read: JsonValue, path: string) {
    const valueField = desc.fields.find((f) => f.name === "value");
    const wrapper = desc.typeName.endsWith("Value") && valueField?.fieldKind === "scalar" ? valueField : undefined;
    let same: boolean;
    if (desc.typeName === "google.protobuf.Timestamp") same = timestampNanos(written) === timestampNanos(read) && timestampNanos(read) !== undefined;
    else if (desc.typeName === "google.protobuf.Duration") same = durationNanos(written) === durationNanos(read) && durationNanos(read) !== undefined;
    else if (wrapper) same = sameScalar(wrapper.scalar, written, read);
    else same = isDeepStrictEqual(written, read); // Struct, Value, ListValue, FieldMask, Any, Empty
    if (!same) this.differ(path, written, read);
  }

  private differ(path: string, written: unknown, read: unknown) {
    this.differences.push(`${path}: written ${show(written)}, comes back as ${show(read)}`);
  }
}

/**
 * What the example says that `message` (parsed from it) does not say back, one string per
 * difference naming the path; empty when the message is faithful to the example.
 */
export function differencesFromExample<Desc extends DescMessage>(
  schema: Desc,
  example: JsonValue,
  message: MessageShape<Desc>,
  registry?: Registry,
): string[] {
  const full = toJson(schema, message, { alwaysEmitImplicit: true, registry });
  const minimal = toJson(schema, message, { registry });
  const comparison = new Comparison();
  comparison.message(schema, example, full, minimal, schema.typeName.replace(/^.*\./, ""));
  return comparison.differences;
}
