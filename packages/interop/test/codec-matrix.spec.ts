// The codec matrix: every message type of @gitpod-connect/schema (285 today, nested ones
// included), populated from its descriptor alone (test/support/codec-instances.ts) — every field,
// each oneof member in turn, edge values, map order, unknown fields — and pushed through
// protobuf-es's binary and JSON codecs and through an independent implementation, Python's
// protobuf (Debian python3-protobuf 4.21 = protobuf 3.21, C++ backend), all cases in one Python
// process (python/codec_peer.py). A probe schema (test/support/codec-probe.ts) adds the scalar and
// well-known types our schema does not use yet (int64, float, double, sint/fixed, non-string map
// keys, Struct, Any, wrappers), so their behaviour is known before a field of such a type lands.
//
// Proven for every case:
// - protobuf-es alone: binary → message → binary is byte-identical, unknown fields included;
//   binary → JSON → binary and JSON → binary → JSON lose nothing (`equals`, bytes, JSON values),
//   also through JSON text (toJsonString / fromJsonString).
// - JSON names and proto field names: toJson(…, { useProtoFieldName: true }) uses proto names
//   only, camelCase JSON uses JSON names only, and both (and a mix of them) parse back to the
//   same message.
// - Python: its re-encoding of protobuf-es's binary is byte-identical; its JSON is the same JSON
//   value as protobuf-es's; each side's JSON parses on the other side to the same message.
//
// Known differences (each pinned in "codec: known differences", each with the narrowest
// normalization the comparisons allow; anything else is a failure):
// 1. Map order on the wire. protobuf-es writes map entries in the order of the JavaScript object
//    (integer-like keys such as "9" < "10" first and ascending, then insertion order); Python's
//    SerializeToString(deterministic=True) sorts by key (strings by UTF-8 bytes, which differs
//    from UTF-16 order for astral characters: "🦄" sorts after U+FFFD). Both orders are valid
//    protobuf; binary comparisons of such cases sort map entries first (canonicalMapOrder) and
//    only then compare bytes. Python's json_format.Parse packs an Any with a plain
//    (non-deterministic) SerializeToString, so maps inside an Any parsed from JSON come in hash
//    order: allowed after sorting, for types that can hold an Any (the probe's only).
// 2. float32 printing (probe only; the schema has no float field). protobuf-es prints a float's
//    value as the double it is (0.10000000149011612, 3.4028234663852886e+38); Python prints the
//    shortest text that rounds to the same float32 (0.1, 3.4028235e+38). JSON comparisons round
//    the numbers of float fields (only those) to float32.
// 3. float32 in memory (probe only). protobuf-es keeps the double it was given (or parsed from
//    JSON) in a float field until it encodes the message: a message parsed from Python's "0.1"
//    is not `equals` to one decoded from binary, though both encode to the same four bytes.
//    Comparisons of messages parsed from Python's JSON round float fields to float32 first.
// 4. -0 in JSON text (probe only). toJson keeps -0 as a value and the binary keeps its sign, but
//    toJsonString writes "0" (JSON.stringify(-0)), so whoever parses protobuf-es's JSON text gets
//    +0; Python writes -0.0. Comparisons of what was parsed from protobuf-es's JSON text expect
//    -0 to have become +0 (withoutNegativeZero), in float and double fields only.
// 5. google.protobuf.Value without a kind: protobuf-es refuses to write it as JSON, Python
//    writes null (which parses back as null_value: another message).
// 6. google.protobuf.Value holding ±Infinity or NaN: protobuf-es refuses, Python writes the
//    strings "Infinity"/"NaN" (which parse back as string_value).
// 7. A Timestamp with negative nanos (invalid): protobuf-es refuses to write it as JSON, Python
//    normalizes it ({0s, -1ns} → "1969-12-31T23:59:59.999999999Z").
// 8. Lenient JSON parsing of Duration and Timestamp, on different sides: protobuf-es accepts
//    "1s " and "1sfoo" (its pattern /^(-?[0-9]+)(?:\.([0-9]+))?s/ has no end anchor) and
//    "1970-02-30T00:00:00Z" (Date rolls it over to March 2), and throws RangeError "Invalid count
//    value" for ten fractional digits; Python rejects the first three, accepts "+1s", and
//    truncates "1.0000000001s" to 1s.
// 9. NaN: both sides write "NaN" and the same bytes, but protobuf-es's `equals` follows IEEE
//    (NaN ≠ NaN), so the generated cases hold no NaN; it is pinned on its own.
// Agreements worth naming, since they are classic divergences elsewhere: unknown enum numbers
// (12345, -1, 2^31-1: a JSON number on both sides), int64/uint64 as JSON strings, Timestamp and
// Duration with 0, 3, 6 or 9 fractional digits, "-0.500s", the first and last representable
// Timestamp, empty maps and lists (omitted), empty strings with explicit presence (written),
// unknown fields of every wire type (kept, written after the known fields, dropped by JSON),
// bytes as standard base64 with padding, Any with the registry.
import { describe, expect, it } from "vitest";
import {
  create,
  createRegistry,
  type DescMessage,
  equals,
  fromBinary,
  fromJson,
  fromJsonString,
  type JsonValue,
  type Registry,
  ScalarType,
  toBinary,
  toJson,
  toJsonString,
} from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  DoubleValueSchema,
  DurationSchema,
  FloatValueSchema,
  TimestampSchema,
  ValueSchema,
} from "@bufbuild/protobuf/wkt";
import { buildCases, casesByType, type CodecCase } from "./support/codec-cases.js";
import { INT32_MIN, UINT64_MAX, UNKNOWN_ENUM, walkMessages } from "./support/codec-instances.js";
import { jsonDiff, keysNotNamed, renameKeys } from "./support/codec-json.js";
import { mayHoldAny, mayHoldFloats, roundFloat32, roundFloat32Json, withoutNegativeZero } from "./support/codec-normalize.js";
import { loadProbe } from "./support/codec-probe.js";
import { type PeerInput, type PeerOutput, runCodecPeer } from "./support/codec-python.js";
import { schemaMessages, schemaRegistry } from "./support/codec-registry.js";
import { bytesEqual, canonicalMapOrder, firstDifference, unknownFieldsFor } from "./support/codec-wire.js";
import { pythonPeerMissing } from "./support/python-schema.js";

