// Which elements of our .proto files lack a comment, and which messages no RPC reaches.
// Comments live only in the source info of a buf image (generated descriptors drop it), so
// both work on FileDescriptorProtos.
import type {
  DescriptorProto,
  EnumDescriptorProto,
  FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";

// Field numbers of descriptor.proto, which make up source-info paths.
const FILE_MESSAGE = 4;
const FILE_ENUM = 5;
const FILE_SERVICE = 6;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED = 3;
const MESSAGE_ENUM = 4;
const MESSAGE_ONEOF = 8;
const ENUM_VALUE = 2;
const SERVICE_METHOD = 2;

function commentIndex(file: FileDescriptorProto): Map<string, string> {
  const index = new Map<string, string>();
  for (const location of file.sourceCodeInfo?.location ?? []) {
    const text = `${location.leadingComments}${location.trailingComments}`.trim();
    if (text) index.set(location.path.join("."), text);
  }
  return index;
}

/** Every service, RPC, message, field, oneof, enum and enum value of the file without a comment. */
export function uncommentedElements(file: FileDescriptorProto): string[] {
  const comments = commentIndex(file);
  const missing: string[] = [];
  const check = (path: number[], name: string) => {
    if (!comments.has(path.join("."))) missing.push(`${file.name}: ${name}`);
  };
  const visitEnum = (e: EnumDescriptorProto, path: number[], scope: string) => {
    const name = `${scope}${e.name}`;
    check(path, `enum ${name}`);
    e.value.forEach((v, i) => check([...path, ENUM_VALUE, i], `enum value ${name}.${v.name}`));
  };
  const visitMessage = (m: DescriptorProto, path: number[], scope: string) => {
    const name = `${scope}${m.name}`;
    if (m.options?.mapEntry) return; // synthesized for map fields
    check(path, `message ${name}`);
    m.field.forEach((f, i) => check([...path, MESSAGE_FIELD, i], `field ${name}.${f.name}`));
    m.oneofDecl.forEach((o, i) => {
      // proto3 `optional` creates a synthetic oneof that has no source of its own.
      const synthetic = m.field.some((f) => f.proto3Optional && f.oneofIndex === i);
      if (!synthetic) check([...path, MESSAGE_ONEOF, i], `oneof ${name}.${o.name}`);
    });
    m.nestedType.forEach((n, i) => visitMessage(n, [...path, MESSAGE_NESTED, i], `${name}.`));
    m.enumType.forEach((e, i) => visitEnum(e, [...path, MESSAGE_ENUM, i], `${name}.`));
  };
  file.messageType.forEach((m, i) => visitMessage(m, [FILE_MESSAGE, i], ""));
  file.enumType.forEach((e, i) => visitEnum(e, [FILE_ENUM, i], ""));
  file.service.forEach((s, i) => {
    check([FILE_SERVICE, i], `service ${s.name}`);
    s.method.forEach((m, j) => check([FILE_SERVICE, i, SERVICE_METHOD, j], `rpc ${s.name}.${m.name}`));
  });
  return missing;
}
