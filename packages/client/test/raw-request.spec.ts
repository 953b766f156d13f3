// The lowest level: an HTTP request to any path, answered as it is, with the client's
// authentication, user agent and deadline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, GitpodClient } from "../src/node.js";
import { delayInterceptor, requestRecorder } from "./support/server-interceptors.js";
import { apiToken, startClientTestServer, type ClientTestServer } from "./support/test-server.js";

const recorder = requestRecorder();
let server: ClientTestServer;
let client: GitpodClient;

beforeAll(async () => {
  server = await startClientTestServer({ interceptors: [recorder.interceptor, delayInterceptor] });
  client = server.client();
});
afterAll(() => server.close());

describe("raw requests", () => {
  it("answer with status, headers and body of a plain endpoint", async () => {
    const res = await client.request({ path: "/healthz" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.json()).toEqual({ status: "SERVING" });
  });

  it("call an RPC path with a JSON body, authenticated and with the user agent", async () => {
    const res = await client.request({ method: "POST", path: "/gitpod.v1.IdentityService/GetAuthenticatedIdentity", body: {} });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ organizationId: server.bootstrap.organizationId });
    const seen = recorder.seen.at(-1)!.header;
    expect(seen.get("authorization")).toBe(`Bearer ${apiToken}`);
    expect(seen.get("user-agent")).toMatch(/^gitpod-connect-client\//);
  });

  it("send a string or bytes body as given, with the caller's content type", async () => {
    const res = await client.request({
      method: "POST",
      path: "/gitpod.v1.EnvironmentService/ListEnvironmentClasses",
      headers: { "content-type": "application/json" },
      body: new TextEncoder().encode("{}"),
    });
    expect((res.json() as { environmentClasses: { id: string }[] }).environmentClasses.map((c) => c.id)).toContain(server.bootstrap.environmentClassId);
  });

  it("return error statuses as responses, not exceptions", async () => {
    expect((await client.request({ path: "/nope" })).status).toBe(404);
    const anonymous = new GitpodClient({ baseUrl: server.url });
    const res = await anonymous.request({ method: "POST", path: "/gitpod.v1.IdentityService/GetAuthenticatedIdentity", body: {} });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: "unauthenticated" });
  });

  it("send query parameters", async () => {
    const res = await client.request({ path: "/nope", query: { a: "1 2" } });
    expect(res.status).toBe(404);
  });

  it("fail with deadline_exceeded after their timeout", async () => {
    const error = await client
      .request({ method: "POST", path: "/gitpod.v1.IdentityService/GetAuthenticatedIdentity", body: {}, headers: { "x-test-delay-ms": "2000" }, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
  });

  it("fail with canceled when the caller aborts", async () => {
    const abort = new AbortController();
    const pending = client.request({ method: "POST", path: "/gitpod.v1.IdentityService/GetAuthenticatedIdentity", body: {}, headers: { "x-test-delay-ms": "2000" }, signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: Code.Canceled });
  });

  it("take only paths, so the token never goes to another host", async () => {
    await expect(client.request({ path: "https://example.com/steal" })).rejects.toThrow(TypeError);
    await expect(client.request({ path: "//example.com/steal" })).rejects.toThrow(/must start with a single "\/"/);
  });

  it("retry a safe request when the server cannot be reached, then fail with unavailable", async () => {
    const retries: number[] = [];
    const unreachable = new GitpodClient({
      baseUrl: "http://127.0.0.1:1",
      token: apiToken,
      retry: { initialDelayMs: 1, maxDelayMs: 2, onRetry: (r) => retries.push(r.retry) },
    });
    const error = await unreachable.request({ path: "/healthz" }).catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect(retries).toEqual([1, 2]);
    const posts: number[] = [];
    const unsafe = new GitpodClient({ baseUrl: "http://127.0.0.1:1", retry: { initialDelayMs: 1, maxDelayMs: 2, onRetry: (r) => posts.push(r.retry) } });
    await expect(unsafe.request({ method: "POST", path: "/gitpod.v1.EnvironmentService/CreateEnvironment", body: {} })).rejects.toMatchObject({ code: Code.Unavailable });
    expect(posts).toEqual([]);
  });
});
