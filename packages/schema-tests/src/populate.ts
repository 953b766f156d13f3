// Builds messages with every field set, for round-trip tests. A oneof can hold one member at a
// time, so `variant` picks which member (variant k sets member k, wrapping around); the
// variants 0..oneofWidth-1 together set every field of the type.
import {
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
  create,
} from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";

function scalarValue(type: ScalarType, seed: string): unknown {
  switch (type) {
    case ScalarType.STRING:
      return `${seed}-é✓`; // non-ASCII on purpose: UTF-8 must survive both encodings
    case ScalarType.BOOL:
      return true;
    case ScalarType.BYTES:
      return new Uint8Array([0, 1, 254, 255]);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return 1.5;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return -1234567890123n;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return 1234567890123n;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return -42;
    default:
      return 42; // uint32, fixed32
  }
}

/** A message of `desc` with every field set (oneofs: the member chosen by `variant`). */
export function populate<T extends Message>(desc: DescMessage, variant = 0, stack: string[] = []): T {
  const message = reflect(desc, create(desc));
  for (const field of desc.fields) {
    if (field.oneof && field.oneof.fields[variant % field.oneof.fields.length] !== field) continue;
    setField(message, field, variant, [...stack, desc.typeName]);
  }
  return message.message as T;
}

/** The number of variants needed so that every oneof member is set in one of them. */
export function oneofWidth(desc: DescMessage): number {
  return Math.max(1, ...desc.oneofs.map((o) => o.fields.length));
}

function messageValue(desc: DescMessage, variant: number, stack: string[]): ReflectMessage | undefined {
  // Well-known types with a JSON form of their own get values that form accepts.
  if (desc.typeName === "google.protobuf.Timestamp") {
    return reflect(desc, create(desc, { seconds: 1_700_000_000n, nanos: 123_000_000 }));
  }
  if (desc.typeName === "google.protobuf.Duration") {
    return reflect(desc, create(desc, { seconds: 5400n, nanos: 500_000_000 }));
  }
  // A type already being filled above us would recurse forever: leave that branch empty.
  if (stack.includes(desc.typeName)) return undefined;
  return reflect(desc, populate(desc, variant, stack));
}

function setField(message: ReflectMessage, field: DescField, variant: number, stack: string[]): void {
  const seed = field.name;
  switch (field.fieldKind) {
    case "scalar":
      message.set(field, scalarValue(field.scalar, seed));
      return;
    case "enum":
      message.set(field, field.enum.values[field.enum.values.length - 1]!.number);
      return;
    case "message": {
      const value = messageValue(field.message, variant, stack);
      if (value) message.set(field, value);
      return;
    }
    case "list": {
      const list = message.get(field);
      for (let i = 0; i < 2; i++) {
        if (field.listKind === "scalar") list.add(scalarValue(field.scalar, `${seed}${i}`));
        else if (field.listKind === "enum") list.add(field.enum.values[field.enum.values.length - 1]!.number);
        else {
          const value = messageValue(field.message, variant + i, stack);
          if (value) list.add(value);
        }
      }
      return;
    }
    case "map": {
      const map = message.get(field);
      const key = field.mapKey === ScalarType.STRING ? `${seed}-key` : field.mapKey === ScalarType.BOOL ? true : 7;
      if (field.mapKind === "scalar") map.set(key, scalarValue(field.scalar, seed));
      else if (field.mapKind === "enum") map.set(key, field.enum.values[field.enum.values.length - 1]!.number);
      else {
        const value = messageValue(field.message, variant, stack);
        if (value) map.set(key, value);
      }
      return;
    }
  }
}
