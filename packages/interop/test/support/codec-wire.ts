// Wire-level helpers of the codec matrix: unknown fields to add to messages, and the one
// normalization binary comparisons allow — map entries sorted into key order.
import { type DescField, type DescMessage, type Registry, ScalarType } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { UnknownField } from "@bufbuild/protobuf";

/** The largest field number protobuf allows (2^29 - 1). */
export const MAX_FIELD_NUMBER = 536_870_911;

/**
 * Unknown fields for a message of `desc`, one of each wire type, at numbers `desc` does not
 * define: just above its highest field, a gap below it when there is one, and the largest field
 * number there is. `data` is what follows the tag (for length-delimited data, the length too;
 * for a group, its fields and the end tag), as protobuf-es keeps it in `$unknown`.
 */
export function unknownFieldsFor(desc: DescMessage): UnknownField[] {
  const used = new Set(desc.fields.map((f) => f.number));
  const max = Math.max(0, ...used);
  let gap = max + 4;
  for (let n = 1; n < max; n++) {
    if (!used.has(n)) {
      gap = n;
      break;
    }
  }
  const group = new BinaryWriter().tag(1, WireType.Varint).uint32(7).tag(max + 5, WireType.EndGroup).finish();
  return [
    { no: max + 1, wireType: WireType.Varint, data: new BinaryWriter().uint32(150).finish() },
    { no: gap, wireType: WireType.Bit64, data: new BinaryWriter().fixed64(0x0102030405060708n).finish() },
    { no: max + 2, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(new Uint8Array([0x00, 0xff, 0x08, 0x96, 0x01])).finish() },
    { no: max + 3, wireType: WireType.Bit32, data: new BinaryWriter().fixed32(0xdeadbeef).finish() },
    { no: max + 5, wireType: WireType.StartGroup, data: group },
    { no: MAX_FIELD_NUMBER, wireType: WireType.Varint, data: new BinaryWriter().uint64(18_446_744_073_709_551_615n).finish() },
  ];
}

/** The wire bytes of unknown fields, as they would follow the known fields of a message. */
export function encodeUnknown(fields: readonly UnknownField[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const f of fields) writer.tag(f.no, f.wireType).raw(f.data);
  return writer.finish();
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Where two encodings first differ, for failure messages. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const hex = (x: Uint8Array) => Buffer.from(x.subarray(Math.max(0, i - 4), i + 12)).toString("hex");
  return `lengths ${a.length} and ${b.length}, first difference at byte ${i}: …${hex(a)}… vs …${hex(b)}…`;
}

type Key = string | bigint | boolean;

/** Python's (C++'s) deterministic map order: strings by UTF-8 bytes, integers by value, false < true. */
function compareKeys(a: Key, b: Key): number {
  if (typeof a === "string" && typeof b === "string") {
    const x = Buffer.from(a, "utf8");
    const y = Buffer.from(b, "utf8");
    return Buffer.compare(x, y);
  }
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  return Number(a) - Number(b);
}

function readKey(reader: BinaryReader, type: ScalarType): Key {
  switch (type) {
    case ScalarType.STRING:
      return reader.string();
    case ScalarType.BOOL:
      return reader.bool();
    case ScalarType.INT32:
      return BigInt(reader.int32());
    case ScalarType.UINT32:
      return BigInt(reader.uint32());
    case ScalarType.SINT32:
      return BigInt(reader.sint32());
    case ScalarType.FIXED32:
      return BigInt(reader.fixed32());
    case ScalarType.SFIXED32:
      return BigInt(reader.sfixed32());
    case ScalarType.INT64:
      return BigInt(reader.int64());
    case ScalarType.UINT64:
      return BigInt(reader.uint64());
    case ScalarType.SINT64:
      return BigInt(reader.sint64());
    case ScalarType.FIXED64:
      return BigInt(reader.fixed64());
    case ScalarType.SFIXED64:
      return BigInt(reader.sfixed64());
    default:
      throw new Error(`no map key type ${ScalarType[type]}`);
  }
}

