// What reflection can describe: the files of the served services and everything they import
// (google/protobuf/*, buf/validate/validate.proto), indexed once by file name, by every symbol a
// file declares and by extension. The symbols are those grpc-go's reflection resolves (it asks
// protoregistry.Files.FindDescriptorByName): services, methods, messages (nested too), fields,
// oneofs, enums, enum values and extensions. They are read from each file's FileDescriptorProto,
// the very message reflection serves, so an answer never names what the file does not declare.
import { toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
} from "@bufbuild/protobuf/wkt";

export interface ReflectionSchema {
  /** The full names of the services, sorted (what list_services answers). */
  readonly serviceNames: readonly string[];
  /** The file named `name` (e.g. "gitpod/v1/runner.proto"). */
  file(name: string): DescFile | undefined;
  /** The file that declares the fully-qualified `symbol` (no leading dot). */
  fileContainingSymbol(symbol: string): DescFile | undefined;
  /** The file that declares the extension `number` of the message `extendee`. */
  fileContainingExtension(extendee: string, number: number): DescFile | undefined;
  /** The numbers of all known extensions of the message `typeName`, ascending; undefined for no such message. */
  extensionNumbers(typeName: string): number[] | undefined;
  /** The file as a serialized google.protobuf.FileDescriptorProto (computed once). */
  encode(file: DescFile): Uint8Array;
}

type SymbolKind = "message" | "other";

export function createReflectionSchema(services: readonly DescService[]): ReflectionSchema {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, { file: DescFile; kind: SymbolKind }>();
  /** extendee → extension number → declaring file */
  const extensions = new Map<string, Map<number, DescFile>>();
  const encoded = new Map<DescFile, Uint8Array>();

  const addFile = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    indexFile(file);
    for (const dependency of file.dependencies) addFile(dependency);
  };

  function indexFile(file: DescFile) {
    const proto = file.proto;
    const add = (name: string, kind: SymbolKind = "other") => symbols.set(name, { file, kind });
    const addExtension = (scope: string, ext: FieldDescriptorProto) => {
      add(join(scope, ext.name));
      const extendee = ext.extendee.replace(/^\./, "");
      const byNumber = extensions.get(extendee) ?? new Map<number, DescFile>();
      byNumber.set(ext.number, file);
      extensions.set(extendee, byNumber);
    };
    // An enum's values are siblings of the enum, in the scope that declares it (C++ scoping).
    const addEnum = (scope: string, e: EnumDescriptorProto) => {
      add(join(scope, e.name));
      for (const v of e.value) add(join(scope, v.name));
    };
    const addMessage = (scope: string, m: DescriptorProto) => {
      const name = join(scope, m.name);
      add(name, "message");
      for (const f of m.field) add(join(name, f.name));
      for (const o of m.oneofDecl) add(join(name, o.name));
      for (const nested of m.nestedType) addMessage(name, nested);
      for (const e of m.enumType) addEnum(name, e);
      for (const ext of m.extension) addExtension(name, ext);
    };
    for (const m of proto.messageType) addMessage(proto.package, m);
    for (const e of proto.enumType) addEnum(proto.package, e);
    for (const ext of proto.extension) addExtension(proto.package, ext);
    for (const s of proto.service) {
      const name = join(proto.package, s.name);
      add(name);
      for (const method of s.method) add(join(name, method.name));
    }
  }

  for (const service of services) addFile(service.file);

  return {
    serviceNames: [...new Set(services.map((s) => s.typeName))].sort(),
    file: (name) => files.get(name),
    fileContainingSymbol: (symbol) => symbols.get(symbol)?.file,
    fileContainingExtension: (extendee, number) => extensions.get(extendee)?.get(number),
    extensionNumbers(typeName) {
      if (symbols.get(typeName)?.kind !== "message") return undefined;
      return [...(extensions.get(typeName)?.keys() ?? [])].sort((a, b) => a - b);
    },
    encode(file) {
      let bytes = encoded.get(file);
      if (!bytes) {
        bytes = toBinary(FileDescriptorProtoSchema, file.proto);
        encoded.set(file, bytes);
      }
      return bytes;
    },
  };
}

function join(scope: string, name: string): string {
  return scope === "" ? name : `${scope}.${name}`;
}
