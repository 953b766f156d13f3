// Connect GET for the RPCs without side effects (idempotency_level NO_SIDE_EFFECTS): served with the
// same answer as POST, and guarded as POST is — authentication first, the message within the size
// limit, decoded once so that bad input is invalid_argument. Other RPCs still refuse GET.
import { gzipSync } from "node:zlib";
import { toBinary, create } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ListRunnersRequestSchema, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMaxBytes } from "../limits.js";
import { createRoutes } from "../rpc/routes.js";
import { expectFailure } from "../test-support/expectations.js";
import { http1Request, type RawResponse } from "../test-support/raw-request.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { createOnePortServer } from "./one-port-server.js";
import { createRequestHandler } from "./request-handler.js";

/** The HTTP method of every call the handlers saw. */
const methods: string[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ interceptors: [(next) => (req) => (methods.push(req.requestMethod), next(req))] });
});
afterAll(() => server.close());

const listRunners = "/gitpod.v1.RunnerService/ListRunners";
const auth = { authorization: `Bearer ${testTokens.admin}` };

function getClient<S extends typeof RunnerService | typeof RunnerConfigurationService>(service: S, options: { binary: boolean; token?: string }) {
  const interceptors: Interceptor[] = options.token === undefined ? [] : [(next) => (req) => (req.header.set("authorization", `Bearer ${options.token}`), next(req))];
  return createClient(service, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useHttpGet: true, useBinaryFormat: options.binary, interceptors }));
}

/** A raw Connect GET with these query parameters. */
function get(path: string, params: Record<string, string>, headers: Record<string, string> = auth): Promise<RawResponse> {
  return http1Request(`${server.url}${path}?${new URLSearchParams({ connect: "v1", ...params }).toString()}`, { method: "GET", headers });
}

const json = (res: RawResponse) => JSON.parse(res.body.toString("utf8")) as { code?: string; message?: string };
const base64url = (data: Uint8Array | string) => Buffer.from(data).toString("base64url");

