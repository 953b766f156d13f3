// Unknown enum names and malformed Duration/Timestamp strings in JSON requests: the walk over the
// descriptors (on a test schema with every shape: nested, repeated, maps, oneofs, recursion,
// well-known types), and the guard over a real socket in Connect JSON, gRPC+json and gRPC-web+json.
import { create, createFileRegistry, fromJson, type DescMessage } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
} from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { CreateEnvironmentRequestSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ListRunnersRequestSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frame, grpcStatus, grpcWebStatus, http1Request, http2Request } from "../test-support/raw-request.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { checkJsonRequest, findStrictJsonProblems, findUnknownEnumNames, jsonRequestError } from "./json-value-checks.js";

// test.v1: enum Color { COLOR_UNSPECIFIED, COLOR_RED, COLOR_BLUE }; message Inner { Color color = 1;
// repeated Color colors = 2; }; message Outer { Color top_color = 1; Inner inner = 2; repeated Inner
// inners = 3; map<string, Color> by_name = 4; map<int32, Inner> by_number = 5; oneof choice
// { Color picked = 6; Inner picked_inner = 7; } google.protobuf.Struct extra = 8; Outer next = 9;
// google.protobuf.Timestamp at = 10; string label = 11; }
const message = (name: string, number: number, type: Type, typeName?: string, label = Label.OPTIONAL, oneofIndex?: number) => ({
  name,
  number,
  type,
  label,
  jsonName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
  ...(typeName ? { typeName } : {}),
  ...(oneofIndex !== undefined ? { oneofIndex } : {}),
});
const entry = (name: string, keyType: Type, valueType: Type, valueTypeName: string) => ({
  name,
  options: { mapEntry: true },
  field: [message("key", 1, keyType), message("value", 2, valueType, valueTypeName)],
});
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/v1/test.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: ["google/protobuf/struct.proto", "google/protobuf/timestamp.proto"],
    enumType: [{ name: "Color", value: [{ name: "COLOR_UNSPECIFIED", number: 0 }, { name: "COLOR_RED", number: 1 }, { name: "COLOR_BLUE", number: 2 }] }],
    messageType: [
      {
        name: "Inner",
        field: [message("color", 1, Type.ENUM, ".test.v1.Color"), message("colors", 2, Type.ENUM, ".test.v1.Color", Label.REPEATED)],
      },
      {
        name: "Outer",
        field: [
          message("top_color", 1, Type.ENUM, ".test.v1.Color"),
          message("inner", 2, Type.MESSAGE, ".test.v1.Inner"),
          message("inners", 3, Type.MESSAGE, ".test.v1.Inner", Label.REPEATED),
          message("by_name", 4, Type.MESSAGE, ".test.v1.Outer.ByNameEntry", Label.REPEATED),
          message("by_number", 5, Type.MESSAGE, ".test.v1.Outer.ByNumberEntry", Label.REPEATED),
          message("picked", 6, Type.ENUM, ".test.v1.Color", Label.OPTIONAL, 0),
          message("picked_inner", 7, Type.MESSAGE, ".test.v1.Inner", Label.OPTIONAL, 0),
          message("extra", 8, Type.MESSAGE, ".google.protobuf.Struct"),
          message("next", 9, Type.MESSAGE, ".test.v1.Outer"),
          message("at", 10, Type.MESSAGE, ".google.protobuf.Timestamp"),
          message("label", 11, Type.STRING),
        ],
        oneofDecl: [{ name: "choice" }],
        nestedType: [
          entry("ByNameEntry", Type.STRING, Type.ENUM, ".test.v1.Color"),
          entry("ByNumberEntry", Type.INT32, Type.MESSAGE, ".test.v1.Inner"),
        ],
      },
    ],
  }),
  (name) => ({ "google/protobuf/struct.proto": file_google_protobuf_struct, "google/protobuf/timestamp.proto": file_google_protobuf_timestamp })[name],
);
const Outer = registry.getMessage("test.v1.Outer") as DescMessage;
const paths = (json: unknown) => findUnknownEnumNames(Outer, json).map((u) => `${u.path}=${u.value}`);

