// Encoding an answer whose resources come from read-only reads (store.ts ReadOptions): the memory
// store hands those out as its own frozen values, which never change, so the encoding of each can
// be kept and reused — a page of 50 environments is then 50 look-ups and a concatenation instead
// of 50 encodings. An answer is assembled this way only when every field it sets is a message or
// a list of messages and at least one of them is frozen; the bytes are those protobuf-es writes
// (binary: fields by number, each as tag, length, bytes; JSON: keys by field number, compact), as
// the differential tests check. Anything else — and anything that throws — is left to the
// standard serialization, which then answers as it always does.
import {
  isFieldSet,
  toBinary,
  toJsonString,
  type DescField,
  type DescMessage,
  type JsonWriteOptions,
  type Message,
} from "@bufbuild/protobuf";

/** Encodings kept per format, the most recently used last; old ones go first beyond the bound. */
const maxKept = 4096;

class KeptEncodings {
  private readonly entries = new Map<object, Uint8Array>();

  get(value: object, encode: () => Uint8Array): Uint8Array {
    let bytes = this.entries.get(value);
    if (bytes) {
      // Most recently used goes last.
      this.entries.delete(value);
    } else {
      bytes = encode();
      if (this.entries.size >= maxKept) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(value, bytes);
    return bytes;
  }
}

const keptBinary = new KeptEncodings();
const keptJson = new KeptEncodings();
const textEncoder = new TextEncoder();

type Part = { field: DescField & { fieldKind: "message" | "list" }; values: Message[] };

/** The message fields `message` sets, or undefined when it sets anything else or holds unknown fields. */
function messageParts(desc: DescMessage, message: Message): Part[] | undefined {
  if ((message as { $unknown?: unknown[] }).$unknown?.length) return undefined;
  const parts: Part[] = [];
  let frozen = false;
  const sorted = desc.fields.concat().sort((a, b) => a.number - b.number);
  for (const field of sorted) {
    if (!isFieldSet(message, field)) continue;
    const value = (message as unknown as Record<string, unknown>)[field.localName];
    if (field.fieldKind === "message" && !field.oneof && !field.delimitedEncoding) {
      parts.push({ field, values: [value as Message] });
    } else if (field.fieldKind === "list" && field.listKind === "message" && !field.delimitedEncoding) {
      parts.push({ field, values: value as Message[] });
    } else {
      return undefined;
    }
    frozen ||= parts[parts.length - 1]!.values.some((v) => Object.isFrozen(v));
  }
  return frozen ? parts : undefined;
}

function messageOf(field: Part["field"]): DescMessage {
  return field.fieldKind === "message" ? field.message : (field as DescField & { fieldKind: "list"; listKind: "message" }).message;
}

function varint(value: number, out: number[]): void {
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
}

function assembleBinary(parts: Part[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const { field, values } of parts) {
    const schema = messageOf(field);
    for (const value of values) {
      const bytes = Object.isFrozen(value) ? keptBinary.get(value, () => toBinary(schema, value)) : toBinary(schema, value);
      const head: number[] = [];
      varint((field.number << 3) | 2, head);
      varint(bytes.byteLength, head);
      chunks.push(Uint8Array.from(head), bytes);
    }
  }
  return new Uint8Array(Buffer.concat(chunks));
}

const comma = textEncoder.encode(",");

function assembleJson(parts: Part[], options: Partial<JsonWriteOptions>): Uint8Array {
  const chunks: Uint8Array[] = [textEncoder.encode("{")];
  parts.forEach(({ field, values }, i) => {
    const schema = messageOf(field);
    // Only the default options get here (see assembledEncoding): keys are JSON names.
    chunks.push(textEncoder.encode(`${i > 0 ? "," : ""}${JSON.stringify(field.jsonName)}:${field.fieldKind === "list" ? "[" : ""}`));
    values.forEach((value, j) => {
      if (j > 0) chunks.push(comma);
      const encode = () => textEncoder.encode(toJsonString(schema, value, options));
      chunks.push(Object.isFrozen(value) ? keptJson.get(value, encode) : encode());
    });
    if (field.fieldKind === "list") chunks.push(textEncoder.encode("]"));
  });
  chunks.push(textEncoder.encode("}"));
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * The encoding of `message` assembled from kept encodings, or undefined when it does not qualify
 * (then the caller serializes it as usual). `jsonOptions`: the write options the standard JSON
 * serialization uses; options that change what is written (implicit values, prettiness) disqualify.
 */
export function assembledEncoding(desc: DescMessage, message: Message, binary: boolean, jsonOptions: Partial<JsonWriteOptions>): Uint8Array | undefined {
  // The kept JSON was written with the options of its first use; only the defaults are kept.
  if (!binary && (jsonOptions.alwaysEmitImplicit || jsonOptions.enumAsInteger || jsonOptions.useProtoFieldName || (jsonOptions as { prettySpaces?: number }).prettySpaces || jsonOptions.registry)) {
    return undefined;
  }
  try {
    const parts = messageParts(desc, message);
    if (!parts) return undefined;
    return binary ? assembleBinary(parts) : assembleJson(parts, jsonOptions);
  } catch {
    return undefined;
  }
}