// ---------------------------------------------------------------------------------------------
// The cases

const cases = buildCases(schemaMessages, { registry: schemaRegistry });
const byType = casesByType(cases);
const typeCount = schemaMessages.length;
const fieldCount = schemaMessages.reduce((n, d) => n + d.fields.length, 0);
const countOf = (kinds: readonly string[]) => cases.filter((c) => kinds.includes(c.kind)).length;
const casesOf = (typeName: string, kinds?: readonly string[]) => (byType.get(typeName) ?? []).filter((c) => !kinds || kinds.includes(c.kind));
const typeNames = schemaMessages.map((d) => d.typeName);

const edgeKinds = ["edge: maximum values", "edge: minimum values", "edge: escapes and precision", "edge: map order"] as const;
const unknownKinds = ["unknown fields: appended", "unknown fields: leading"] as const;
const oneofTypes = schemaMessages.filter((d) => casesOf(d.typeName, ["oneof member"]).length > 0);
const oneofMemberCount = schemaMessages.reduce((n, d) => n + d.oneofs.reduce((m, o) => m + o.fields.length, 0), 0);
const renamedFieldCount = schemaMessages.reduce((n, d) => n + d.fields.filter((f) => f.name !== f.jsonName).length, 0);

// The probe: built lazily, since it needs protoc (as the Python peer does).
interface ProbeCases {
  registry: Registry;
  types: DescMessage[];
  cases: CodecCase[];
  descriptorSet: Uint8Array;
}
let probeCases: ProbeCases | undefined;
function probe(): ProbeCases {
  if (probeCases) return probeCases;
  const loaded = loadProbe();
  const registry = createRegistry(loaded.registry);
  const wkt = ["Duration", "Timestamp", "Struct", "Value", "Int64Value", "FloatValue", "FieldMask", "Empty"].map((n) => registry.getMessage(`google.protobuf.${n}`)!);
  const types = loaded.messages;
  probeCases = { registry, types, cases: buildCases(types, { registry, anyTargets: [...types, ...wkt] }), descriptorSet: loaded.descriptorSet };
  return probeCases;
}
const probeTypeNames = ["codec.probe.Maps", "codec.probe.Scalars", "codec.probe.WellKnown"];

// ---------------------------------------------------------------------------------------------
// protobuf-es on its own

/** Whatever goes wrong when `c` goes through protobuf-es's codecs; empty when nothing does. */
function roundTripProblems(c: CodecCase, registry: Registry): string[] {
  const problems: string[] = [];
  const { desc } = c;
  const opts = { registry };
  const check = (what: string, fn: () => string | undefined) => {
    try {
      const p = fn();
      if (p) problems.push(`${c.id}: ${what}: ${p}`);
    } catch (e) {
      problems.push(`${c.id}: ${what}: threw ${String(e)}`);
    }
  };
  check("binary → message → binary", () => {
    const decoded = fromBinary(desc, c.input);
    if (!equals(desc, decoded, c.message, { registry, unknown: true })) return "the decoded message differs from the instance";
    const again = toBinary(desc, decoded);
    return bytesEqual(again, c.expected) ? undefined : firstDifference(c.expected, again);
  });
  check("binary → JSON → binary", () => {
    const json = toJson(desc, fromBinary(desc, c.input), opts);
    const again = toBinary(desc, fromJson(desc, json, opts));
    return bytesEqual(again, c.expectedKnown) ? undefined : firstDifference(c.expectedKnown, again);
  });
  check("JSON → binary → JSON", () => {
    const json = toJson(desc, c.message, opts);
    const decoded = fromBinary(desc, toBinary(desc, fromJson(desc, json, opts)));
    if (!equals(desc, decoded, c.message, { registry, unpackAny: true })) return "the message differs from the instance";
    return jsonDiff(toJson(desc, decoded, opts), json).join("; ") || undefined;
  });
  check("JSON text → binary", () => {
    const parsed = fromJsonString(desc, toJsonString(desc, c.message, opts), opts);
    // -0 became +0 (known difference 4); equals counts them equal, but not inside Any's bytes.
    if (!equals(desc, parsed, c.message, { registry, unpackAny: true })) return "the parsed message differs from the instance";
    // Known difference 4: JSON text has no -0.
    const expected = mayHoldFloats(desc, true) ? toBinary(desc, withoutNegativeZero(desc, c.message, registry), { writeUnknownFields: false }) : c.expectedKnown;
    const again = toBinary(desc, parsed);
    return bytesEqual(again, expected) ? undefined : firstDifference(expected, again);
  });
  return problems;
}

