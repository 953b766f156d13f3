// The reflection index and one stream's answers, without a server: which symbols resolve (those
// grpc-go resolves), the order and deduplication of file answers, and the encoded descriptors.
import { create, fromBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import * as v1 from "../gen/grpc/reflection/v1/reflection_pb.js";
import { gitpodServices } from "../rpc/gitpod-services.js";
import { createReflectionSchema } from "./schema.js";
import { reflectionServices } from "./services.js";
import { createReflectionSession } from "./session.js";

const schema = createReflectionSchema([...gitpodServices, ...reflectionServices]);

/** Every file the services reach, breadth first from each service's file. */
function reachable(): Map<string, DescFile> {
  const files = new Map<string, DescFile>();
  const queue = [...gitpodServices, ...reflectionServices].map((s) => s.file);
  for (let f = queue.shift(); f; f = queue.shift()) {
    if (files.has(f.proto.name)) continue;
    files.set(f.proto.name, f);
    queue.push(...f.dependencies);
  }
  return files;
}

describe("createReflectionSchema", () => {
  it("knows every file the served services import, transitively, and no other", () => {
    for (const [name, file] of reachable()) expect(schema.file(name), name).toBe(file);
    expect(schema.file("google/protobuf/any.proto")).toBeUndefined(); // not imported by anything served
  });

  it("resolves every message, field, oneof, enum, enum value, service, method and extension of every file", () => {
    let count = 0;
    for (const file of reachable().values()) {
      const expectIn = (symbol: string) => {
        count += 1;
        expect(schema.fileContainingSymbol(symbol)?.proto.name, symbol).toBe(file.proto.name);
      };
      const enumValues = (parentScope: string, e: (typeof file.enums)[number]) => {
        expectIn(e.typeName);
        for (const v of e.values) expectIn(parentScope ? `${parentScope}.${v.name}` : v.name);
      };
      const walk = (m: (typeof file.messages)[number]) => {
        expectIn(m.typeName);
        for (const f of m.fields) expectIn(`${m.typeName}.${f.name}`);
        for (const o of m.oneofs) expectIn(`${m.typeName}.${o.name}`);
        for (const e of m.nestedEnums) enumValues(m.typeName, e);
        for (const x of m.nestedExtensions) expectIn(x.typeName);
        m.nestedMessages.forEach(walk);
      };
      file.messages.forEach(walk);
      for (const e of file.enums) enumValues(file.proto.package, e);
      for (const x of file.extensions) expectIn(x.typeName);
      for (const s of file.services) {
        expectIn(s.typeName);
        for (const m of s.methods) expectIn(`${s.typeName}.${m.name}`);
      }
    }
    expect(count).toBeGreaterThan(1000);
  });

  it("resolves synthetic oneofs of proto3 optional fields too (they are in the descriptor)", () => {
    // EnvironmentStatus... has `optional` fields; their synthetic oneof is `_<field>`.
    const env = schema.file("gitpod/v1/environment.proto")!;
    const synthetic = env.proto.messageType.flatMap((m) => m.oneofDecl.filter((o) => o.name.startsWith("_")).map((o) => `gitpod.v1.${m.name}.${o.name}`));
    expect(synthetic.length).toBeGreaterThan(0);
    for (const name of synthetic) expect(schema.fileContainingSymbol(name)?.proto.name, name).toBe("gitpod/v1/environment.proto");
  });

  it("does not resolve partial, package or dotted names", () => {
    for (const name of ["gitpod", "gitpod.v1", ".gitpod.v1.Environment", "Environment", "gitpod.v1.Environment.", ""]) {
      expect(schema.fileContainingSymbol(name), name).toBeUndefined();
    }
  });

  it("indexes extensions by extendee and number; extension numbers only for messages", () => {
    expect(schema.fileContainingExtension("google.protobuf.FieldOptions", 1159)?.proto.name).toBe("buf/validate/validate.proto");
    expect(schema.fileContainingExtension(".google.protobuf.FieldOptions", 1159)).toBeUndefined();
    expect(schema.extensionNumbers("google.protobuf.FieldOptions")).toEqual([1159, 1160]);
    expect(schema.extensionNumbers("google.protobuf.Timestamp")).toEqual([]);
    expect(schema.extensionNumbers("gitpod.v1.EnvironmentService")).toBeUndefined(); // a service, not a message
  });

  it("lists the service names sorted and once", () => {
    const twice = createReflectionSchema([...gitpodServices, ...gitpodServices]);
    expect(twice.serviceNames).toEqual(gitpodServices.map((s) => s.typeName).sort());
  });

  it("encodes a file as its FileDescriptorProto, buf.validate options included", () => {
    const file = schema.file("gitpod/v1/environment.proto")!;
    const decoded = fromBinary(FileDescriptorProtoSchema, schema.encode(file));
    expect(decoded.name).toBe("gitpod/v1/environment.proto");
    expect(decoded.dependency).toEqual(file.proto.dependency);
    const envId = decoded.messageType.find((m) => m.name === "GetEnvironmentRequest")?.field[0];
    // (buf.validate.field) = 1159 on FieldOptions: kept as the option's bytes.
    expect(envId?.options?.$unknown?.map((u) => u.no)).toEqual([1159]);
    expect(schema.encode(file)).toBe(schema.encode(file)); // computed once
  });
});

describe("createReflectionSession", () => {
  const ask = (s: ReturnType<typeof createReflectionSession>, messageRequest: v1.ServerReflectionRequest["messageRequest"]) =>
    s.answer(create(v1.ServerReflectionRequestSchema, { messageRequest }));
  const names = (r: v1.ServerReflectionResponse) =>
    r.messageResponse.case === "fileDescriptorResponse"
      ? r.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name)
      : [];

  it("answers the file, then its imports breadth first (as grpc-go)", () => {
    const s = createReflectionSession(schema);
    const env = schema.file("gitpod/v1/environment.proto")!;
    const expected: string[] = [];
    const queue = [env];
    for (let f = queue.shift(); f; f = queue.shift()) {
      if (!expected.includes(f.proto.name)) expected.push(f.proto.name);
      queue.push(...f.dependencies);
    }
    expect(names(ask(s, { case: "fileByFilename", value: "gitpod/v1/environment.proto" }))).toEqual(expected);
  });

  it("sends the file asked for every time, its imports once per stream; a new stream starts afresh", () => {
    const s = createReflectionSession(schema);
    const first = names(ask(s, { case: "fileByFilename", value: "buf/validate/validate.proto" }));
    expect(first.length).toBeGreaterThan(1);
    expect(names(ask(s, { case: "fileByFilename", value: "buf/validate/validate.proto" }))).toEqual(["buf/validate/validate.proto"]);
    expect(names(ask(s, { case: "fileByFilename", value: "google/protobuf/timestamp.proto" }))).toEqual(["google/protobuf/timestamp.proto"]);
    expect(names(ask(createReflectionSession(schema), { case: "fileByFilename", value: "buf/validate/validate.proto" }))).toEqual(first);
  });

  it("does not count a NOT_FOUND as sent", () => {
    const s = createReflectionSession(schema);
    expect(ask(s, { case: "fileContainingSymbol", value: "nope.Nope" }).messageResponse).toMatchObject({
      case: "errorResponse",
      value: { errorCode: Code.NotFound, errorMessage: "symbol not found: nope.Nope" },
    });
    expect(names(ask(s, { case: "fileContainingSymbol", value: "google.protobuf.Duration" }))).toEqual(["google/protobuf/duration.proto"]);
  });

  it("throws invalid_argument for a request that asks nothing", () => {
    const s = createReflectionSession(schema);
    expect(() => ask(s, { case: undefined })).toThrow(ConnectError);
    try {
      ask(s, { case: undefined });
    } catch (e) {
      expect(ConnectError.from(e).code).toBe(Code.InvalidArgument);
    }
  });
});
