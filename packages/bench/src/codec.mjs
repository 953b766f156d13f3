// Table 3: encode/decode of a fully populated Environment — protobuf binary and proto JSON with
// @bufbuild/protobuf — against JSON.stringify/JSON.parse of the same data (the toJson output).
// The message is filled from its descriptor, so every field of Environment and of every message
// inside it is set (oneofs: their first member; recursion stops at depth 6).
import { create, fromBinary, fromJsonString, ScalarType, toBinary, toJson, toJsonString } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { envNumber, fixed, printTable } from "./common.mjs";

const measureMs = envNumber("BENCH_CODEC_MS", 1000);

function scalarValue(type, name, i) {
  switch (type) {
    case ScalarType.STRING:
      return name.endsWith("id") ? `0190aaaa-0000-7000-8000-00000000000${i % 10}` : `${name} value ${i}`;
    case ScalarType.BYTES:
      return new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    case ScalarType.BOOL:
      return true;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 1_700_000_000n + BigInt(i);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return 1.5 + i;
    default:
      return 42 + i;
  }
}

/** Sets every field of `message` (a ReflectMessage). */
function fill(message, depth) {
  for (const member of message.members) {
    const field = member.kind === "oneof" ? member.fields[0] : member;
    if (message.desc.typeName === "google.protobuf.Any") continue; // would need a registry for JSON
    const name = field.name.toLowerCase();
    if (field.fieldKind === "scalar") message.set(field, field.name === "nanos" ? 500_000_000 : scalarValue(field.scalar, name, field.number));
    else if (field.fieldKind === "enum") message.set(field, field.enum.values.find((v) => v.number !== 0)?.number ?? 0);
    else if (field.fieldKind === "message") {
      if (depth >= 6) continue;
      const sub = reflect(field.message);
      fill(sub, depth + 1);
      message.set(field, sub);
    } else if (field.fieldKind === "list") {
      const list = message.get(field);
      for (let i = 0; i < 3; i++) {
        if (field.listKind === "scalar") list.add(scalarValue(field.scalar, name, i));
        else if (field.listKind === "enum") list.add(field.enum.values.find((v) => v.number !== 0)?.number ?? 0);
        else if (depth < 6) {
          const sub = reflect(field.message);
          fill(sub, depth + 1);
          list.add(sub);
        }
      }
    } else if (field.fieldKind === "map") {
      const map = message.get(field);
      for (let i = 0; i < 3; i++) {
        const key = field.mapKey === ScalarType.STRING ? `key-${i}` : scalarValue(field.mapKey, name, i);
        if (field.mapKind === "scalar") map.set(key, scalarValue(field.scalar, name, i));
        else if (field.mapKind === "enum") map.set(key, field.enum.values.find((v) => v.number !== 0)?.number ?? 0);
        else if (depth < 6) {
          const sub = reflect(field.message);
          fill(sub, depth + 1);
          map.set(key, sub);
        }
      }
    }
  }
}

function bench(fn) {
  for (let end = performance.now() + measureMs / 4; performance.now() < end; ) fn(); // warm-up
  let ops = 0;
  const started = performance.now();
  let now = started;
  while (now - started < measureMs) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    now = performance.now();
  }
  return { opsPerS: ops / ((now - started) / 1000), usPerOp: ((now - started) * 1000) / ops };
}

export function fullEnvironment() {
  const r = reflect(EnvironmentSchema, create(EnvironmentSchema));
  fill(r, 0);
  return r.message;
}

export async function codecTable() {
  const environment = fullEnvironment();
  const binary = toBinary(EnvironmentSchema, environment);
  const jsonText = toJsonString(EnvironmentSchema, environment);
  const plain = toJson(EnvironmentSchema, environment);
  const plainText = JSON.stringify(plain);
  // Round trips must be exact, or the figures compare different work.
  if (toJsonString(EnvironmentSchema, fromBinary(EnvironmentSchema, binary)) !== jsonText) throw new Error("binary round trip differs");
  if (toJsonString(EnvironmentSchema, fromJsonString(EnvironmentSchema, jsonText)) !== jsonText) throw new Error("JSON round trip differs");
  console.log(`\n## 3. Codec: a fully populated Environment — ${binary.length} bytes binary, ${jsonText.length} bytes JSON; ${measureMs} ms per row\n`);
  const rows = [
    ["toBinary", () => toBinary(EnvironmentSchema, environment)],
    ["fromBinary", () => fromBinary(EnvironmentSchema, binary)],
    ["toJsonString", () => toJsonString(EnvironmentSchema, environment)],
    ["fromJsonString", () => fromJsonString(EnvironmentSchema, jsonText)],
    ["JSON.stringify (of toJson's output)", () => JSON.stringify(plain)],
    ["JSON.parse (of the same text)", () => JSON.parse(plainText)],
  ].map(([name, fn]) => {
    const r = bench(fn);
    return [name, fixed(r.opsPerS, 0), fixed(r.usPerOp, 2)];
  });
  printTable([["operation", "l"], ["ops/s", "r"], ["µs/op", "r"]], rows);
}
