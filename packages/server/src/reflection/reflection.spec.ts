// gRPC server reflection end to end: a server from startServer({ port: 0 }), a ServerReflectionInfo
// stream per test, over gRPC and over Connect (HTTP/2, binary and JSON), for grpc.reflection.v1 and
// v1alpha. What is asked and what must come back follows the protocol
// (grpc/reflection/v1/reflection.proto) and what grpc-go's reflection answers.
import { getOption, toJson, type DescFile, type DescMethodUnary } from "@bufbuild/protobuf";
import { field as fieldRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { EnvironmentService, file_gitpod_v1_environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ListEnvironmentClassesResponseSchema } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitpodServices } from "../rpc/gitpod-services.js";
import { startTestServer, testTokens, transport, type TestServer } from "../test-support/test-server.js";
import {
  filesOf,
  openReflectionStream,
  reflectionProtocols,
  reflectionTransport,
  reflectionVersions,
  registryOf,
  type ReflectionProtocol,
  type ReflectionStream,
  type ReflectionVersion,
} from "./test-fixtures.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const gitpodServiceNames = gitpodServices.map((s) => s.typeName).sort();
const allServiceNames = [...gitpodServiceNames, "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"].sort();

/** The file names `file` imports, transitively, itself included. */
function closure(file: DescFile, seen = new Set<string>()): Set<string> {
  if (seen.has(file.proto.name)) return seen;
  seen.add(file.proto.name);
  for (const d of file.dependencies) closure(d, seen);
  return seen;
}

async function withStream<T>(protocol: ReflectionProtocol, version: ReflectionVersion, f: (s: ReflectionStream) => Promise<T>): Promise<T> {
  const stream = openReflectionStream(reflectionTransport(server.url, protocol), version);
  const result = await f(stream);
  await stream.close();
  return result;
}

const fileNamesOf = async (s: ReflectionStream, symbol: string) =>
  filesOf(await s.ask({ messageRequest: { case: "fileContainingSymbol", value: symbol } })).map((f) => f.name);