function protoNameProblems(c: CodecCase, registry: Registry): string[] {
  const { desc } = c;
  const opts = { registry };
  const problems: string[] = [];
  const camel = toJson(desc, c.message, opts);
  const proto = toJson(desc, c.message, { ...opts, useProtoFieldName: true });
  for (const key of keysNotNamed(desc, camel, "json", registry)) problems.push(`${c.id}: camelCase JSON has ${key}, no JSON name`);
  for (const key of keysNotNamed(desc, proto, "proto", registry)) problems.push(`${c.id}: proto-name JSON has ${key}, no proto field name`);
  for (const d of jsonDiff(renameKeys(desc, camel, "proto", registry), proto)) problems.push(`${c.id}: the two JSON forms differ in more than names: ${d}`);
  const variants: [string, JsonValue][] = [
    ["proto names", proto],
    ["mixed names", renameKeys(desc, camel, "mixed", registry)],
    ["proto names as text", JSON.parse(toJsonString(desc, c.message, { ...opts, useProtoFieldName: true })) as JsonValue],
  ];
  for (const [what, json] of variants) {
    try {
      if (!equals(desc, fromJson(desc, json, opts), c.message, { registry, unpackAny: true })) problems.push(`${c.id}: JSON with ${what} parses to another message`);
    } catch (e) {
      problems.push(`${c.id}: JSON with ${what} does not parse: ${String(e)}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Python

/** How binary comparisons with Python went, for the summary test. */
interface BinaryStats {
  identical: number;
  afterMapSort: number;
  reorderedMaps: Set<string>;
}
const stats: BinaryStats = { identical: 0, afterMapSort: 0, reorderedMaps: new Set() };

/**
 * `python` (Python's bytes) against `es` (protobuf-es's), byte for byte — or, where protobuf-es
 * wrote maps out of key order (known difference 1), after sorting map entries on both sides.
 * Python's own output is in key order, except inside an Any: there it keeps the payload bytes
 * it was given (binary) or packs them in hash order (JSON).
 */
function binaryProblem(desc: DescMessage, registry: Registry, es: Uint8Array, python: Uint8Array | undefined): string | undefined {
  if (!python) return "no answer";
  if (bytesEqual(es, python)) {
    stats.identical++;
    return undefined;
  }
  const esMaps = new Set<string>();
  const pyMaps = new Set<string>();
  const esSorted = canonicalMapOrder(desc, es, esMaps, registry);
  const pySorted = canonicalMapOrder(desc, python, pyMaps, registry);
  if (!bytesEqual(esSorted, pySorted)) return `${firstDifference(es, python)}, also with map entries sorted: ${firstDifference(esSorted, pySorted)}`;
  if (pyMaps.size > 0 && !mayHoldAny(desc)) return `Python wrote ${[...pyMaps].join(", ")} out of key order`;
  if (esMaps.size === 0 && pyMaps.size === 0) return "differs, yet not in map order"; // cannot happen: sorted bytes equal
  stats.afterMapSort++;
  for (const m of esMaps) stats.reorderedMaps.add(m);
  return undefined;
}

function jsonOf(text: string | undefined): JsonValue {
  if (text === undefined) throw new Error("no JSON from Python");
  return JSON.parse(text) as JsonValue;
}

function pythonProblems(c: CodecCase, out: PeerOutput | undefined, registry: Registry): string[] {
  if (!out) return [`${c.id}: Python did not answer`];
  const problems: string[] = [];
  const { desc } = c;
  const opts = { registry };
  const note = (what: string, p: string | undefined) => p && problems.push(`${c.id}: ${what}: ${p}`);
  for (const [op, error] of Object.entries(out.errors ?? {})) problems.push(`${c.id}: Python ${op} raised ${error}`);
  const floats = mayHoldFloats(desc);
  // Known difference 2: float32 printing.
  const normJson = (j: JsonValue) => (floats ? roundFloat32Json(desc, j, registry) : j);
  // Known difference 3: float32 in memory.
  const normMessage = <M extends CodecCase["message"]>(m: M) => (floats ? roundFloat32(desc, m, registry) : m);

  note("Python's re-encoding of protobuf-es's binary", binaryProblem(desc, registry, c.expected, out.binary));
  for (const [what, pyText, useProtoFieldName] of [
    ["JSON", out.json, false],
    ["proto-name JSON", out.protoJson, true],
  ] as const) {
    try {
      const pyJson = jsonOf(pyText);
      const esJson = toJson(desc, c.message, { ...opts, useProtoFieldName });
      for (const d of jsonDiff(normJson(pyJson), normJson(esJson))) problems.push(`${c.id}: Python's ${what} vs protobuf-es's: ${d}`);
      const parsed = normMessage(fromJson(desc, pyJson, opts));
      if (!equals(desc, parsed, c.message, { registry, unpackAny: true })) problems.push(`${c.id}: Python's ${what} parses in protobuf-es to another message`);
      // The entries of a map come in the order of Python's JSON object (known difference 1).
      const bytes = canonicalMapOrder(desc, toBinary(desc, parsed), undefined, registry);
      const expected = canonicalMapOrder(desc, c.expectedKnown, undefined, registry);
      if (!bytesEqual(bytes, expected)) problems.push(`${c.id}: Python's ${what} parsed by protobuf-es encodes differently: ${firstDifference(expected, bytes)}`);
    } catch (e) {
      problems.push(`${c.id}: Python's ${what}: ${String(e)}`);
    }
  }
  // Known difference 4: what is parsed from protobuf-es's JSON text has +0 for -0.
  const fromText = mayHoldFloats(desc, true) ? toBinary(desc, withoutNegativeZero(desc, c.message, registry), { writeUnknownFields: false }) : c.expectedKnown;
  note("Python's encoding of protobuf-es's JSON", binaryProblem(desc, registry, fromText, out.fromJson));
  note("Python's encoding of protobuf-es's proto-name JSON", binaryProblem(desc, registry, fromText, out.fromProtoJson));
  note("Python's encoding of protobuf-es's mixed-name JSON", binaryProblem(desc, registry, fromText, out.fromMixedJson));
  return problems;
}

function peerInput(c: CodecCase, registry: Registry): PeerInput {
  const opts = { registry };
  const camel = toJson(c.desc, c.message, opts);
  return {
    id: c.id,
    type: c.desc.typeName,
    binary: c.input,
    json: toJsonString(c.desc, c.message, opts),
    protoJson: toJsonString(c.desc, c.message, { ...opts, useProtoFieldName: true }),
    mixedJson: JSON.stringify(renameKeys(c.desc, camel, "mixed", registry)),
  };
}

// Pinned known differences: extra inputs for the same Python run, by id.
const pinInputs: PeerInput[] = [];
function pin(id: string, type: string, input: { binary?: Uint8Array; json?: string }): string {
  pinInputs.push({ id: `pin: ${id}`, type, ...input });
  return `pin: ${id}`;
}
const float01 = create(FloatValueSchema, { value: Math.fround(0.1) });
const mapOrderPin = (() => {
  const desc = schemaMessages.find((d) => d.fields.some((f) => f.fieldKind === "map" && f.mapKind === "scalar" && f.mapKey === ScalarType.STRING))!;
  const field = desc.fields.find((f) => f.fieldKind === "map" && f.mapKind === "scalar")!;
  const m = reflect(desc, create(desc));
  const map = m.get(field);
  for (const key of ["b", "10", "9", "\uFFFD", "🦄"]) map.set(key, key);
  return { desc, field, message: m.message };
})();
const pins = {
  mapOrder: pin(`${mapOrderPin.desc.typeName} map order`, mapOrderPin.desc.typeName, { binary: toBinary(mapOrderPin.desc, mapOrderPin.message) }),
  float01: pin("FloatValue 0.1", "google.protobuf.FloatValue", { binary: toBinary(FloatValueSchema, float01), json: "0.1" }),
  float16777217: pin("FloatValue 16777217", "google.protobuf.FloatValue", { json: "16777217" }),
  negativeZero: pin("DoubleValue -0", "google.protobuf.DoubleValue", { binary: toBinary(DoubleValueSchema, create(DoubleValueSchema, { value: -0 })), json: "0" }),
  nan: pin("DoubleValue NaN", "google.protobuf.DoubleValue", { binary: toBinary(DoubleValueSchema, create(DoubleValueSchema, { value: NaN })), json: '"NaN"' }),
  infinity: pin("FloatValue Infinity", "google.protobuf.FloatValue", { binary: toBinary(FloatValueSchema, create(FloatValueSchema, { value: Infinity })), json: '"Infinity"' }),
  minusInfinity: pin("DoubleValue -Infinity", "google.protobuf.DoubleValue", { binary: toBinary(DoubleValueSchema, create(DoubleValueSchema, { value: -Infinity })), json: '"-Infinity"' }),
  valueUnset: pin("Value without kind", "google.protobuf.Value", { binary: new Uint8Array(0), json: "null" }),
  valueInfinity: pin("Value Infinity", "google.protobuf.Value", { binary: toBinary(ValueSchema, create(ValueSchema, { kind: { case: "numberValue", value: Infinity } })) }),
  valueNaN: pin("Value NaN", "google.protobuf.Value", { binary: toBinary(ValueSchema, create(ValueSchema, { kind: { case: "numberValue", value: NaN } })) }),
  timestampNegativeNanos: pin("Timestamp -1ns", "google.protobuf.Timestamp", { binary: toBinary(TimestampSchema, create(TimestampSchema, { seconds: 0n, nanos: -1 })) }),
  durationTrailingSpace: pin('Duration "1s "', "google.protobuf.Duration", { json: '"1s "' }),
  durationTrailingText: pin('Duration "1sfoo"', "google.protobuf.Duration", { json: '"1sfoo"' }),
  durationPlus: pin('Duration "+1s"', "google.protobuf.Duration", { json: '"+1s"' }),
  durationTenDigits: pin('Duration "1.0000000001s"', "google.protobuf.Duration", { json: '"1.0000000001s"' }),
  timestampFeb30: pin("Timestamp 1970-02-30", "google.protobuf.Timestamp", { json: '"1970-02-30T00:00:00Z"' }),
};

let peerRun: Promise<Map<string, PeerOutput>> | undefined;
let peerSeconds = 0;
/** All cases (schema, probe, pins) through one Python process, once. */
function peer(): Promise<Map<string, PeerOutput>> {
  peerRun ??= (async () => {
    const missing = pythonPeerMissing();
    if (missing) throw new Error(`the Python peer needs ${missing}`);
    const p = probe();
    const inputs = [...cases.map((c) => peerInput(c, schemaRegistry)), ...p.cases.map((c) => peerInput(c, p.registry)), ...pinInputs];
    const start = performance.now();
    const outputs = await runCodecPeer(inputs, p.descriptorSet);
    peerSeconds = (performance.now() - start) / 1000;
    return outputs;
  })();
  return peerRun;
}
async function pinned(id: string): Promise<PeerOutput> {
  const out = (await peer()).get(id);
  if (!out) throw new Error(`no answer for ${id}`);
  return out;
}
const b64 = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString("base64") : undefined);