describe("a read RPC over Connect GET", () => {
  it.each([false, true])("answers as POST does (binary %s), and really over GET", async (binary) => {
    methods.length = 0;
    const viaGet = getClient(RunnerConfigurationService, { binary, token: testTokens.admin });
    const viaPost = server.client(RunnerConfigurationService, testTokens.admin, binary ? "connect-binary" : "connect-json");
    const request = { filter: { runnerIds: [server.bootstrap.runnerId] } };
    expect(await viaGet.listEnvironmentClasses(request)).toEqual(await viaPost.listEnvironmentClasses(request));
    const runners = getClient(RunnerService, { binary, token: testTokens.admin });
    expect((await runners.getRunner({ runnerId: server.bootstrap.runnerId })).runner!.runnerId).toBe(server.bootstrap.runnerId);
    expect(methods).toEqual(["GET", "POST", "GET"]);
  });

  it("accepts a gzip-compressed message, and the standard base64 alphabet with padding", async () => {
    const message = toBinary(ListRunnersRequestSchema, create(ListRunnersRequestSchema, { pagination: { pageSize: 1 } }));
    const compressed = await get(listRunners, { encoding: "proto", base64: "1", compression: "gzip", message: base64url(gzipSync(message)) });
    expect(compressed.status).toBe(200);
    const standard = Buffer.from('{"pagination":{"pageSize":1}}').toString("base64");
    expect(standard).toMatch(/=$/);
    expect((await get(listRunners, { encoding: "json", base64: "1", message: standard })).status).toBe(200);
    const plainJson = await get(listRunners, { encoding: "json", message: '{"pagination":{"pageSize":1}}' });
    expect([plainJson.status, (JSON.parse(plainJson.body.toString()) as { runners: unknown[] }).runners.length]).toEqual([200, 1]);
  });

  it("fails unauthenticated without a token, before the message is looked at", async () => {
    await expectFailure(getClient(RunnerService, { binary: false }).listRunners({}), Code.Unauthenticated, "missing bearer token");
    await expectFailure(getClient(RunnerService, { binary: true, token: "wrong" }).listRunners({}), Code.Unauthenticated, "unknown or expired");
    const res = await get(listRunners, { encoding: "proto", base64: "1", message: "%%%" }, {});
    expect([res.status, json(res).code]).toEqual([401, "unauthenticated"]);
  });

  it.each([
    [{ encoding: "proto", base64: "1", message: "not base64!" }, "not valid base64"],
    [{ encoding: "proto", base64: "1", message: "A" }, "not valid base64"],
    [{ encoding: "proto", base64: "1", message: base64url(Buffer.from([0x12, 0xff, 0xff, 0xff])) }, "not a valid gitpod.v1.ListRunnersRequest message"],
    [{ encoding: "proto", message: "\u0012\u0001" }, "not a valid gitpod.v1.ListRunnersRequest message"],
    [{ encoding: "json", message: '{"pagination":' }, "cannot decode message gitpod.v1.ListRunnersRequest from JSON"],
    [{ encoding: "json", message: '{"filter":{"kinds":["REMOTE"]}}' }, "filter.kinds[0]"],
    [{ encoding: "json", base64: "1", compression: "gzip", message: base64url("not gzip") }, "not valid gzip"],
  ])("answers a bad message %j with invalid_argument naming the problem", async (params, text) => {
    const res = await get(listRunners, params);
    expect([res.status, json(res).code]).toEqual([400, "invalid_argument"]);
    expect(json(res).message).toContain(text);
  });

  it("answers a message over the limit, before or after decompression, with resource_exhausted", async () => {
    const bomb = gzipSync(Buffer.alloc(readMaxBytes + 1, 0x20));
    const res = await get(listRunners, { encoding: "json", base64: "1", compression: "gzip", message: base64url(bomb) });
    expect([res.status, json(res).code]).toEqual([429, "resource_exhausted"]);

    // The raw parameter: on a handler with a small limit (Node bounds a URL far below 4 MiB).
    const small = createOnePortServer(createRequestHandler({ routes: createRoutes({ deps: server.deps }), tokens: server.deps.tokens, readMaxBytes: 64 }));
    const { port } = await small.listen(0, "127.0.0.1");
    try {
      const url = (message: string) => `http://127.0.0.1:${port}${listRunners}?encoding=json&message=${encodeURIComponent(message)}`;
      const over = await http1Request(url(`{"pagination":{"token":"${"x".repeat(64)}"}}`), { method: "GET", headers: auth });
      expect([over.status, json(over).code, json(over).message]).toEqual([429, "resource_exhausted", "request message is larger than the limit of 64 bytes"]);
      expect((await http1Request(url("{}"), { method: "GET", headers: auth })).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it("leaves an unknown encoding or compression to connect-node: 415, unimplemented", async () => {
    expect((await get(listRunners, { encoding: "xml", message: "{}" })).status).toBe(415);
    const res = await get(listRunners, { encoding: "json", compression: "zstd", message: "{}" });
    expect(json(res).code).toBe("unimplemented");
  });
});

describe("GET of other RPCs", () => {
  it("is refused with 405 for RPCs with side effects, and with 415 for a stream (it wants a streaming content type)", async () => {
    for (const path of ["/gitpod.v1.RunnerService/CreateRunner", "/gitpod.v1.EnvironmentService/DeleteEnvironment", "/api/gitpod.v1.RunnerService/DeleteRunner"]) {
      const res = await get(path, { encoding: "json", message: "{}" });
      expect(res.status, path).toBe(405);
    }
    expect((await get("/gitpod.v1.EventService/WatchEvents", { encoding: "json", message: "{}" })).status).toBe(415);
    expect(server.deps.events.subscriptions).toBe(0);
  });

  it("is never tried by a client with useHttpGet: it POSTs RPCs with side effects", async () => {
    expect(RunnerService.method.createRunner.idempotency).not.toBe(MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS);
    methods.length = 0;
    await getClient(RunnerService, { binary: false, token: testTokens.admin }).createRunner({ name: "via-post", provider: RunnerProvider.GCP });
    expect(methods).toEqual(["POST"]);
  });
});
