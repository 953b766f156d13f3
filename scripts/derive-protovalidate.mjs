#!/usr/bin/env node
// Derives buf/validate/validate.proto from the descriptor embedded in the pinned
// @bufbuild/protovalidate package, so that buf can compile our `(buf.validate.*)`
// annotations without the Buf Schema Registry. Only the structure is rendered
// (messages, fields, enums, oneofs, ranges, extensions): buf needs nothing more to
// resolve option names and numbers, and the runtime validator uses its own copy.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot } from "./paths.mjs";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";
import { isFieldSet } from "@bufbuild/protobuf";
import { FieldDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

const root = repoRoot;
const outFile = join(root, ".buf-deps", "protovalidate", "buf", "validate", "validate.proto");

const scalarNames = {
  [Type.DOUBLE]: "double", [Type.FLOAT]: "float", [Type.INT64]: "int64",
  [Type.UINT64]: "uint64", [Type.INT32]: "int32", [Type.FIXED64]: "fixed64",
  [Type.FIXED32]: "fixed32", [Type.BOOL]: "bool", [Type.STRING]: "string",
  [Type.BYTES]: "bytes", [Type.UINT32]: "uint32", [Type.SFIXED32]: "sfixed32",
  [Type.SFIXED64]: "sfixed64", [Type.SINT32]: "sint32", [Type.SINT64]: "sint64",
};

const MAX_FIELD_NUMBER = 536870911; // 2^29 - 1: proto's "max"

function typeName(field) {
  if (field.type === Type.MESSAGE || field.type === Type.ENUM) return field.typeName;
  return scalarNames[field.type];
}

function label(field, inOneof) {
  if (inOneof) return "";
  if (field.label === Label.REPEATED) return "repeated ";
  if (field.label === Label.REQUIRED) return "required ";
  return "optional ";
}

function fieldLine(field, inOneof) {
  return `${label(field, inOneof)}${typeName(field)} ${field.name} = ${field.number};`;
}

function ranges(keyword, list, exclusiveEnd) {
  return list.map((r) => {
    const end = exclusiveEnd ? r.end - 1 : r.end;
    const to = end >= MAX_FIELD_NUMBER ? "max" : String(end);
    return `${keyword} ${r.start === end ? r.start : `${r.start} to ${to}`};`;
  });
}

function renderEnum(e, indent) {
  const pad = "  ".repeat(indent);
  const lines = [`${pad}enum ${e.name} {`];
  for (const v of e.value) lines.push(`${pad}  ${v.name} = ${v.number};`);
  for (const line of ranges("reserved", e.reservedRange, false)) lines.push(`${pad}  ${line}`);
  if (e.reservedName.length) lines.push(`${pad}  reserved ${e.reservedName.map((n) => `"${n}"`).join(", ")};`);
  lines.push(`${pad}}`);
  return lines;
}

function renderMessage(m, indent) {
  const pad = "  ".repeat(indent);
  const lines = [`${pad}message ${m.name} {`];
  const inner = `${pad}  `;
  const oneofFields = new Map();
  for (const f of m.field) {
    if (isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex)) {
      const list = oneofFields.get(f.oneofIndex) ?? [];
      list.push(f);
      oneofFields.set(f.oneofIndex, list);
    } else {
      lines.push(inner + fieldLine(f, false));
    }
  }
  m.oneofDecl.forEach((o, i) => {
    lines.push(`${inner}oneof ${o.name} {`);
    for (const f of oneofFields.get(i) ?? []) lines.push(`${inner}  ${fieldLine(f, true)}`);
    lines.push(`${inner}}`);
  });
  for (const nested of m.nestedType) lines.push(...renderMessage(nested, indent + 1));
  for (const e of m.enumType) lines.push(...renderEnum(e, indent + 1));
  for (const line of ranges("extensions", m.extensionRange, true)) lines.push(inner + line);
  for (const line of ranges("reserved", m.reservedRange, true)) lines.push(inner + line);
  if (m.reservedName.length) lines.push(`${inner}reserved ${m.reservedName.map((n) => `"${n}"`).join(", ")};`);
  lines.push(`${pad}}`);
  return lines;
}

function renderExtensions(extensions) {
  const byExtendee = new Map();
  for (const ext of extensions) {
    const list = byExtendee.get(ext.extendee) ?? [];
    list.push(ext);
    byExtendee.set(ext.extendee, list);
  }
  const lines = [];
  for (const [extendee, list] of byExtendee) {
    lines.push(`extend ${extendee} {`);
    for (const f of list) lines.push(`  ${fieldLine(f, false)}`);
    lines.push("}");
  }
  return lines;
}

function render(file) {
  const lines = [
    "// Derived from the descriptor embedded in @bufbuild/protovalidate by",
    "// scripts/derive-protovalidate.mjs. Do not edit; regenerate with `pnpm generate`.",
    `syntax = "${file.syntax || "proto2"}";`,
    "",
    `package ${file.package};`,
    "",
    ...file.dependency.map((d) => `import "${d}";`),
    "",
  ];
  for (const e of file.enumType) lines.push(...renderEnum(e, 0));
  for (const m of file.messageType) lines.push(...renderMessage(m, 0));
  lines.push(...renderExtensions(file.extension));
  return lines.join("\n") + "\n";
}

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, render(file_buf_validate_validate.proto));
console.log(`derived ${outFile.slice(root.length + 1)}`);