describe("findUnknownEnumNames", () => {
  it("accepts every known name, numbers, null, and a document without enums", () => {
    const json = {
      topColor: "COLOR_RED",
      inner: { color: 2, colors: ["COLOR_BLUE", 1] },
      byName: { a: "COLOR_UNSPECIFIED" },
      picked: null,
      next: { top_color: 7 },
    };
    expect(paths(json)).toEqual([]);
    expect(paths({})).toEqual([]);
    // What protobuf-es makes of it (numbers for open enums included): no error.
    expect(() => fromJson(Outer, json as never, { registry })).not.toThrow();
  });

  it("finds an unknown name at the top, nested, repeated, in maps, oneofs and recursive messages, by proto field path", () => {
    expect(
      paths({
        top_color: "RED",
        inner: { color: "BLUE", colors: ["COLOR_RED", "GREEN"] },
        inners: [{}, { colors: ["COLOR_BLUE", "PINK"] }],
        byName: { a: "COLOR_RED", "b c": "red" },
        by_number: { "7": { color: "NAVY" } },
        pickedInner: { color: "TEAL" },
        next: { next: { topColor: "DEEP" } },
      }),
    ).toEqual([
      "top_color=RED",
      "inner.color=BLUE",
      "inner.colors[1]=GREEN",
      "inners[1].colors[1]=PINK",
      'by_name["b c"]=red',
      "by_number[7].color=NAVY",
      "picked_inner.color=TEAL",
      "next.next.top_color=DEEP",
    ]);
    expect(paths({ picked: "COLOUR_RED" })).toEqual(["picked=COLOUR_RED"]);
  });

  it("reads keys by proto name and by JSON name alike", () => {
    expect(paths({ top_color: "X" })).toEqual(["top_color=X"]);
    expect(paths({ topColor: "X" })).toEqual(["top_color=X"]);
    expect(paths({ by_name: { k: "X" } })).toEqual(['by_name["k"]=X']);
    expect(paths({ byName: { k: "X" } })).toEqual(['by_name["k"]=X']);
  });

  it("ignores unknown keys, whatever they hold, and leaves well-known types and scalars alone", () => {
    expect(paths({ futureColor: "ULTRAVIOLET", future: { color: "X" } })).toEqual([]);
    expect(paths({ extra: { color: "NOT_AN_ENUM", nested: { topColor: "X" } }, at: "2026-01-01T00:00:00Z", label: "COLOR_X" })).toEqual([]);
  });

  it("leaves values of the wrong shape to protobuf-es", () => {
    expect(paths({ topColor: true, inner: "x", inners: { a: 1 }, byName: ["X"], next: [] })).toEqual([]);
    expect(paths([{ topColor: "X" }])).toEqual([]);
    expect(paths("X")).toEqual([]);
  });

  it("walks deep nesting without recursion", () => {
    let json: Record<string, unknown> = { topColor: "DEEP" };
    for (let i = 0; i < 20_000; i++) json = { next: json };
    const [found] = findUnknownEnumNames(Outer, json);
    expect(found?.path.split(".")).toHaveLength(20_001);
  });
});

describe("findStrictJsonProblems (for the config file)", () => {
  it("reports unknown keys too, by their path, beside unknown enum names", () => {
    expect(findStrictJsonProblems(Outer, { inner: { colour: "red", color: "X" }, byNumber: { "1": { shade: null } }, "[test.v1.ext]": 1 })).toEqual([
      { path: "inner.colour", message: "unknown key" },
      { path: "inner.color", message: expect.stringMatching(/^unknown value "X" for enum test\.v1\.Color; accepted: COLOR_UNSPECIFIED, COLOR_RED, COLOR_BLUE/) },
      { path: "by_number[1].shade", message: "unknown key" },
    ]);
  });
});