// ---------------------------------------------------------------------------------------------

describe("codec: every field", () => {
  const kinds = ["every field", "oneof member"];
  it(`sets every one of the ${fieldCount} fields of all ${typeCount} message types (${countOf(kinds)} cases)`, () => {
    const unset: string[] = [];
    for (const desc of schemaMessages) {
      const set = new Set<string>();
      for (const c of casesOf(desc.typeName, kinds)) {
        const r = reflect(desc, c.message);
        for (const f of desc.fields) if (r.isSet(f)) set.add(f.name);
      }
      for (const f of desc.fields) if (!set.has(f.name)) unset.push(`${desc.typeName}.${f.name}`);
    }
    expect(unset).toEqual([]);
    expect(new Set(cases.map((c) => c.desc.typeName)).size).toBe(typeCount);
    expect(cases.filter((c) => c.kind === "every field")).toHaveLength(typeCount);
  });

  it("counts the schema's types as the registry does, nested ones included", () => {
    let inRegistry = 0;
    for (const t of schemaRegistry) if (t.kind === "message" && t.typeName.startsWith("gitpod.v1.")) inRegistry++;
    expect(typeCount).toBe(inRegistry);
    expect(schemaMessages.filter((d) => d.typeName.split(".").length > 3).length).toBeGreaterThan(0);
  });

  it.each(typeNames)("%s: binary ⇄ JSON without loss", (name) => {
    expect(casesOf(name, ["every field"]).flatMap((c) => roundTripProblems(c, schemaRegistry))).toEqual([]);
  });
});

