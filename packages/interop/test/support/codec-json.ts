// JSON helpers of the codec matrix: a structural diff that names paths, and JSON whose keys
// mix proto field names and JSON names.
import type { DescMessage, JsonValue, Registry } from "@bufbuild/protobuf";

/**
 * The paths where two JSON values differ (empty: equal). Objects compare without regard to key
 * order (map order is no part of the JSON value); numbers compare with Object.is, so -0 ≠ 0.
 */
export function jsonDiff(a: unknown, b: unknown, path = "$", out: string[] = []): string[] {
  if (out.length >= 10) return out;
  if (typeof a === "number" && typeof b === "number") {
    const show = (n: number) => (Object.is(n, -0) ? "-0" : String(n));
    if (!Object.is(a, b)) out.push(`${path}: ${show(a)} vs ${show(b)}`);
    return out;
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    if (a !== b) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    return out;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${path}: array vs object`);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} vs ${b.length} elements`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) jsonDiff(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
    const p = `${path}.${JSON.stringify(key)}`;
    if (!(key in x)) out.push(`${p}: missing on the left`);
    else if (!(key in y)) out.push(`${p}: missing on the right`);
    else jsonDiff(x[key], y[key], p, out);
  }
  return out;
}

type Kind = "single" | "list" | "map";

function childMessage(desc: DescMessage, key: string): { desc: DescMessage; kind: Kind } | undefined {
  const field = desc.fields.find((f) => f.name === key || f.jsonName === key);
  if (!field) return undefined;
  if (field.fieldKind === "message") return { desc: field.message, kind: "single" };
  if (field.fieldKind === "list" && field.listKind === "message") return { desc: field.message, kind: "list" };
  if (field.fieldKind === "map" && field.mapKind === "message") return { desc: field.message, kind: "map" };
  return undefined;
}

function mapChildren(value: JsonValue, kind: Kind, fn: (v: JsonValue) => JsonValue): JsonValue {
  if (kind === "single") return fn(value);
  if (kind === "list") return (value as JsonValue[]).map(fn);
  return Object.fromEntries(Object.entries(value as Record<string, JsonValue>).map(([k, v]) => [k, fn(v)]));
}

function eachChild(value: JsonValue, kind: Kind, path: string, fn: (v: JsonValue, path: string) => void): void {
  if (kind === "single") fn(value, path);
  else if (kind === "list") (value as JsonValue[]).forEach((v, i) => fn(v, `${path}[${i}]`));
  else for (const [k, v] of Object.entries(value as Record<string, JsonValue>)) fn(v, `${path}[${JSON.stringify(k)}]`);
}

/**
 * How to walk the JSON of a message of `desc`: its fields (a regular message), the fields of the
 * type an Any packs (`@type`, looked up in `registry`), or nothing — the other well-known types
 * have JSON forms of their own (strings, numbers, arrays, free-form objects).
 */
function jsonShape(desc: DescMessage, json: JsonValue, registry: Registry | undefined): { desc: DescMessage; any: boolean } | undefined {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return undefined;
  if (desc.typeName === "google.protobuf.Any") {
    const url = json["@type"];
    const packed = typeof url === "string" ? registry?.getMessage(url.slice(url.lastIndexOf("/") + 1)) : undefined;
    if (!packed || packed.typeName.startsWith("google.protobuf.")) return undefined; // {"@type", "value"}
    return { desc: packed, any: true };
  }
  if (desc.typeName.startsWith("google.protobuf.")) return undefined;
  return { desc, any: false };
}

/**
 * `json` (a message of `desc`, either kind of names) with its keys renamed, in nested messages
 * (and messages packed in Any) too: "proto" gives proto field names, "json" JSON names, "mixed"
 * alternates between them by key position. A key no field has is an error.
 */
export function renameKeys(desc: DescMessage, json: JsonValue, names: "proto" | "json" | "mixed", registry?: Registry): JsonValue {
  const shape = jsonShape(desc, json, registry);
  if (!shape) return json;
  const out: Record<string, JsonValue> = {};
  Object.entries(json as Record<string, JsonValue>).forEach(([key, value], i) => {
    if (shape.any && key === "@type") {
      out[key] = value;
      return;
    }
    const field = shape.desc.fields.find((f) => f.name === key || f.jsonName === key);
    if (!field) throw new Error(`${shape.desc.typeName} has no field named ${key}`);
    const useProto = names === "proto" || (names === "mixed" && i % 2 === 0);
    const child = childMessage(shape.desc, key);
    out[useProto ? field.name : field.jsonName] = child ? mapChildren(value, child.kind, (v) => renameKeys(child.desc, v, names, registry)) : value;
  });
  return out;
}

/** The keys of `json` (nested messages and Any payloads included) that are not `names` of their fields: empty when all are. */
export function keysNotNamed(desc: DescMessage, json: JsonValue, names: "proto" | "json", registry?: Registry, path = "$", out: string[] = []): string[] {
  const shape = jsonShape(desc, json, registry);
  if (!shape) return out;
  for (const [key, value] of Object.entries(json as Record<string, JsonValue>)) {
    if (shape.any && key === "@type") continue;
    const field = shape.desc.fields.find((f) => (names === "proto" ? f.name : f.jsonName) === key);
    if (!field) {
      out.push(`${path}.${key}`);
      continue;
    }
    const child = childMessage(shape.desc, key);
    if (child) eachChild(value, child.kind, `${path}.${key}`, (v, p) => keysNotNamed(child.desc, v, names, registry, p, out));
  }
  return out;
}
