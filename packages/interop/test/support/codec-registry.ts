// Every message type of @gitpod-connect/schema, as the codec matrix (test/codec-matrix.spec.ts)
// enumerates them: all generated files, their top-level and nested messages (map entries are no
// messages of their own in protobuf-es), in a stable order.
import { createRegistry, type DescFile, type DescMessage, type Registry } from "@bufbuild/protobuf";
import * as schema from "@gitpod-connect/schema";

/** The generated files: every `file_*` export of the package (one per proto/gitpod/v1/*.proto). */
export const schemaFiles: readonly DescFile[] = Object.entries(schema)
  .filter(([name]) => name.startsWith("file_"))
  .map(([, file]) => file as DescFile);

/** Every type of the generated files, and (through their imports) the well-known types they use. */
export const schemaRegistry: Registry = createRegistry(...schemaFiles);

function nested(desc: DescMessage): DescMessage[] {
  return [desc, ...desc.nestedMessages.flatMap(nested)];
}

/** All message types of the schema files, nested ones included, sorted by full name. */
export const schemaMessages: readonly DescMessage[] = schemaFiles
  .flatMap((file) => file.messages.flatMap(nested))
  .sort((a, b) => (a.typeName < b.typeName ? -1 : a.typeName > b.typeName ? 1 : 0));

/** The message types reachable from `desc` through its fields (itself included). */
export function reachableMessages(desc: DescMessage): Set<DescMessage> {
  const seen = new Set<DescMessage>();
  const visit = (d: DescMessage) => {
    if (seen.has(d)) return;
    seen.add(d);
    for (const field of d.fields) {
      if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) visit(field.message);
      if (field.fieldKind === "map" && field.mapKind === "message") visit(field.message);
    }
  };
  visit(desc);
  return seen;
}