describe("Duration and Timestamp strings", () => {
  it("reports a Timestamp that is no RFC 3339 date (nested, repeated, in maps too) by its field path, and leaves valid ones alone", () => {
    const problems = findStrictJsonProblems(Outer, {
      at: "1970-02-30T00:00:00Z",
      next: { at: "2026-12-01T10:00:00.123456789+01:00" },
      inners: [{}],
      byNumber: { "1": {} },
    });
    expect(problems).toEqual([{ path: "at", message: expect.stringMatching(/^"1970-02-30T00:00:00Z" is no timestamp: .*\(no such date or time\)$/) }]);
    expect(jsonRequestError(Outer, { next: { next: { at: "2026-12-01T10:00:00.1234567890Z" } } })?.rawMessage).toMatch(/^next\.next\.at: "2026-12-01T10:00:00\.1234567890Z" is no timestamp/);
  });

  it("reports a Duration with trailing text (which protobuf-es would read as 1800 s) on a real request message", () => {
    const error = jsonRequestError(CreateEnvironmentRequestSchema, { spec: { timeout: { disconnected: "1800sjunk" } } });
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toMatch(/^spec\.timeout\.disconnected: "1800sjunk" is no duration/);
    expect(jsonRequestError(CreateEnvironmentRequestSchema, { spec: { timeout: { disconnected: "1800s" } } })).toBeUndefined();
    // What the check is for: protobuf-es alone takes the malformed string.
    expect(() => fromJson(CreateEnvironmentRequestSchema, { spec: { timeout: { disconnected: "1800sjunk" } } })).not.toThrow();
  });
});

describe("the error", () => {
  it("names each field path and the accepted names", () => {
    const error = jsonRequestError(ListRunnersRequestSchema, { filter: { kinds: ["REMOTE"] } });
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toBe(
      'filter.kinds[0]: unknown value "REMOTE" for enum gitpod.v1.RunnerKind; accepted: RUNNER_KIND_UNSPECIFIED, RUNNER_KIND_LOCAL, RUNNER_KIND_REMOTE, RUNNER_KIND_LOCAL_CONFIGURATION (or the value\'s number)',
    );
    expect(jsonRequestError(ListRunnersRequestSchema, { filter: { kinds: ["RUNNER_KIND_REMOTE"] } })).toBeUndefined();
  });

  it("names at most ten problems", () => {
    const error = jsonRequestError(ListRunnersRequestSchema, { filter: { kinds: Array.from({ length: 25 }, (_, i) => `K${i}`) } });
    expect(error?.rawMessage.match(/filter\.kinds\[\d+\]/g)).toHaveLength(10);
    expect(error?.rawMessage).toContain("and 15 more invalid values");
  });

  it("leaves bytes that are not UTF-8 JSON to connect-node", () => {
    const desc = ListRunnersRequestSchema;
    expect(checkJsonRequest(desc, new Uint8Array([0x7b, 0xff, 0x7d]))).toBeUndefined();
    expect(checkJsonRequest(desc, new TextEncoder().encode('{"filter":'))).toBeUndefined();
    expect(checkJsonRequest(desc, new Uint8Array(0))).toBeUndefined();
    expect(checkJsonRequest(desc, new TextEncoder().encode('{"filter":{"kinds":["REMOTE"]}}'))?.code).toBe(Code.InvalidArgument);
  });
});

