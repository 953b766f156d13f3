// Bearer tokens from a string or a provider, on every request and every retry; the user agent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientVersion, Code, ConnectError } from "../src/node.js";
import { requestRecorder } from "./support/server-interceptors.js";
import { apiToken, startClientTestServer, type ClientTestServer } from "./support/test-server.js";

const recorder = requestRecorder();
let server: ClientTestServer;
const identity = "gitpod.v1.IdentityService/GetAuthenticatedIdentity";

beforeAll(async () => {
  server = await startClientTestServer({ interceptors: [recorder.interceptor] });
});
afterAll(() => server.close());

const lastHeader = () => recorder.seen.at(-1)!.header;

describe("authentication", () => {
  it("sends a string token as a bearer token", async () => {
    const me = await server.client({ token: apiToken }).identity.getAuthenticatedIdentity({});
    expect(me.organizationId).toBe(server.bootstrap.organizationId);
    expect(lastHeader().get("authorization")).toBe(`Bearer ${apiToken}`);
  });

  it("asks an async token provider for every request", async () => {
    let calls = 0;
    const client = server.client({
      token: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        return apiToken;
      },
    });
    await client.identity.getAuthenticatedIdentity({});
    await client.environments.classes.list().toArray();
    expect(calls).toBe(2);
  });

  it("uses what the provider returns now: a revoked token fails as unauthenticated", async () => {
    let token = apiToken;
    const client = server.client({ token: () => token });
    await client.identity.getAuthenticatedIdentity({});
    token = "revoked";
    await expect(client.identity.getAuthenticatedIdentity({})).rejects.toMatchObject({ code: Code.Unauthenticated });
  });

  it("fails the call as unauthenticated, without sending it, when the provider fails", async () => {
    const before = recorder.seen.length;
    const client = server.client({ token: () => Promise.reject(new Error("vault sealed")) });
    const error = await client.identity.getAuthenticatedIdentity({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unauthenticated);
    expect((error as ConnectError).rawMessage).toBe("the token provider failed: vault sealed");
    expect(recorder.seen.length).toBe(before);
  });

  it("lets a call's own Authorization header stand", async () => {
    const client = server.client({ token: "not-this-one" });
    await client.identity.getAuthenticatedIdentity({}, { headers: { authorization: `Bearer ${apiToken}` } });
    expect(lastHeader().get("authorization")).toBe(`Bearer ${apiToken}`);
  });

  it("sends no token without one: the server answers unauthenticated", async () => {
    // The server rejects such a call before any interceptor of its own; look from the client side.
    const sent: Headers[] = [];
    const client = server.client({ token: undefined, interceptors: [(next) => (req) => (sent.push(req.header), next(req))] });
    await expect(client.identity.getAuthenticatedIdentity({})).rejects.toMatchObject({ code: Code.Unauthenticated });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.has("authorization")).toBe(false);
  });
});

describe("user agent", () => {
  it("names the caller, this client and connect-es in User-Agent, on every protocol", async () => {
    for (const protocol of ["connect", "grpc-web", "grpc"] as const) {
      await server.client({ protocol, userAgent: "my-tool/1.2" }).identity.getAuthenticatedIdentity({});
      expect(recorder.seen.at(-1)!.procedure).toBe(identity);
      expect(lastHeader().get("user-agent"), protocol).toMatch(new RegExp(`^my-tool/1\\.2 gitpod-connect-client/${clientVersion.replace(/\./g, "\\.")} connect-es/`));
    }
  });
});