interface Entry {
  key: Key;
  bytes: Uint8Array;
}

/** A map entry with its value message canonicalized; the key decides the order. */
function canonicalEntry(field: DescField & { fieldKind: "map" }, data: Uint8Array, reordered: Set<string>, registry?: Registry): Entry {
  const reader = new BinaryReader(data);
  const writer = new BinaryWriter();
  let key: Key | undefined;
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === 1) {
      const start = reader.pos;
      key = readKey(reader, field.mapKey);
      writer.tag(no, wireType).raw(data.subarray(start, reader.pos));
    } else if (no === 2 && field.mapKind === "message" && wireType === WireType.LengthDelimited) {
      writer.tag(no, wireType).bytes(canonicalMapOrder(field.message, reader.bytes(), reordered, registry));
    } else {
      writer.tag(no, wireType).raw(reader.skip(wireType, no));
    }
  }
  return { key: key ?? (field.mapKey === ScalarType.STRING ? "" : field.mapKey === ScalarType.BOOL ? false : 0n), bytes: writer.finish() };
}

/**
 * `bytes` (a message of `desc`) with the entries of every map — in nested messages too — sorted
 * by key the way Python's `SerializeToString(deterministic=True)` sorts them. Everything else is
 * copied byte for byte. The names of maps whose order changed are added to `reordered`. With a
 * registry, the message packed in a google.protobuf.Any is canonicalized too (Any.value holds
 * whatever order the packing side wrote).
 */
export function canonicalMapOrder(desc: DescMessage, bytes: Uint8Array, reordered = new Set<string>(), registry?: Registry): Uint8Array {
  if (desc.typeName === "google.protobuf.Any" && registry) return canonicalAny(bytes, reordered, registry);
  const reader = new BinaryReader(bytes);
  const writer = new BinaryWriter();
  let run: { field: DescField & { fieldKind: "map" }; entries: Entry[] } | undefined;
  const flush = () => {
    if (!run) return;
    const sorted = [...run.entries].sort((a, b) => compareKeys(a.key, b.key));
    if (sorted.some((e, i) => e !== run!.entries[i])) reordered.add(`${desc.typeName}.${run.field.name}`);
    for (const e of sorted) writer.tag(run.field.number, WireType.LengthDelimited).bytes(e.bytes);
    run = undefined;
  };
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    const field = desc.fields.find((f) => f.number === no);
    if (field?.fieldKind === "map" && wireType === WireType.LengthDelimited) {
      if (run && run.field !== field) flush();
      run ??= { field, entries: [] };
      run.entries.push(canonicalEntry(field, reader.bytes(), reordered, registry));
      continue;
    }
    flush();
    const child = field?.fieldKind === "message" || (field?.fieldKind === "list" && field.listKind === "message") ? field.message : undefined;
    if (child && wireType === WireType.LengthDelimited) {
      writer.tag(no, wireType).bytes(canonicalMapOrder(child, reader.bytes(), reordered, registry));
    } else {
      writer.tag(no, wireType).raw(reader.skip(wireType, no));
    }
  }
  flush();
  return writer.finish();
}

/** An Any (type_url = 1, value = 2) with its packed message canonicalized, when its type is known. */
function canonicalAny(bytes: Uint8Array, reordered: Set<string>, registry: Registry): Uint8Array {
  const reader = new BinaryReader(bytes);
  let typeUrl = "";
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === 1 && wireType === WireType.LengthDelimited) typeUrl = reader.string();
    else reader.skip(wireType, no);
  }
  const packed = registry.getMessage(typeUrl.slice(typeUrl.lastIndexOf("/") + 1));
  const out = new BinaryWriter();
  const again = new BinaryReader(bytes);
  while (again.pos < again.len) {
    const [no, wireType] = again.tag();
    if (no === 2 && wireType === WireType.LengthDelimited && packed) out.tag(no, wireType).bytes(canonicalMapOrder(packed, again.bytes(), reordered, registry));
    else out.tag(no, wireType).raw(again.skip(wireType, no));
  }
  return out.finish();
}