describe("unknown enum names over a real socket", () => {
  let server: TestServer;
  const auth = { authorization: `Bearer ${testTokens.admin}` };
  beforeAll(async () => {
    server = await startTestServer();
    // A second runner, of another kind than the bootstrap one (REMOTE), so a filter can show.
    const res = await connectJson("RunnerService/CreateRunner", { name: "Local", provider: "RUNNER_PROVIDER_LINUX_HOST" });
    expect(res.status).toBe(200);
  });
  afterAll(() => server.close());

  async function connectJson(rpc: string, body: unknown) {
    const res = await fetch(`${server.url}/gitpod.v1.${rpc}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as { code?: string; message?: string; runners?: { kind?: string; name?: string }[] } };
  }

  it("ListRunners with filter.kinds [\"REMOTE\"]: invalid_argument naming filter.kinds[0] and the accepted names, not an unfiltered list", async () => {
    const res = await connectJson("RunnerService/ListRunners", { filter: { kinds: ["REMOTE"] } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(res.json.message).toMatch(/^filter\.kinds\[0\]: unknown value "REMOTE" for enum gitpod\.v1\.RunnerKind; accepted: .*RUNNER_KIND_REMOTE/);
  });

  it('CreateRunner with provider "LINUX_HOST": invalid_argument naming provider, not "set provider"', async () => {
    const res = await connectJson("RunnerService/CreateRunner", { name: "x", provider: "LINUX_HOST" });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(res.json.message).toMatch(/^provider: unknown value "LINUX_HOST" for enum gitpod\.v1\.RunnerProvider; accepted: .*RUNNER_PROVIDER_LINUX_HOST/);
  });

  it("still filters with known names and numbers, and still ignores unknown keys", async () => {
    const named = await connectJson("RunnerService/ListRunners", { filter: { kinds: ["RUNNER_KIND_LOCAL"] }, aKeyFromTheFuture: { kinds: ["NOPE"] } });
    expect(named.status).toBe(200);
    expect(named.json.runners?.map((r) => r.name)).toEqual(["Local"]);
    const numbered = await connectJson("RunnerService/ListRunners", { filter: { kinds: [2] } });
    expect(numbered.status).toBe(200);
    expect(numbered.json.runners?.map((r) => r.kind)).toEqual(["RUNNER_KIND_REMOTE"]);
  });

  it("treats a key by proto name and by JSON name alike (filter.runner_kinds / filter.runnerKinds)", async () => {
    for (const key of ["runner_kinds", "runnerKinds"]) {
      const res = await connectJson("RunnerConfigurationService/ListEnvironmentClasses", { filter: { [key]: ["REMOTE"] } });
      expect([res.status, res.json.code], key).toEqual([400, "invalid_argument"]);
      expect(res.json.message, key).toMatch(/^filter\.runner_kinds\[0\]: unknown value "REMOTE"/);
    }
    for (const key of ["search_mode", "searchMode"]) {
      const res = await connectJson("RunnerService/SearchRepositories", { runnerId: server.bootstrap.runnerId, [key]: "FUZZY" });
      expect(res.json.message, key).toMatch(/^search_mode: unknown value "FUZZY" for enum gitpod\.v1\.SearchMode/);
    }
  });

  it("answers gRPC+json and gRPC-web+json clients in their protocol", async () => {
    const body = frame(new TextEncoder().encode(JSON.stringify({ filter: { kinds: ["REMOTE"] } })));
    const grpc = await http2Request(server.url, "/gitpod.v1.RunnerService/ListRunners", { "content-type": "application/grpc+json", te: "trailers", ...auth }, body);
    expect(grpcStatus(grpc)).toBe(String(Code.InvalidArgument));
    const message = grpc.trailers["grpc-message"] ?? grpc.headers["grpc-message"];
    expect(decodeURIComponent(String(message))).toMatch(/^filter\.kinds\[0\]: unknown value "REMOTE"/);

    const web = await http1Request(`${server.url}/gitpod.v1.RunnerService/ListRunners`, {
      headers: { "content-type": "application/grpc-web+json", ...auth },
      body,
    });
    const status = grpcWebStatus(web);
    expect(status.status).toBe(String(Code.InvalidArgument));
    expect(status.message).toMatch(/^filter\.kinds\[0\]: unknown value "REMOTE"/);
  });

  it("answers a guard error to a gRPC+json client with its own code (the stand-in message is a `{}` frame, not an empty one)", async () => {
    const body = frame(new TextEncoder().encode("{}"));
    const res = await http2Request(server.url, "/gitpod.v1.RunnerService/ListRunners", { "content-type": "application/grpc+json", te: "trailers" }, body);
    expect(grpcStatus(res)).toBe(String(Code.Unauthenticated));
  });

  it("ListEnvironments with filter.created_before on February 30th: invalid_argument naming the field, not a filter for March 2nd", async () => {
    const res = await connectJson("EnvironmentService/ListEnvironments", { filter: { createdBefore: "1970-02-30T00:00:00Z" } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect(res.json.message).toMatch(/^filter\.created_before: "1970-02-30T00:00:00Z" is no timestamp/);
  });

  it("checks only after authentication: an unauthenticated caller learns nothing about the body", async () => {
    const res = await fetch(`${server.url}/gitpod.v1.RunnerService/ListRunners`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filter: { kinds: ["REMOTE"] } }),
    });
    expect(res.status).toBe(401);
  });
});