describe.each(reflectionVersions)("reflection %s", (version) => {
  describe.each(reflectionProtocols)("over %s", (protocol) => {
    it("lists every mounted service and the reflection services, sorted, echoing host and request", async () => {
      const response = await withStream(protocol, version, (s) =>
        s.ask({ host: "example.test", messageRequest: { case: "listServices", value: "*" } }),
      );
      expect(response.validHost).toBe("example.test");
      expect(response.originalRequest?.messageRequest).toEqual({ case: "listServices", value: "*" });
      expect(response.messageResponse.case).toBe("listServicesResponse");
      const names = response.messageResponse.case === "listServicesResponse" ? response.messageResponse.value.service.map((x) => x.name) : [];
      expect(names).toEqual(allServiceNames);
    });

    it("answers a service's file first, then every transitive import once; later answers leave out what was sent", async () => {
      await withStream(protocol, version, async (s) => {
        const first = await fileNamesOf(s, "gitpod.v1.EnvironmentService");
        expect(first[0]).toBe("gitpod/v1/environment.proto");
        expect(new Set(first).size).toBe(first.length);
        expect(new Set(first)).toEqual(closure(file_gitpod_v1_environment));
        expect(first).toEqual(expect.arrayContaining(["google/protobuf/timestamp.proto", "google/protobuf/descriptor.proto", "buf/validate/validate.proto"]));
        // The same file again (a method of the service): only itself, its imports were sent.
        expect(await fileNamesOf(s, "gitpod.v1.EnvironmentService.ListEnvironmentClasses")).toEqual(["gitpod/v1/environment.proto"]);
        // Another service: its file, and only the imports this stream has not seen.
        const runner = await fileNamesOf(s, "gitpod.v1.RunnerService");
        expect(runner[0]).toBe("gitpod/v1/runner.proto");
        for (const name of runner.slice(1)) expect(first).not.toContain(name);
      });
    });

    it("finds the file of every kind of symbol grpc-go resolves", async () => {
      const symbols: [string, string][] = [
        ["gitpod.v1.EnvironmentService", "gitpod/v1/environment.proto"], // service
        ["gitpod.v1.EnvironmentService.GetEnvironment", "gitpod/v1/environment.proto"], // method
        ["gitpod.v1.GetEnvironmentRequest", "gitpod/v1/environment.proto"], // message
        ["gitpod.v1.EnvironmentSpec.Secret", "gitpod/v1/environment.proto"], // nested message
        ["gitpod.v1.GetEnvironmentRequest.environment_id", "gitpod/v1/environment.proto"], // field
        ["gitpod.v1.EnvironmentSpec.Secret.mount", "gitpod/v1/environment.proto"], // oneof
        ["gitpod.v1.EnvironmentRole", "gitpod/v1/environment.proto"], // enum
        ["gitpod.v1.ENVIRONMENT_ROLE_DEFAULT", "gitpod/v1/environment.proto"], // enum value (sibling of its enum)
        ["gitpod.v1.ListEnvironmentsRequest.SortField", "gitpod/v1/environment.proto"], // nested enum
        ["gitpod.v1.ListEnvironmentsRequest.SORT_FIELD_ID", "gitpod/v1/environment.proto"], // nested enum value
        ["gitpod.v1.RunnerService.ListRunners", "gitpod/v1/runner.proto"],
        ["gitpod.v1.IdentityService", "gitpod/v1/identity.proto"],
        ["buf.validate.field", "buf/validate/validate.proto"], // extension
        ["buf.validate.FieldRules", "buf/validate/validate.proto"],
        ["google.protobuf.Timestamp", "google/protobuf/timestamp.proto"],
        ["google.protobuf.FieldOptions", "google/protobuf/descriptor.proto"],
        ["grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto"],
        ["grpc.reflection.v1alpha.ServerReflection.ServerReflectionInfo", "grpc/reflection/v1alpha/reflection.proto"],
      ];
      await withStream(protocol, version, async (s) => {
        for (const [symbol, file] of symbols) {
          expect((await fileNamesOf(s, symbol))[0], symbol).toBe(file);
        }
      });
    });

    it("answers file_by_filename with the file and its imports", async () => {
      await withStream(protocol, version, async (s) => {
        const timestamp = filesOf(await s.ask({ messageRequest: { case: "fileByFilename", value: "google/protobuf/timestamp.proto" } }));
        expect(timestamp.map((f) => f.name)).toEqual(["google/protobuf/timestamp.proto"]);
        expect(timestamp[0]?.messageType.map((m) => m.name)).toEqual(["Timestamp"]);
        const validate = filesOf(await s.ask({ messageRequest: { case: "fileByFilename", value: "buf/validate/validate.proto" } }));
        expect(validate[0]?.name).toBe("buf/validate/validate.proto");
        expect(validate.map((f) => f.name)).not.toContain("google/protobuf/timestamp.proto"); // sent already
        expect(validate.map((f) => f.name)).toContain("google/protobuf/descriptor.proto");
      });
    });

    it("answers NOT_FOUND in the stream for unknown names, and the stream goes on", async () => {
      await withStream(protocol, version, async (s) => {
        const unknown = [
          { case: "fileContainingSymbol", value: "gitpod.v1.NoSuchService" },
          { case: "fileContainingSymbol", value: ".gitpod.v1.EnvironmentService" },
          { case: "fileByFilename", value: "gitpod/v1/nope.proto" },
          { case: "fileContainingExtension", value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 1 } },
          { case: "fileContainingExtension", value: { containingType: "gitpod.v1.Nope", extensionNumber: 1159 } },
          { case: "allExtensionNumbersOfType", value: "gitpod.v1.Nope" },
        ] as const;
        for (const messageRequest of unknown) {
          const response = await s.ask({ messageRequest });
          expect(response.messageResponse, JSON.stringify(messageRequest)).toMatchObject({
            case: "errorResponse",
            value: { errorCode: Code.NotFound, errorMessage: expect.stringMatching(/not found/) },
          });
          expect(response.originalRequest?.messageRequest.case).toBe(messageRequest.case);
        }
        expect((await s.ask({ messageRequest: { case: "listServices", value: "" } })).messageResponse.case).toBe("listServicesResponse");
      });
    });

    it("answers the extension queries: buf.validate extends the google.protobuf options", async () => {
      await withStream(protocol, version, async (s) => {
        const ext = filesOf(
          await s.ask({ messageRequest: { case: "fileContainingExtension", value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 1159 } } }),
        );
        expect(ext[0]?.name).toBe("buf/validate/validate.proto");
        expect(ext[0]?.extension.find((e) => e.number === 1159 && e.extendee === ".google.protobuf.FieldOptions")?.name).toBe("field");
        for (const [type, numbers] of [
          ["google.protobuf.FieldOptions", [1159, 1160]], // buf.validate.field, buf.validate.predefined
          ["google.protobuf.MessageOptions", [1159]],
          ["google.protobuf.OneofOptions", [1159]],
          ["google.protobuf.EnumValueOptions", []],
          ["gitpod.v1.Environment", []],
        ] as const) {
          const response = await s.ask({ messageRequest: { case: "allExtensionNumbersOfType", value: type } });
          expect(response.messageResponse, type).toMatchObject({
            case: "allExtensionNumbersResponse",
            value: { baseTypeName: type, extensionNumber: numbers },
          });
        }
      });
    });

    it("serves descriptors a client can build a registry from, and call and validate with", async () => {
      const files = await withStream(protocol, version, async (s) => {
        const all = [];
        for (const name of gitpodServiceNames) all.push(...filesOf(await s.ask({ messageRequest: { case: "fileContainingSymbol", value: name } })));
        return all;
      });
      // A file asked for is sent again even when it came before as an import (as grpc-go does); imports never twice.
      const names = files.map((f) => f.name);
      const repeated = names.filter((n, i) => names.indexOf(n) !== i);
      for (const n of repeated) expect(gitpodServices.map((s) => s.file.proto.name), n).toContain(n);
      const registry = registryOf(files);
      for (const name of gitpodServiceNames) {
        const reflected = registry.getService(name);
        expect(reflected?.methods.map((m) => m.name), name).toEqual(gitpodServices.find((s) => s.typeName === name)?.methods.map((m) => m.name));
      }
      // A real call, its request encoded and its response decoded with the reflected descriptors only.
      const reflectedService = registry.getService("gitpod.v1.EnvironmentService")!;
      const method = reflectedService.method.listEnvironmentClasses as DescMethodUnary;
      expect(method.methodKind).toBe("unary");
      const reflectedAnswer = await transport(server.url, "grpc", testTokens.admin).unary(method, undefined, undefined, undefined, {});
      const typed = await server.client(EnvironmentService, testTokens.admin, "grpc").listEnvironmentClasses({});
      expect(toJson(method.output, reflectedAnswer.message)).toEqual(toJson(ListEnvironmentClassesResponseSchema, typed));
      expect(typed.environmentClasses.length).toBeGreaterThan(0);
      // The buf.validate rules come along, as options a validator reads.
      const environmentId = registry.getMessage("gitpod.v1.GetEnvironmentRequest")!.field.environmentId!;
      const rules = getOption(environmentId, fieldRules);
      expect(rules.required).toBe(true);
      expect(rules.type).toMatchObject({ case: "string", value: { wellKnown: { case: "uuid", value: true } } });
    });
  });
});