describe("codec: oneof members", () => {
  it(`sets each of the ${oneofMemberCount} oneof members in turn (${oneofTypes.length} types with a oneof inside, ${countOf(["oneof member"])} cases beyond the every-field ones)`, () => {
    // Nested types are types of their own here, so each type's own oneofs suffice.
    const missed: string[] = [];
    for (const desc of schemaMessages) {
      const seen = new Set<string>();
      for (const c of casesOf(desc.typeName, ["every field", "oneof member"])) {
        const r = reflect(desc, c.message);
        for (const o of desc.oneofs) seen.add(r.oneofCase(o)?.name ?? "");
      }
      for (const o of desc.oneofs) for (const f of o.fields) if (!seen.has(f.name)) missed.push(`${desc.typeName}.${f.name}`);
    }
    expect(missed).toEqual([]);
  });

  it.each(oneofTypes.map((d) => d.typeName))("%s: every member round-trips", (name) => {
    expect(casesOf(name, ["oneof member"]).flatMap((c) => roundTripProblems(c, schemaRegistry))).toEqual([]);
  });
});

describe("codec: edge values", () => {
  it(`covers all ${typeCount} message types with ${countOf(edgeKinds)} edge cases (maximum, minimum, escapes and precision; map order for ${countOf(["edge: map order"])} types with a map inside)`, () => {
    for (const name of typeNames) expect(casesOf(name, edgeKinds).length).toBeGreaterThanOrEqual(3);
  });

  it.each(typeNames)("%s: edge values round-trip", (name) => {
    expect(casesOf(name, edgeKinds).flatMap((c) => roundTripProblems(c, schemaRegistry))).toEqual([]);
  });

  // What the edge values look like on the wire and in JSON, on fields the schema has.
  const firstField = (test: (d: DescMessage) => boolean) => schemaMessages.find(test);
  it("writes uint64 max as the JSON string 18446744073709551615 and a ten-byte varint", () => {
    const desc = firstField((d) => d.fields.some((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.UINT64))!;
    const field = desc.fields.find((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.UINT64)!;
    const m = reflect(desc, create(desc));
    m.set(field, UINT64_MAX);
    expect((toJson(desc, m.message) as Record<string, unknown>)[field.jsonName]).toBe("18446744073709551615");
    expect(Buffer.from(toBinary(desc, m.message)).toString("hex")).toBe(`${(field.number << 3).toString(16).padStart(2, "0")}ffffffffffffffffff01`);
  });

  it("writes int32 min as a JSON number and a ten-byte varint", () => {
    const desc = firstField((d) => d.fields.some((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.INT32))!;
    const field = desc.fields.find((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.INT32)!;
    const m = reflect(desc, create(desc));
    m.set(field, INT32_MIN);
    expect((toJson(desc, m.message) as Record<string, unknown>)[field.jsonName]).toBe(INT32_MIN);
    expect(toBinary(desc, m.message)).toHaveLength(11);
  });

  it(`keeps the unknown enum number ${UNKNOWN_ENUM} in binary and JSON (open enums)`, () => {
    const desc = firstField((d) => d.fields.some((f) => f.fieldKind === "enum" && !f.oneof))!;
    const field = desc.fields.find((f) => f.fieldKind === "enum" && !f.oneof)!;
    const m = reflect(desc, create(desc));
    m.set(field, UNKNOWN_ENUM);
    const json = toJson(desc, m.message) as Record<string, unknown>;
    expect(json[field.jsonName]).toBe(UNKNOWN_ENUM);
    expect(reflect(desc, fromBinary(desc, toBinary(desc, m.message))).get(field)).toBe(UNKNOWN_ENUM);
    expect(reflect(desc, fromJson(desc, json as JsonValue)).get(field)).toBe(UNKNOWN_ENUM);
  });

  it("writes the Timestamp and Duration range ends and fractional digits as the JSON mapping says", () => {
    const ts = (seconds: bigint, nanos: number) => toJson(TimestampSchema, create(TimestampSchema, { seconds, nanos }));
    const dur = (seconds: bigint, nanos: number) => toJson(DurationSchema, create(DurationSchema, { seconds, nanos }));
    expect([ts(253_402_300_799n, 999_999_999), ts(-62_135_596_800n, 0), ts(1n, 1), ts(1_700_000_000n, 1000), ts(-1n, 500_000_000)]).toEqual([
      "9999-12-31T23:59:59.999999999Z",
      "0001-01-01T00:00:00Z",
      "1970-01-01T00:00:01.000000001Z",
      "2023-11-14T22:13:20.000001Z",
      "1969-12-31T23:59:59.500Z",
    ]);
    expect([dur(315_576_000_000n, 999_999_999), dur(-315_576_000_000n, -999_999_999), dur(0n, -500_000_000), dur(1n, 1000), dur(3600n, 0)]).toEqual([
      "315576000000.999999999s",
      "-315576000000.999999999s",
      "-0.500s",
      "1.000001s",
      "3600s",
    ]);
  });

  it("writes text and bytes edge values as UTF-8 and standard base64 (0x00 and 0xFF kept)", () => {
    const desc = firstField((d) => d.fields.some((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES))!;
    const field = desc.fields.find((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES)!;
    const m = reflect(desc, create(desc));
    m.set(field, new Uint8Array([0x00, 0xff, 0xfb, 0xef, 0x80, 0x7f]));
    expect((toJson(desc, m.message) as Record<string, unknown>)[field.jsonName]).toBe("AP/774B/");
    const text = firstField((d) => d.fields.some((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.STRING))!;
    const sfield = text.fields.find((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.STRING)!;
    const t = reflect(text, create(text));
    t.set(sfield, "é 日本 🦄");
    expect(Buffer.from(toBinary(text, t.message)).toString("hex")).toContain(Buffer.from("é 日本 🦄", "utf8").toString("hex"));
    expect(Buffer.from("🦄", "utf8").toString("hex")).toBe("f09fa684");
  });
});

describe("codec: unknown fields", () => {
  it(`adds six unknown fields (varint, fixed64, length-delimited, fixed32, group, field number 2^29-1) to every message inside each of the ${typeCount} types (${countOf(unknownKinds)} cases)`, () => {
    for (const c of cases.filter((x) => x.kind === "unknown fields: appended")) {
      expect(reflect(c.desc, c.message).getUnknown()).toHaveLength(6);
      expect(c.expected.length).toBeGreaterThan(c.expectedKnown.length);
    }
  });

  it.each(typeNames)("%s: unknown fields are kept in binary, written after the known ones, and dropped by JSON", (name) => {
    const problems: string[] = [];
    for (const c of casesOf(name, unknownKinds)) {
      problems.push(...roundTripProblems(c, schemaRegistry));
      const decoded = fromBinary(c.desc, c.input);
      let expected = 0;
      let kept = 0;
      walkMessages(c.desc, c.message, (r) => (expected += r.getUnknown()?.length ?? 0));
      walkMessages(c.desc, decoded, (r) => (kept += r.getUnknown()?.length ?? 0));
      if (kept !== expected) problems.push(`${c.id}: ${kept} of ${expected} unknown fields kept`);
      const top = reflect(c.desc, decoded).getUnknown() ?? [];
      if (top.map((u) => u.no).join() !== unknownFieldsFor(c.desc).map((u) => u.no).join()) problems.push(`${c.id}: top-level unknown fields ${top.map((u) => u.no).join()}`);
      const ignored = toBinary(c.desc, fromBinary(c.desc, c.input, { readUnknownFields: false }));
      if (!bytesEqual(ignored, c.expectedKnown)) problems.push(`${c.id}: readUnknownFields: false: ${firstDifference(c.expectedKnown, ignored)}`);
      for (const d of jsonDiff(toJson(c.desc, decoded), toJson(c.desc, fromBinary(c.desc, c.expectedKnown)))) problems.push(`${c.id}: JSON shows unknown fields: ${d}`);
      if (c.kind === "unknown fields: leading" && c.expectedKnown.length > 0 && bytesEqual(c.input, c.expected)) problems.push(`${c.id}: the leading case is not leading`);
    }
    expect(problems).toEqual([]);
  });
});

describe("codec: proto names", () => {
  it(`JSON names differ from proto names for ${renamedFieldCount} of the ${fieldCount} fields`, () => {
    expect(renamedFieldCount).toBeGreaterThan(0);
  });

  it.each(typeNames)("%s: proto field names, JSON names and a mix of both parse to the same message", (name) => {
    expect(casesOf(name).flatMap((c) => protoNameProblems(c, schemaRegistry))).toEqual([]);
  });
});

describe("codec: Python protobuf", () => {
  const canonical = cases.filter((c) => bytesEqual(canonicalMapOrder(c.desc, c.expected, undefined, schemaRegistry), c.expected));
  it(`answers all ${cases.length} cases of the ${typeCount} types, the probe's and the pins from one Python process`, async () => {
    const outputs = await peer();
    const p = probe();
    expect(outputs.size).toBe(cases.length + p.cases.length + pinInputs.length);
    console.info(`codec matrix: ${cases.length} schema cases of ${typeCount} types, ${p.cases.length} probe cases, ${pinInputs.length} pins; Python took ${peerSeconds.toFixed(1)} s`);
  });

  it.each(typeNames)("%s: Python encodes, decodes and writes JSON like protobuf-es", async (name) => {
    const outputs = await peer();
    expect(casesOf(name).flatMap((c) => pythonProblems(c, outputs.get(c.id), schemaRegistry))).toEqual([]);
  });

  it(`re-encodes byte for byte the ${canonical.length} cases whose maps protobuf-es writes in key order, the other ${cases.length - canonical.length} after sorting map entries`, async () => {
    const outputs = await peer();
    const exact = canonical.filter((c) => bytesEqual(outputs.get(c.id)?.binary ?? new Uint8Array(), c.expected));
    expect(exact.map((c) => c.id)).toEqual(canonical.map((c) => c.id));
    const sortedOnly = cases.filter((c) => !canonical.includes(c));
    // Only the map-order cases, and only because of integer-like or out-of-order keys.
    expect([...new Set(sortedOnly.map((c) => c.kind))]).toEqual(["edge: map order"]);
    // Every comparison of the schema's cases so far (re-encoding and JSON → binary, three JSON texts).
    console.info(
      `codec matrix: ${stats.identical} binary comparisons with Python byte-identical, ${stats.afterMapSort} after sorting map entries of ${[...stats.reorderedMaps].sort().join(", ")}`,
    );
    expect(stats.afterMapSort).toBeGreaterThan(0);
  });
});

describe("codec: probe types", () => {
  it("compiles the probe and builds its cases", () => {
    const p = probe();
    expect(p.types.map((t) => t.typeName).sort()).toEqual(probeTypeNames);
    expect(p.cases.length).toBeGreaterThan(p.types.length * 6);
  });

  it.each(probeTypeNames)("%s: binary ⇄ JSON without loss in protobuf-es", (name) => {
    const p = probe();
    expect(p.cases.filter((c) => c.desc.typeName === name).flatMap((c) => roundTripProblems(c, p.registry))).toEqual([]);
  });

  it.each(probeTypeNames)("%s: proto names and JSON names", (name) => {
    const p = probe();
    expect(p.cases.filter((c) => c.desc.typeName === name).flatMap((c) => protoNameProblems(c, p.registry))).toEqual([]);
  });

  it.each(probeTypeNames)("%s: Python agrees, up to the known differences", async (name) => {
    const outputs = await peer();
    const p = probe();
    expect(p.cases.filter((c) => c.desc.typeName === name).flatMap((c) => pythonProblems(c, outputs.get(c.id), p.registry))).toEqual([]);
  });

  it("writes int64 extremes as JSON strings on both sides", async () => {
    const outputs = await peer();
    const c = probe().cases.find((x) => x.id === "codec.probe.Scalars [edge: maximum values]")!;
    const py = jsonOf(outputs.get(c.id)?.json) as Record<string, JsonValue>;
    expect(py["fInt64"]).toBe("9223372036854775807");
    expect(py["fUint64"]).toBe("18446744073709551615");
    expect((toJson(c.desc, c.message) as Record<string, JsonValue>)["fInt64"]).toBe("9223372036854775807");
    const min = probe().cases.find((x) => x.id === "codec.probe.Scalars [edge: minimum values]")!;
    expect((jsonOf(outputs.get(min.id)?.json) as Record<string, JsonValue>)["fSint64"]).toBe("-9223372036854775808");
  });
});

describe("codec: known differences", () => {
  it("1. map order: protobuf-es writes JavaScript object order, Python sorts by key (UTF-8 bytes)", async () => {
    const out = await pinned(pins.mapOrder);
    const { desc, field, message } = mapOrderPin;
    // Inserted as b, 10, 9, U+FFFD, 🦄: JavaScript lists the integer-like keys first, ascending.
    expect(entryKeys(field.number, toBinary(desc, message))).toEqual(["9", "10", "b", "\uFFFD", "🦄"]);
    // Python: by UTF-8 bytes ("10" < "9"; U+FFFD EF BF BD < 🦄 F0 9F A6 84, unlike UTF-16).
    expect(entryKeys(field.number, out.binary!)).toEqual(["10", "9", "b", "\uFFFD", "🦄"]);
    expect(b64(canonicalMapOrder(desc, toBinary(desc, message)))).toBe(b64(out.binary));
  });

  it("2. float32 printing: protobuf-es prints the double, Python the shortest float32 text", async () => {
    const out = await pinned(pins.float01);
    expect(toJson(FloatValueSchema, fromBinary(FloatValueSchema, toBinary(FloatValueSchema, float01)))).toBe(0.10000000149011612);
    expect(jsonOf(out.json)).toBe(0.1);
    // Both texts are the same float32 to both parsers.
    expect(b64(out.fromJson)).toBe(b64(toBinary(FloatValueSchema, fromJson(FloatValueSchema, 0.1))));
    expect(b64(out.binary)).toBe(b64(toBinary(FloatValueSchema, float01)));
  });

  it("3. float32 in memory: protobuf-es keeps 16777217 until it encodes, Python rounds at once", async () => {
    const out = await pinned(pins.float16777217);
    const es = fromJson(FloatValueSchema, 16_777_217);
    expect(toJson(FloatValueSchema, es)).toBe(16_777_217);
    expect(toJson(FloatValueSchema, fromBinary(FloatValueSchema, toBinary(FloatValueSchema, es)))).toBe(16_777_216);
    expect(b64(out.fromJson)).toBe(b64(toBinary(FloatValueSchema, es)));
    expect(equals(FloatValueSchema, es, fromBinary(FloatValueSchema, out.fromJson!))).toBe(false);
  });

  it("4. -0: the binary keeps the sign on both sides; protobuf-es's JSON text drops it, Python writes -0.0", async () => {
    const out = await pinned(pins.negativeZero);
    const m = create(DoubleValueSchema, { value: -0 });
    expect(Buffer.from(toBinary(DoubleValueSchema, m)).toString("hex")).toBe("090000000000000080");
    expect(b64(out.binary)).toBe(b64(toBinary(DoubleValueSchema, m)));
    expect(Object.is(toJson(DoubleValueSchema, m), -0)).toBe(true);
    expect(toJsonString(DoubleValueSchema, m)).toBe("0");
    expect(out.json).toBe("-0.0");
    expect(Object.is(fromJsonString(DoubleValueSchema, out.json!).value, -0)).toBe(true);
    expect(b64(out.fromJson)).toBe(""); // Python read protobuf-es's "0": +0, not written
  });

  it("5. Value without a kind: protobuf-es refuses to write JSON, Python writes null", async () => {
    const out = await pinned(pins.valueUnset);
    expect(() => toJson(ValueSchema, create(ValueSchema))).toThrow("must have a value");
    expect(out.json).toBe("null");
    expect(b64(out.fromJson)).toBe(b64(toBinary(ValueSchema, fromJson(ValueSchema, null)))); // null_value: another message
    expect(b64(out.fromJson)).not.toBe("");
  });

  it("6. Value with Infinity or NaN: protobuf-es refuses, Python writes a string", async () => {
    const inf = await pinned(pins.valueInfinity);
    const nan = await pinned(pins.valueNaN);
    expect(() => toJson(ValueSchema, create(ValueSchema, { kind: { case: "numberValue", value: Infinity } }))).toThrow("cannot be NaN or Infinity");
    expect([inf.json, nan.json]).toEqual(['"Infinity"', '"NaN"']);
    expect(fromJsonString(ValueSchema, inf.json!).kind).toEqual({ case: "stringValue", value: "Infinity" });
  });

  it("7. Timestamp with negative nanos: protobuf-es refuses, Python normalizes", async () => {
    const out = await pinned(pins.timestampNegativeNanos);
    expect(() => toJson(TimestampSchema, create(TimestampSchema, { seconds: 0n, nanos: -1 }))).toThrow("nanos must not be negative");
    expect(out.json).toBe('"1969-12-31T23:59:59.999999999Z"');
  });

  it("8. lenient Duration and Timestamp parsing, on different sides", async () => {
    const dur = (text: string) => {
      try {
        const d = fromJsonString(DurationSchema, text);
        return `${d.seconds}s ${d.nanos}ns`;
      } catch (e) {
        return `throws ${e instanceof Error ? e.constructor.name : "?"}`;
      }
    };
    const py = async (id: string) => {
      const out = await pinned(id);
      if (out.fromJson === undefined) return "rejects";
      const d = fromBinary(DurationSchema, out.fromJson);
      return `${d.seconds}s ${d.nanos}ns`;
    };
    expect([dur('"1s "'), dur('"1sfoo"'), dur('"+1s"'), dur('"1.0000000001s"')]).toEqual(["1s 0ns", "1s 0ns", "throws Error", "throws RangeError"]);
    expect([await py(pins.durationTrailingSpace), await py(pins.durationTrailingText), await py(pins.durationPlus), await py(pins.durationTenDigits)]).toEqual([
      "rejects",
      "rejects",
      "1s 0ns",
      "1s 0ns",
    ]);
    expect(fromJsonString(TimestampSchema, '"1970-02-30T00:00:00Z"').seconds).toBe(5_184_000n); // March 2
    expect((await pinned(pins.timestampFeb30)).errors?.["fromJson"]).toContain("day is out of range");
  });

  it("9. NaN and ±Infinity: the same JSON strings and bytes on both sides; NaN is not `equals` to itself", async () => {
    const nan = await pinned(pins.nan);
    const inf = await pinned(pins.infinity);
    const minus = await pinned(pins.minusInfinity);
    const m = create(DoubleValueSchema, { value: NaN });
    expect([nan.json, inf.json, minus.json]).toEqual(['"NaN"', '"Infinity"', '"-Infinity"']);
    expect(toJson(DoubleValueSchema, m)).toBe("NaN");
    expect(toJson(FloatValueSchema, create(FloatValueSchema, { value: Infinity }))).toBe("Infinity");
    expect(b64(nan.binary)).toBe(b64(toBinary(DoubleValueSchema, m)));
    expect(b64(nan.fromJson)).toBe(b64(toBinary(DoubleValueSchema, m)));
    expect(b64(minus.fromJson)).toBe(b64(toBinary(DoubleValueSchema, create(DoubleValueSchema, { value: -Infinity }))));
    expect(equals(DoubleValueSchema, m, create(DoubleValueSchema, { value: NaN }))).toBe(false);
  });
});

/** The keys of the entries of map field `no` (string keys) in `bytes`, in wire order. */
function entryKeys(no: number, bytes: Uint8Array): string[] {
  const keys: string[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo !== no) {
      reader.skip(wireType, fieldNo);
      continue;
    }
    const entry = new BinaryReader(reader.bytes());
    while (entry.pos < entry.len) {
      const [n, w] = entry.tag();
      if (n === 1) keys.push(entry.string());
      else entry.skip(w, n);
    }
  }
  return keys;
}
