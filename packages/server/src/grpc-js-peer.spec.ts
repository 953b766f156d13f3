// @grpc/grpc-js, an independent gRPC implementation, as a real peer over h2c.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  ListEnvironmentClassesRequestSchema,
  ListEnvironmentClassesResponseSchema,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { GetRunnerRequestSchema, GetRunnerResponseSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "./test-support/test-server.js";

let server: TestServer;
let client: grpc.Client;
/** A server that mounts every Gitpod service but implements none of them, and a client of it. */
let bare: TestServer;
let bareClient: grpc.Client;
beforeAll(async () => {
  server = await startTestServer();
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  bare = await startTestServer({ implementations: [] });
  bareClient = new grpc.Client(`127.0.0.1:${bare.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  bareClient.close();
  await server.close();
  await bare.close();
});

function call(path: string, bytes: Uint8Array, token?: string, via = client): Promise<{ bytes?: Uint8Array; error?: grpc.ServiceError }> {
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve) => {
    via.makeUnaryRequest(
      path,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => new Uint8Array(b),
      bytes,
      metadata,
      { deadline: Date.now() + 10_000 },
      (error, value) => resolve(error ? { error } : { bytes: value! }),
    );
  });
}

const list = "/gitpod.v1.RunnerConfigurationService/ListEnvironmentClasses";

describe("a @grpc/grpc-js client", () => {
  it("lists environment classes", async () => {
    const res = await call(list, toBinary(ListEnvironmentClassesRequestSchema, create(ListEnvironmentClassesRequestSchema)), testTokens.admin);
    expect(res.error).toBeUndefined();
    const msg = fromBinary(ListEnvironmentClassesResponseSchema, res.bytes!);
    expect(msg.environmentClasses.map((c) => c.id)).toEqual([server.bootstrap.environmentClassId]);
  });

  it("gets UNAUTHENTICATED without a token", async () => {
    const res = await call(list, new Uint8Array(0));
    expect(res.error?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("gets the bootstrap runner from GetRunner, also under /api", async () => {
    const req = toBinary(GetRunnerRequestSchema, create(GetRunnerRequestSchema, { runnerId: server.bootstrap.runnerId }));
    for (const path of ["/gitpod.v1.RunnerService/GetRunner", "/api/gitpod.v1.RunnerService/GetRunner"]) {
      const res = await call(path, req, testTokens.admin);
      expect(res.error, path).toBeUndefined();
      expect(fromBinary(GetRunnerResponseSchema, res.bytes!).runner?.runnerId, path).toBe(server.bootstrap.runnerId);
    }
  });

  it("gets UNIMPLEMENTED for an RPC without implementation, also under /api", async () => {
    const req = toBinary(GetRunnerRequestSchema, create(GetRunnerRequestSchema, { runnerId: bare.bootstrap.runnerId }));
    for (const path of ["/gitpod.v1.RunnerService/GetRunner", "/api/gitpod.v1.RunnerService/GetRunner"]) {
      expect((await call(path, req, testTokens.admin, bareClient)).error?.code, path).toBe(grpc.status.UNIMPLEMENTED);
    }
  });

  it("gets UNIMPLEMENTED for a method that does not exist", async () => {
    expect((await call("/gitpod.v1.RunnerService/NoSuchMethod", new Uint8Array(0), testTokens.admin)).error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("gets INVALID_ARGUMENT, not INTERNAL, for bytes that are not the request message", async () => {
    const res = await call(list, new Uint8Array([0x0a, 0xff, 0xff]), testTokens.admin);
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.details).not.toMatch(/\n\s+at /);
  });
});
