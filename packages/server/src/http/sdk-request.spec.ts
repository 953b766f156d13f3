// Requests shaped like the official JSON client's (@gitpod/sdk): no Connect-Protocol-Version
// header, empty bodies without content type, pagination in the URL query.
import { create } from "@bufbuild/protobuf";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentClasses } from "../domain/environment-classes/index.js";
import { http1Request } from "../test-support/raw-request.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { rewriteSdkRequest } from "./sdk-request.js";

let server: TestServer;
/** A server that mounts every Gitpod service but implements none of them. */
let bare: TestServer;
beforeAll(async () => {
  bare = await startTestServer({ implementations: [] });
  server = await startTestServer();
  const classes = server.deps.store.collection(environmentClasses);
  for (let i = 1; i <= 7; i++) {
    const id = server.deps.ids.newId();
    await classes.insert({
      id,
      organizationId: server.bootstrap.organizationId,
      value: create(EnvironmentClassSchema, { id, runnerId: server.bootstrap.runnerId, displayName: `Class ${i}`, description: "extra", enabled: i % 2 === 0 }),
    });
  }
});
afterAll(async () => {
  await server.close();
  await bare.close();
});

const listPath = "/gitpod.v1.RunnerConfigurationService/ListEnvironmentClasses";
type ListJson = { environmentClasses?: { id: string; displayName: string }[]; pagination?: { nextToken?: string } };

async function sdkPost(path: string, body: string | undefined, options: { token?: string; contentType?: boolean; to?: TestServer } = {}) {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.contentType ?? body !== undefined) headers["content-type"] = "application/json";
  const res = await http1Request((options.to ?? server).url + path, { headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, json: JSON.parse(res.body.toString("utf8") || "null") as ListJson & { code?: string } };
}

describe("requests shaped like @gitpod/sdk's", () => {
  it("reads an empty body without content type or Connect header as {}", async () => {
    const res = await sdkPost(listPath, undefined, { token: testTokens.admin });
    expect(res.status).toBe(200);
    expect(res.json.environmentClasses).toHaveLength(8);
  });

  it("serves the /api prefix the SDK's base URL ends with", async () => {
    const res = await sdkPost(`/api${listPath}`, "{}", { token: testTokens.admin });
    expect(res.status).toBe(200);
  });

  it("takes token and pageSize from the query over the body, page after page", async () => {
    const body = JSON.stringify({ filter: { runnerIds: [server.bootstrap.runnerId] }, pagination: { pageSize: 2 } });
    const first = await sdkPost(`${listPath}?pageSize=3`, body, { token: testTokens.admin });
    expect(first.status).toBe(200);
    expect(first.json.environmentClasses?.map((c) => c.displayName)).toEqual(["Small", "Class 1", "Class 2"]);
    const token = first.json.pagination?.nextToken ?? "";
    expect(token).not.toBe("");
    const second = await sdkPost(`${listPath}?token=${encodeURIComponent(token)}&pageSize=3`, body, { token: testTokens.admin });
    expect(second.json.environmentClasses?.map((c) => c.displayName)).toEqual(["Class 3", "Class 4", "Class 5"]);
  });

  it("answers a tampered query token with 400 invalid_argument naming pagination.token", async () => {
    const res = await sdkPost(`${listPath}?token=eyJ2IjoxLCJjIjoxfQ.bm9wZQ`, "{}", { token: testTokens.admin });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    expect((res.json as { message?: string }).message).toMatch(/^pagination\.token: /);
  });

  it("tells errors apart by the standard HTTP status of each Connect code", async () => {
    expect((await sdkPost(listPath, undefined)).status).toBe(401); // unauthenticated
    expect((await sdkPost(listPath, '{"pagination":{"pageSize":500}}', { token: testTokens.admin })).status).toBe(400);
    expect(
      (await sdkPost("/gitpod.v1.RunnerConfigurationService/GetEnvironmentClass", `{"environmentClassId":"${server.bootstrap.runnerId}"}`, { token: testTokens.admin })).status,
    ).toBe(404); // not_found
    expect((await sdkPost("/gitpod.v1.RunnerService/ListRunners", undefined, { token: testTokens.admin, to: bare })).status).toBe(501); // unimplemented
  });

  it("keeps the Connect protocol's own checks for requests that send the Connect header", async () => {
    const res = await http1Request(server.url + listPath, {
      headers: { "connect-protocol-version": "1", authorization: `Bearer ${testTokens.admin}` },
    });
    expect(res.status).toBe(415);
  });
});

describe("rewriteSdkRequest", () => {
  const json = new Headers({ "content-type": "application/json" });
  const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as unknown;

  it("leaves a request without pagination in the query alone", () => {
    expect(rewriteSdkRequest(json, new URLSearchParams(), new TextEncoder().encode("{}"))).toBeUndefined();
  });

  it("merges query pagination into the body's pagination, keeping the rest", () => {
    const out = rewriteSdkRequest(json, new URLSearchParams("token=t&pageSize=5"), new TextEncoder().encode('{"filter":{"a":1},"pagination":{"token":"old"}}'));
    expect(decode(out!.body)).toEqual({ filter: { a: 1 }, pagination: { token: "t", pageSize: 5 } });
  });

  it("leaves a body it cannot read to connect's error reporting", () => {
    expect(rewriteSdkRequest(json, new URLSearchParams("token=t"), new TextEncoder().encode("{oops"))).toBeUndefined();
  });
});