describe("reflection is public, and only reflection", () => {
  it("needs no token, and ignores a wrong one", async () => {
    const withWrongToken = openReflectionStream(transport(server.url, "grpc", "not-a-token"), "v1");
    expect((await withWrongToken.ask({ messageRequest: { case: "listServices", value: "" } })).messageResponse.case).toBe("listServicesResponse");
    await withWrongToken.close();
  });

  it("leaves every Gitpod service behind authentication", async () => {
    const err = await server
      .client(EnvironmentService, undefined, "grpc")
      .listEnvironmentClasses({})
      .then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.Unauthenticated);
  });
});

describe("reflection requests the protocol does not allow", () => {
  it("fails the stream with invalid_argument for a request that asks nothing (as grpc-go)", async () => {
    const s = openReflectionStream(reflectionTransport(server.url, "grpc"), "v1");
    const err = await s.ask({ host: "x" }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.InvalidArgument);
  });
});

describe("startServer({ reflection: false })", () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer({ reflection: false });
  });
  afterAll(() => plain.close());

  it("serves no reflection", async () => {
    for (const version of reflectionVersions) {
      const s = openReflectionStream(reflectionTransport(plain.url, "grpc"), version);
      const err = await s.ask({ messageRequest: { case: "listServices", value: "" } }).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(err?.code, version).toBe(Code.Unimplemented);
    }
  });
});

describe("descriptor set as a whole", () => {
  it("every served service's files form a registry with no file missing", async () => {
    const s = openReflectionStream(reflectionTransport(server.url, "grpc"), "v1");
    const list = await s.ask({ messageRequest: { case: "listServices", value: "" } });
    const names = list.messageResponse.case === "listServicesResponse" ? list.messageResponse.value.service.map((x) => x.name) : [];
    const files = [];
    for (const name of names) files.push(...filesOf(await s.ask({ messageRequest: { case: "fileContainingSymbol", value: name } })));
    await s.close();
    const registry = registryOf(files);
    expect(names).toEqual(allServiceNames);
    for (const name of names) expect(registry.getService(name), name).toBeDefined();
  });
});
