// The normalizations the codec matrix allows between protobuf-es and Python protobuf, each for
// one known, explained difference (test/codec-matrix.spec.ts lists them and pins each one), and
// each touching nothing but the values that difference concerns. Map order has its own
// normalization in codec-wire.ts (canonicalMapOrder).
import { clone, type DescField, type DescMessage, type JsonValue, type Message, type Registry, ScalarType } from "@bufbuild/protobuf";
import { reflect, type ReflectList, type ReflectMap, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { anyPack, anyUnpack, type Any } from "@bufbuild/protobuf/wkt";
import { reachableMessages } from "./codec-registry.js";

const isFloat = (f: DescField) =>
  (f.fieldKind === "scalar" && f.scalar === ScalarType.FLOAT) ||
  (f.fieldKind === "list" && f.listKind === "scalar" && f.scalar === ScalarType.FLOAT) ||
  (f.fieldKind === "map" && f.mapKind === "scalar" && f.scalar === ScalarType.FLOAT);
const isFloatOrDouble = (f: DescField) =>
  isFloat(f) ||
  (f.fieldKind === "scalar" && f.scalar === ScalarType.DOUBLE) ||
  (f.fieldKind === "list" && f.listKind === "scalar" && f.scalar === ScalarType.DOUBLE) ||
  (f.fieldKind === "map" && f.mapKind === "scalar" && f.scalar === ScalarType.DOUBLE);

/** Whether a message of `desc` can hold a float (or double) field, or an Any that might. */
export function mayHoldFloats(desc: DescMessage, doubles = false): boolean {
  return [...reachableMessages(desc)].some((t) => t.typeName === "google.protobuf.Any" || t.fields.some(doubles ? isFloatOrDouble : isFloat));
}

/** Whether a message of `desc` can hold a google.protobuf.Any. */
export function mayHoldAny(desc: DescMessage): boolean {
  return [...reachableMessages(desc)].some((t) => t.typeName === "google.protobuf.Any");
}

type NumberMap = (n: number) => number;

/** `message` with `fn` applied to the float (and with `doubles`, double) values of every message in it, Any payloads included. */
function mapFloats(desc: DescMessage, message: Message, registry: Registry, fn: NumberMap, doubles: boolean): Message {
  const copy = clone(desc, message);
  visit(reflect(desc, copy), registry, fn, doubles);
  return copy;
}

function visit(r: ReflectMessage, registry: Registry, fn: NumberMap, doubles: boolean): void {
  if (r.desc.typeName === "google.protobuf.Any") {
    const any = r.message as Any;
    const packed = registry.getMessage(any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1));
    const inner = packed && anyUnpack(any, registry);
    if (packed && inner) {
      const repacked = anyPack(packed, mapFloats(packed, inner, registry, fn, doubles));
      any.value = repacked.value;
    }
    return;
  }
  const applies = doubles ? isFloatOrDouble : isFloat;
  for (const field of r.desc.fields) {
    if (!r.isSet(field)) continue;
    if (applies(field)) {
      if (field.fieldKind === "scalar") r.set(field, fn(r.get(field) as number));
      else if (field.fieldKind === "list") {
        const list = r.get(field);
        for (let i = 0; i < list.size; i++) list.set(i, fn(list.get(i) as number));
      } else if (field.fieldKind === "map") {
        const map = r.get(field);
        for (const [k, v] of [...map.entries()]) map.set(k, fn(v as number));
      }
      continue;
    }
    // Set what was visited back: protobuf-es unboxes singular wrapper fields (a FloatValue field
    // holds a number), so the reflected child can be a temporary box.
    if (field.fieldKind === "message") {
      const child = r.get(field);
      visit(child, registry, fn, doubles);
      r.set(field, child);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      const list = r.get(field) as ReflectList<ReflectMessage>;
      for (let i = 0; i < list.size; i++) {
        const child = list.get(i)!;
        visit(child, registry, fn, doubles);
        list.set(i, child);
      }
    } else if (field.fieldKind === "map" && field.mapKind === "message") {
      const map = r.get(field) as ReflectMap<unknown, ReflectMessage>;
      for (const [k, child] of [...map.entries()]) {
        visit(child, registry, fn, doubles);
        map.set(k, child);
      }
    }
  }
}

/**
 * Known difference "float32 in memory": `message` with every float field rounded to float32.
 * Python's JSON prints the shortest text that rounds to the float32 (0.1); protobuf-es parses
 * that into the double 0.1 and keeps it unrounded until encoded, so `equals` with the float32
 * 0.10000000149011612 fails although both encode to the same four bytes.
 */
export function roundFloat32(desc: DescMessage, message: Message, registry: Registry): Message {
  return mapFloats(desc, message, registry, Math.fround, false);
}

/**
 * Known difference "-0 in JSON text": `message` with -0 in float and double fields made +0 —
 * what any parser reads from protobuf-es's JSON text, since JSON.stringify(-0) is "0" (toJson
 * keeps -0 as a value, toJsonString loses the sign). Python writes -0.0.
 */
export function withoutNegativeZero(desc: DescMessage, message: Message, registry: Registry): Message {
  return mapFloats(desc, message, registry, (n) => (Object.is(n, -0) ? 0 : n), true);
}

/**
 * Known difference "float32 printing": `json` (a message of `desc`) with the numbers of float
 * fields (and FloatValue) rounded to float32. protobuf-es prints a float field's value as the
 * double it is (0.10000000149011612, 3.4028234663852886e+38); Python prints the shortest
 * decimal that rounds to the same float32 (0.1, 3.4028235e+38). Doubles are left alone.
 */
export function roundFloat32Json(desc: DescMessage, json: JsonValue, registry: Registry): JsonValue {
  if (desc.typeName === "google.protobuf.FloatValue") return typeof json === "number" ? Math.fround(json) : json;
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  if (desc.typeName === "google.protobuf.Any") {
    const typeUrl = json["@type"];
    const packed = typeof typeUrl === "string" ? registry.getMessage(typeUrl.slice(typeUrl.lastIndexOf("/") + 1)) : undefined;
    if (!packed) return json;
    if (packed.typeName.startsWith("google.protobuf.") && "value" in json) return { ...json, value: roundFloat32Json(packed, json["value"], registry) };
    const { ["@type"]: _type, ...rest } = json;
    return { "@type": typeUrl!, ...(roundFloat32Json(packed, rest, registry) as Record<string, JsonValue>) };
  }
  if (desc.typeName.startsWith("google.protobuf.")) return json; // Struct, Value, …: doubles only
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = desc.fields.find((f) => f.name === key || f.jsonName === key);
    const round = (v: JsonValue) => (typeof v === "number" ? Math.fround(v) : v);
    if (!field) out[key] = value;
    else if (isFloat(field)) {
      if (field.fieldKind === "list") out[key] = (value as JsonValue[]).map(round);
      else if (field.fieldKind === "map") out[key] = Object.fromEntries(Object.entries(value as Record<string, JsonValue>).map(([k, v]) => [k, round(v)]));
      else out[key] = round(value);
    } else if (field.fieldKind === "message") out[key] = roundFloat32Json(field.message, value, registry);
    else if (field.fieldKind === "list" && field.listKind === "message") out[key] = (value as JsonValue[]).map((v) => roundFloat32Json(field.message, v, registry));
    else if (field.fieldKind === "map" && field.mapKind === "message") {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, JsonValue>).map(([k, v]) => [k, roundFloat32Json(field.message, v, registry)]));
    } else out[key] = value;
  }
  return out;
}
