// Populated instances for the codec matrix, generated from the descriptors alone, so a new field
// or type is covered without touching this file. A *profile* says which values go into which kind
// of field; a *variant* says which oneof member is set (variant k sets member k of every oneof,
// wrapping around, also in nested messages; list elements use k, k+1, …).
//
// Profiles:
// - "every field": ordinary non-zero values, so every field is on the wire (oneof: member 0).
// - "edge: maximum values": the largest value of each numeric type (int32/int64/uint32/uint64,
//   float/double and +Infinity in lists),
//   unknown enum numbers (12345, 2147483647: the enums are open, protobuf-es keeps the number),
//   non-ASCII and astral-plane text ("é", "日本", "🦄" U+1F984, U+FFFD), bytes 0x00/0xFF, the
//   last representable Timestamp and the longest Duration.
// - "edge: minimum values": the smallest value of each numeric type (-Infinity, -0 and the
//   smallest denormals in float/double lists), -1 (a ten-byte varint for
//   int32 and enums), empty strings and bytes in lists, map keys and values and fields with
//   explicit presence (`optional`, oneof members), zero enum values and `false` where presence
//   makes them visible, the first representable Timestamp, the most negative Duration.
// - "edge: escapes and precision": text JSON must escape (quotes, backslash, control characters,
//   NUL, U+2028/U+2029, a BOM, a combining accent), a 300-character string (two-byte length),
//   all 256 byte values, varint boundaries (127/128, 16383/16384, 2^53+1), and Timestamps and
//   Durations whose nanos need 9, 6, 3 or no fractional digits, before and after the epoch.
// - "edge: map order" (types with a map somewhere inside): map keys inserted out of order, with
//   keys JavaScript reorders ("9" before "10": integer-like property names) and keys whose UTF-16
//   and UTF-8 orders differ ("🦄" vs U+FFFD).
import { create, type DescEnum, type DescField, type DescMessage, type Message, ScalarType } from "@bufbuild/protobuf";
import { reflect, type ReflectList, type ReflectMap, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { anyPack, DurationSchema } from "@bufbuild/protobuf/wkt";

export type ProfileName =
  | "every field"
  | "edge: maximum values"
  | "edge: minimum values"
  | "edge: escapes and precision"
  | "edge: map order";

type MapKey = string | number | bigint | boolean;
interface Seconds {
  seconds: bigint;
  nanos: number;
}

interface ScalarTable {
  string: readonly string[];
  bytes: readonly Uint8Array[];
  bool: readonly boolean[];
  int32: readonly number[];
  uint32: readonly number[];
  int64: readonly bigint[];
  uint64: readonly bigint[];
  double: readonly number[];
  float: readonly number[];
}

export interface Profile {
  readonly name: ProfileName;
  /** Which list element a singular field takes: always the first, or one chosen by field number (variety). */
  readonly singular: "first" | "by-number";
  scalars(seed: string): ScalarTable;
  /** Map keys in insertion order, by key type. */
  mapKeys(type: ScalarType, seed: string): readonly MapKey[];
  enums(desc: DescEnum): readonly number[];
  readonly timestamps: readonly Seconds[];
  readonly durations: readonly Seconds[];
}

export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;
export const UINT32_MAX = 4_294_967_295;
export const INT64_MAX = 9_223_372_036_854_775_807n;
export const INT64_MIN = -9_223_372_036_854_775_808n;
export const UINT64_MAX = 18_446_744_073_709_551_615n;
/** The largest float32, as a double. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest positive float32 (denormal), as a double. */
const FLOAT32_MIN_DENORMAL = 1.401298464324817e-45;
/** An unknown enum number: our enums are open (proto3), so both sides keep the number. */
export const UNKNOWN_ENUM = 12345;

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z: the range of the JSON form. */
const TIMESTAMP_MIN: Seconds = { seconds: -62_135_596_800n, nanos: 0 };
const TIMESTAMP_MAX: Seconds = { seconds: 253_402_300_799n, nanos: 999_999_999 };
/** ±10000 years: the range of google.protobuf.Duration. */
const DURATION_MAX: Seconds = { seconds: 315_576_000_000n, nanos: 999_999_999 };
const DURATION_MIN: Seconds = { seconds: -315_576_000_000n, nanos: -999_999_999 };

const bytes = (...values: number[]) => new Uint8Array(values);

function definedNonZero(desc: DescEnum): number[] {
  const values = desc.values.map((v) => v.number).filter((n) => n !== desc.values[0]!.number);
  return values.length > 0 ? values : [desc.values[0]!.number];
}

const everyField: Profile = {
  name: "every field",
  singular: "first",
  scalars: (seed) => ({
    string: [`${seed}-a`, `${seed}-b`, `${seed}-c`],
    bytes: [bytes(1, 2, 3), bytes(4, 5), bytes(6)],
    bool: [true, true],
    int32: [42, 43, 44],
    uint32: [42, 43, 44],
    int64: [-1_234_567_890_123n, 1_234_567_890_123n],
    uint64: [1_234_567_890_123n, 1_234_567_890_124n],
    double: [1.5, 2.25, -3.75],
    float: [0.25, 0.5, -1.5],
  }),
  mapKeys: (type, seed) => mapKeysOf(type, [`${seed}-key-a`, `${seed}-key-b`, `${seed}-key-c`], [1, 2, 3]),
  // Every defined non-zero value, singular fields taking the last one (a value the server's
  // enums often add late, so the JSON name must be current on both sides).
  enums: (desc) => {
    const values = definedNonZero(desc);
    return [values[values.length - 1]!, ...values.slice(0, -1)];
  },
  timestamps: [{ seconds: 1_700_000_000n, nanos: 123_000_000 }],
  durations: [{ seconds: 5400n, nanos: 500_000_000 }],
};

const maximum: Profile = {
  name: "edge: maximum values",
  singular: "first",
  scalars: () => ({
    string: ["é 日本 🦄", "🦄", "日本", "é", "\uFFFD"],
    bytes: [bytes(0x00, 0xff, 0xfb, 0xef, 0x80, 0x7f), bytes(0xff, 0xff, 0xff), bytes(0x00)],
    bool: [true],
    int32: [INT32_MAX, INT32_MAX - 1],
    uint32: [UINT32_MAX, INT32_MAX + 1],
    int64: [INT64_MAX, 2n ** 53n + 1n],
    uint64: [UINT64_MAX, INT64_MAX + 1n],
    double: [Number.MAX_VALUE, Infinity, Number.MAX_SAFE_INTEGER + 2],
    float: [FLOAT32_MAX, Infinity, 16_777_216],
  }),
  // In UTF-8 byte order (C++'s and Python's map order): é C3A9 < 日 E697A5 < U+FFFD EFBFBD < 🦄 F09FA684.
  // (UTF-16 would put 🦄 D83E before U+FFFD.)
  mapKeys: (type) => mapKeysOf(type, ["é", "日本", "\uFFFD", "🦄"], "max"),
  enums: (desc) => [UNKNOWN_ENUM, definedNonZero(desc).at(-1)!, INT32_MAX],
  timestamps: [TIMESTAMP_MAX],
  durations: [DURATION_MAX],
};

const minimum: Profile = {
  name: "edge: minimum values",
  singular: "first",
  scalars: () => ({
    string: ["", "a", ""],
    bytes: [bytes(), bytes(0x00), bytes()],
    bool: [false, true, false],
    int32: [INT32_MIN, -1, 0],
    uint32: [0, 1],
    int64: [INT64_MIN, -1n, 0n],
    uint64: [0n, 1n],
    double: [-Number.MAX_VALUE, Number.MIN_VALUE, -0, -Infinity],
    float: [-FLOAT32_MAX, FLOAT32_MIN_DENORMAL, -0, -Infinity],
  }),
  mapKeys: (type) => mapKeysOf(type, ["", "a"], "min"),
  enums: (desc) => [desc.values[0]!.number, -1, INT32_MIN],
  timestamps: [TIMESTAMP_MIN],
  durations: [DURATION_MIN],
};

const escapes: Profile = {
  name: "edge: escapes and precision",
  singular: "by-number",
  scalars: () => ({
    string: [
      '"quoted" \\back\\slash/ \n\r\t\b\f',
      "\u0000\u0001\u001f\u007f\u0080",
      "\u2028\u2029 line separators",
      "\uFEFFbom e\u0301 \u{10FFFF} \u{1F984}",
      "x".repeat(300),
    ],
    bytes: [Uint8Array.from({ length: 256 }, (_, i) => i), bytes(0xfb, 0xff), bytes(0x3e, 0x3f)],
    bool: [true, false],
    int32: [127, 128, 16_383, 16_384, -129],
    uint32: [127, 128, 16_383, 16_384],
    int64: [-(2n ** 53n) - 1n, 2n ** 62n, 128n],
    uint64: [2n ** 53n + 1n, 2n ** 63n, 128n, 16_384n],
    double: [0.1, 1e21, 1e-7, 123_456.789, -2.5e-300],
    float: [0.1, 16_777_217, 3.14159, 1e-10],
  }),
  // Sorted by UTF-8 bytes: NUL 00 < LF 0A < '"' 22 < '\' 5C.
  mapKeys: (type) => mapKeysOf(type, ["\u0000", "\n", '"', "\\"], "mid"),
  enums: (desc) => definedNonZero(desc),
  timestamps: [
    { seconds: 0n, nanos: 0 }, // 1970-01-01T00:00:00Z
    { seconds: 1n, nanos: 1 }, // nine digits
    { seconds: -1n, nanos: 500_000_000 }, // 1969-12-31T23:59:59.500Z
    { seconds: 1_700_000_000n, nanos: 1000 }, // six digits
    { seconds: 951_782_400n, nanos: 10 }, // 2000-02-29, nine digits with trailing zero
  ],
  durations: [
    { seconds: 0n, nanos: -500_000_000 }, // "-0.500s": the sign lives in nanos
    { seconds: 1n, nanos: 1000 }, // "1.000001s"
    { seconds: -1n, nanos: -1 }, // "-1.000000001s"
    { seconds: 0n, nanos: 1 }, // "0.000000001s"
    { seconds: 3600n, nanos: 0 }, // "3600s"
  ],
};

const mapOrder: Profile = {
  ...everyField,
  name: "edge: map order",
  // Insertion order. JavaScript objects (protobuf-es's maps) list integer-like keys first and
  // ascending ("9", "10"), then the others in insertion order; C++/Python sort by UTF-8 bytes.
  mapKeys: (type) => mapKeysOf(type, ["z", "10", "9", "a", "🦄", "\uFFFD", ""], "unsorted"),
};

export const profiles: readonly Profile[] = [everyField, maximum, minimum, escapes, mapOrder];
export const edgeProfiles: readonly Profile[] = [maximum, minimum, escapes];
export { everyField as everyFieldProfile, mapOrder as mapOrderProfile };

function mapKeysOf(type: ScalarType, strings: readonly string[], ints: readonly number[] | "max" | "min" | "mid" | "unsorted"): MapKey[] {
  if (type === ScalarType.STRING) return [...strings];
  if (type === ScalarType.BOOL) return ints === "unsorted" ? [true, false] : [false, true];
  const signed64 = type === ScalarType.INT64 || type === ScalarType.SINT64 || type === ScalarType.SFIXED64;
  const unsigned64 = type === ScalarType.UINT64 || type === ScalarType.FIXED64;
  const unsigned32 = type === ScalarType.UINT32 || type === ScalarType.FIXED32;
  if (typeof ints !== "string") return signed64 || unsigned64 ? ints.map((n) => BigInt(n)) : [...ints];
  switch (ints) {
    case "max":
      if (signed64) return [INT64_MAX - 1n, INT64_MAX];
      if (unsigned64) return [INT64_MAX + 1n, UINT64_MAX];
      return unsigned32 ? [INT32_MAX + 1, UINT32_MAX] : [INT32_MAX - 1, INT32_MAX];
    case "min":
      if (signed64) return [INT64_MIN, -1n, 0n];
      if (unsigned64) return [0n, 1n];
      return unsigned32 ? [0, 1] : [INT32_MIN, -1, 0];
    case "mid":
      if (signed64 || unsigned64) return [127n, 128n, 16_384n, 2n ** 53n + 1n];
      return [127, 128, 16_384];
    case "unsorted":
      if (signed64) return [5n, -3n, 10n, 0n, INT64_MIN];
      if (unsigned64) return [5n, UINT64_MAX, 10n, 0n];
      return unsigned32 ? [5, UINT32_MAX, 10, 0] : [5, -3, 10, 0, INT32_MIN];
  }
}

function scalarValues(type: ScalarType, table: ScalarTable): readonly unknown[] {
  switch (type) {
    case ScalarType.STRING:
      return table.string;
    case ScalarType.BYTES:
      return table.bytes;
    case ScalarType.BOOL:
      return table.bool;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return table.int32;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return table.uint32;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return table.int64;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return table.uint64;
    case ScalarType.DOUBLE:
      return table.double;
    case ScalarType.FLOAT:
      // As a float32 holds them: protobuf-es keeps the double it was given until the message is
      // encoded (16777217 stays 16777217 in toJson), Python rounds on assignment. The codec
      // matrix compares codecs, so it starts from values both sides hold alike; the spec pins
      // the in-memory difference on its own.
      return table.float.map((f) => Math.fround(f));
  }
}

interface Context {
  readonly profile: Profile;
  /** Types being filled above the current message: a type already there twice is left empty. */
  readonly stack: readonly string[];
  /** Message types Any fields may pack (the probe's), in order; empty: Any packs a Duration. */
  readonly anyTargets: readonly DescMessage[];
}

function pick<T>(values: readonly T[], field: DescField, profile: Profile): T {
  const index = profile.singular === "first" ? 0 : field.number % values.length;
  return values[index]!;
}

/** A message of `desc` filled by `profile`, oneof members chosen by `variant`. */
export function populate(desc: DescMessage, profile: Profile, variant = 0, anyTargets: readonly DescMessage[] = []): Message {
  return fill(desc, variant, { profile, stack: [], anyTargets });
}

function fill(desc: DescMessage, variant: number, ctx: Context): Message {
  const message = reflect(desc, create(desc));
  const inner: Context = { ...ctx, stack: [...ctx.stack, desc.typeName] };
  for (const field of desc.fields) {
    if (field.oneof && field.oneof.fields[variant % field.oneof.fields.length] !== field) continue;
    setField(message, field, variant, inner);
  }
  return message.message;
}

/** A value for a field of message type, or undefined where recursion stops. */
function messageValue(desc: DescMessage, field: DescField, variant: number, index: number, ctx: Context): Message | undefined {
  switch (desc.typeName) {
    case "google.protobuf.Timestamp":
    case "google.protobuf.Duration": {
      const values = desc.typeName === "google.protobuf.Timestamp" ? ctx.profile.timestamps : ctx.profile.durations;
      return create(desc, values[(pickIndex(field, ctx.profile, values.length) + index) % values.length] as never);
    }
    case "google.protobuf.Value":
      return valueOf(desc, variant + index, ctx);
    case "google.protobuf.Any": {
      // Any's JSON form needs the packed type resolvable on both sides.
      const targets = ctx.anyTargets;
      if (targets.length === 0) return anyPack(DurationSchema, create(DurationSchema, ctx.profile.durations[0]));
      const target = targets[(variant + index) % targets.length]!;
      const packed = messageValue(target, field, variant + index, 0, ctx);
      return packed ? anyPack(target, packed) : undefined;
    }
    case "google.protobuf.FieldMask":
      // Paths must map to lowerCamelCase and back, or the JSON form cannot be written.
      return create(desc, { paths: ["display_name", "spec.machine_class"] });
  }
  if (ctx.stack.filter((t) => t === desc.typeName).length >= 2) return undefined;
  return fill(desc, variant + index, ctx);
}

/**
 * A google.protobuf.Value: its JSON form is the value itself, so it must hold one (protobuf-es
 * refuses to write a Value without a kind). `variant` picks the kind; lists and structs nest
 * one level deep, then the kind becomes a string.
 */
function valueOf(desc: DescMessage, variant: number, ctx: Context): Message {
  const nested = ctx.stack.filter((t) => t === desc.typeName).length >= 1;
  const table = ctx.profile.scalars("value");
  const kinds = ["nullValue", "numberValue", "stringValue", "boolValue", "structValue", "listValue"] as const;
  let kind: (typeof kinds)[number] = kinds[variant % kinds.length]!;
  if (nested && (kind === "structValue" || kind === "listValue")) kind = "stringValue";
  const structDesc = desc.fields.find((f) => f.name === "struct_value")!;
  const listDesc = desc.fields.find((f) => f.name === "list_value")!;
  const inner: Context = { ...ctx, stack: [...ctx.stack, desc.typeName] };
  const message = reflect(desc, create(desc));
  const field = desc.fields.find((f) => f.jsonName === kind)!;
  switch (kind) {
    case "nullValue":
      message.set(field, 0);
      break;
    case "numberValue":
      // JSON has no NaN or Infinity numbers, so a Value cannot hold them.
      message.set(field, table.double.find((d) => Number.isFinite(d)) ?? 0);
      break;
    case "stringValue":
      message.set(field, table.string[variant % table.string.length]!);
      break;
    case "boolValue":
      message.set(field, table.bool[0]!);
      break;
    case "structValue":
    case "listValue": {
      const child = (kind === "structValue" ? structDesc : listDesc).message!;
      message.set(field, reflect(child, fill(child, variant + 1, inner)));
      break;
    }
  }
  return message.message;
}

function pickIndex(field: DescField, profile: Profile, length: number): number {
  return profile.singular === "first" ? 0 : field.number % length;
}

function setField(message: ReflectMessage, field: DescField, variant: number, ctx: Context): void {
  const seed = field.name;
  const { profile } = ctx;
  switch (field.fieldKind) {
    case "scalar":
      message.set(field, pick(scalarValues(field.scalar, profile.scalars(seed)), field, profile));
      return;
    case "enum":
      message.set(field, pick(profile.enums(field.enum), field, profile));
      return;
    case "message": {
      const value = messageValue(field.message, field, variant, 0, ctx);
      if (value) message.set(field, reflect(field.message, value));
      return;
    }
    case "list": {
      const list = message.get(field);
      if (field.listKind === "scalar") for (const v of scalarValues(field.scalar, profile.scalars(seed))) list.add(v);
      else if (field.listKind === "enum") for (const v of profile.enums(field.enum)) list.add(v);
      else {
        for (let i = 0; i < 2; i++) {
          const value = messageValue(field.message, field, variant, i, ctx);
          if (value) list.add(reflect(field.message, value));
        }
      }
      return;
    }
    case "map": {
      const map = message.get(field);
      const keys = profile.mapKeys(field.mapKey, seed);
      keys.forEach((key, i) => {
        if (field.mapKind === "scalar") {
          const values = scalarValues(field.scalar, profile.scalars(seed));
          map.set(key, values[i % values.length]);
        } else if (field.mapKind === "enum") {
          const values = profile.enums(field.enum);
          map.set(key, values[i % values.length]);
        } else {
          const value = messageValue(field.message, field, variant, i, ctx);
          if (value) map.set(key, reflect(field.message, value));
        }
      });
      return;
    }
  }
}

/** The number of variants that set every oneof member of `desc` and of the types inside it. */
export function oneofWidth(types: Iterable<DescMessage>): number {
  let width = 1;
  for (const t of types) for (const o of t.oneofs) width = Math.max(width, o.fields.length);
  return width;
}

/** Calls `visit` for `message` and every message inside it (fields, lists, map values). */
export function walkMessages(desc: DescMessage, message: Message, visit: (r: ReflectMessage) => void): void {
  const r = reflect(desc, message);
  visit(r);
  for (const field of desc.fields) {
    if (!r.isSet(field)) continue;
    if (field.fieldKind === "message") {
      const child = r.get(field);
      walkMessages(child.desc, child.message, visit);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      for (const child of r.get(field) as ReflectList<ReflectMessage>) walkMessages(child.desc, child.message, visit);
    } else if (field.fieldKind === "map" && field.mapKind === "message") {
      for (const child of (r.get(field) as ReflectMap<unknown, ReflectMessage>).values()) walkMessages(child.desc, child.message, visit);
    }
  }
}
