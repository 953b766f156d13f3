// Store values as JSON, for stores that keep them outside the process (sql/). A value is what
// CollectionSpec.copy can copy: a protobuf-es message, or plain structured-cloneable data that may
// hold messages (an EnvironmentRecord holds an Environment). JSON alone cannot say which object was
// a message, a bigint or bytes, so those are tagged:
//   message    → {"$pb": "gitpod.v1.Environment", "b": "<base64 of toBinary>"}  (exact: unknown fields kept)
//   bigint     → {"$n": "123"}       Uint8Array → {"$u8": "<base64>"}
//   Map        → {"$map": [[k, v], …]}   Set → {"$set": [v, …]}   Date → {"$date": "<ISO>"}
//   undefined  → {"$undef": 1} in arrays; object properties holding undefined are left out
//   an object whose own key starts with "$" → {"$obj": {…}}, so no plain key is read as a tag.
// Messages are found by type name in a registry of every message type the schema has.
import { createRegistry, fromBinary, isMessage, toBinary, type DescFile, type Registry } from "@bufbuild/protobuf";
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import * as schema from "@gitpod-connect/schema";

/** JSON as the codec writes it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Every file of @gitpod-connect/schema and, transitively, their imports (well-known types, buf.validate). */
const schemaRegistry: Registry = createRegistry(...withImports(Object.values(schema).filter(isFile)));

function isFile(v: unknown): v is DescFile {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "file";
}

function withImports(files: DescFile[]): DescFile[] {
  const seen = new Set<DescFile>();
  const visit = (f: DescFile) => {
    if (seen.has(f)) return;
    seen.add(f);
    f.dependencies.forEach(visit);
  };
  files.forEach(visit);
  return [...seen];
}

export class ValueCodecError extends Error {
  override readonly name = "ValueCodecError";
}

/** The JSON form of a store value. Throws ValueCodecError for what it cannot keep (functions, symbols, class instances). */
export function encodeValue(value: unknown, registry: Registry = schemaRegistry): JsonValue {
  return encode(value, registry, "value");
}

/** The value `encodeValue` was given, rebuilt from its JSON form. */
export function decodeValue(json: JsonValue, registry: Registry = schemaRegistry): unknown {
  return decode(json, registry);
}

function encode(value: unknown, registry: Registry, path: string): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // JSON has no NaN, Infinity or -0.
      return Number.isFinite(value) && !Object.is(value, -0) ? value : { $num: Object.is(value, -0) ? "-0" : String(value) };
    case "bigint":
      return { $n: value.toString() };
    case "undefined":
      return { $undef: 1 };
    case "object":
      break;
    default:
      throw new ValueCodecError(`${path}: a ${typeof value} cannot be stored`);
  }
  if (value === null) return null;
  if (isMessage(value)) {
    const desc = registry.getMessage(value.$typeName);
    if (!desc) throw new ValueCodecError(`${path}: message type ${value.$typeName} is not in the store's registry`);
    return { $pb: value.$typeName, b: base64Encode(toBinary(desc, value)) };
  }
  if (value instanceof Uint8Array) return { $u8: base64Encode(value) };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (value instanceof Map) return { $map: [...value].map(([k, v], i) => [encode(k, registry, `${path}.key${i}`), encode(v, registry, `${path}.value${i}`)]) };
  if (value instanceof Set) return { $set: [...value].map((v, i) => encode(v, registry, `${path}[${i}]`)) };
  if (Array.isArray(value)) return value.map((v, i) => encode(v, registry, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new ValueCodecError(`${path}: a class instance (${value.constructor?.name}) cannot be stored`);
  const out: { [key: string]: JsonValue } = {};
  let tagged = false;
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (key.startsWith("$")) tagged = true;
    out[key] = encode(v, registry, `${path}.${key}`);
  }
  return tagged ? { $obj: out } : out;
}

function decode(json: JsonValue, registry: Registry): unknown {
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) return json.map((v) => decode(v, registry));
  const tag = Object.keys(json).find((k) => k.startsWith("$"));
  if (tag === undefined) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(json)) out[key] = decode(v, registry);
    return out;
  }
  const body = json[tag]!;
  /** A tag's string payload (what encode wrote); anything else is a corrupt value. */
  const str = (v: JsonValue | undefined): string => {
    if (typeof v !== "string") throw new ValueCodecError(`stored value: ${tag} holds no string`);
    return v;
  };
  switch (tag) {
    case "$pb": {
      const desc = registry.getMessage(str(body));
      if (!desc) throw new ValueCodecError(`stored message type ${str(body)} is not in the store's registry`);
      return fromBinary(desc, base64Decode(str(json["b"])));
    }
    case "$n":
      return BigInt(str(body));
    case "$num":
      return Number(str(body));
    case "$u8":
      return base64Decode(str(body));
    case "$date":
      return new Date(str(body));
    case "$undef":
      return undefined;
    case "$map":
      return new Map((body as JsonValue[][]).map(([k, v]) => [decode(k!, registry), decode(v!, registry)]));
    case "$set":
      return new Set((body as JsonValue[]).map((v) => decode(v, registry)));
    case "$obj": {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(body as Record<string, JsonValue>)) out[key] = decode(v, registry);
      return out;
    }
    default:
      throw new ValueCodecError(`unknown tag ${tag} in a stored value`);
  }
}
