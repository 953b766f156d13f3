// @grpc/grpc-js, an independent gRPC implementation, as a real peer over h2c.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  ListEnvironmentClassesRequestSchema,
  ListEnvironmentClassesResponseSchema,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { GetRunnerRequestSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleService } from "./test-support/sample-service.js";
import { startTestServer, testTokens, type TestServer } from "./test-support/test-server.js";

let server: TestServer;
let client: grpc.Client;
beforeAll(async () => {
  server = await startTestServer({ implementations: [sampleService()] });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.close();
});

function call(path: string, bytes: Uint8Array, token?: string): Promise<{ bytes?: Uint8Array; error?: grpc.ServiceError }> {
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
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

  it("gets UNIMPLEMENTED for an RPC without implementation, also under /api", async () => {
    const req = toBinary(GetRunnerRequestSchema, create(GetRunnerRequestSchema, { runnerId: server.bootstrap.runnerId }));
    expect((await call("/gitpod.v1.RunnerService/GetRunner", req, testTokens.admin)).error?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect((await call("/api/gitpod.v1.RunnerService/GetRunner", req, testTokens.admin)).error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("gets INVALID_ARGUMENT, not INTERNAL, for bytes that are not the request message", async () => {
    const res = await call(list, new Uint8Array([0x0a, 0xff, 0xff]), testTokens.admin);
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.details).not.toMatch(/\n\s+at /);
  });
});
