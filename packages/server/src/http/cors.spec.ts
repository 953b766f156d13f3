// CORS over real sockets: preflights answered before authentication for allowed origins only,
// actual answers (errors and early stream heads included) carrying the headers a page needs to read
// them, nothing at all for other origins or without configured origins.
import { cors } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frame, grpcWebStatus, http1Request, type RawResponse } from "../test-support/raw-request.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { corsOriginProblem, corsOriginsProblem } from "./cors.js";

const allowed = "http://app.test:5173";
const list = "/gitpod.v1.RunnerConfigurationService/ListEnvironmentClasses";
const watch = "/gitpod.v1.EventService/WatchEvents";
const auth = { authorization: `Bearer ${testTokens.admin}` };

let server: TestServer;
let open: TestServer;
beforeAll(async () => {
  server = await startTestServer({ corsOrigins: [allowed, "https://other.test"], testingControls: { token: "testing-token" } });
  open = await startTestServer({ corsOrigins: ["*"] });
});
afterAll(async () => {
  await server.close();
  await open.close();
});

function preflight(s: TestServer, path: string, origin: string | undefined, method = "POST") {
  return http1Request(s.url + path, {
    method: "OPTIONS",
    headers: {
      ...(origin !== undefined ? { origin } : {}),
      "access-control-request-method": method,
      "access-control-request-headers": "content-type, authorization, connect-protocol-version",
    },
  });
}

const corsHeaders = (res: RawResponse) => Object.keys(res.headers).filter((h) => h.startsWith("access-control-"));

/** Splits a comma-separated header into lower-case names. */
const names = (value: unknown) => String(value).split(",").map((n) => n.trim().toLowerCase());

describe("a preflight from an allowed origin", () => {
  it.each([list, `/api${list}`, watch])("is answered 204 on %s, without a token, with the methods, headers and max age", async (path) => {
    const res = await preflight(server, path, allowed);
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      "access-control-allow-origin": allowed,
      vary: "Origin",
      "access-control-allow-methods": "POST, GET",
      "access-control-max-age": "7200",
    });
    expect(names(res.headers["access-control-allow-headers"])).toEqual([...cors.allowedHeaders, "Authorization"].map((h) => h.toLowerCase()));
    for (const header of ["content-type", "connect-protocol-version", "connect-timeout-ms", "x-grpc-web", "x-user-agent", "grpc-timeout", "authorization"]) {
      expect(names(res.headers["access-control-allow-headers"])).toContain(header);
    }
  });

  it("is answered for the testing controls too, with their methods", async () => {
    const res = await preflight(server, "/testing/v1/rpc-failures", allowed, "DELETE");
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({ "access-control-allow-origin": allowed, "access-control-allow-methods": "GET, POST, DELETE" });
  });
});

describe("actual requests from an allowed origin", () => {
  const expectReadable = (res: RawResponse) => {
    expect(res.headers["access-control-allow-origin"]).toBe(allowed);
    expect(res.headers.vary).toBe("Origin");
    const exposed = names(res.headers["access-control-expose-headers"]);
    for (const header of [...cors.exposedHeaders, "Retry-After"]) expect(exposed).toContain(header.toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(["grpc-status", "grpc-message", "grpc-status-details-bin", "retry-after"]));
  };

  it("carry the CORS headers on a Connect answer", async () => {
    const res = await http1Request(server.url + list, {
      headers: { origin: allowed, "content-type": "application/json", "connect-protocol-version": "1", ...auth },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expectReadable(res);
  });

  it("carry the CORS headers on a gRPC-web answer", async () => {
    const res = await http1Request(server.url + list, {
      headers: { origin: allowed, "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...auth },
      body: frame(new Uint8Array(0)),
    });
    expect([res.status, grpcWebStatus(res).status]).toEqual([200, "0"]);
    expectReadable(res);
  });

  it("carry the CORS headers on errors the guard and the handlers produce", async () => {
    const unauthenticated = await http1Request(server.url + list, {
      headers: { origin: allowed, "content-type": "application/json" },
      body: "{}",
    });
    expect(unauthenticated.status).toBe(401);
    expectReadable(unauthenticated);
    const tooLarge = await http1Request(server.url + list, {
      headers: { origin: allowed, "content-type": "application/json", "content-length": 64 * 1024 * 1024, ...auth },
      body: "{}",
    });
    expect(tooLarge.status).toBe(429);
    expectReadable(tooLarge);
    const notFound = await http1Request(`${server.url}/gitpod.v1.RunnerService/GetRunner`, {
      headers: { origin: allowed, "content-type": "application/json", ...auth },
      body: JSON.stringify({ runnerId: "00000000-0000-4000-8000-000000000000" }),
    });
    expect(notFound.status).toBe(404);
    expectReadable(notFound);
    const grpcWebError = await http1Request(server.url + list, {
      headers: { origin: allowed, "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: frame(new Uint8Array(0)),
    });
    expect(grpcWebStatus(grpcWebError).status).toBe("16");
    expectReadable(grpcWebError);
  });

  it("carry the CORS headers on a stream's early head", async () => {
    const abort = new AbortController();
    const res = await fetch(server.url + watch, {
      method: "POST",
      headers: { origin: allowed, "content-type": "application/connect+json", ...auth },
      body: frame(Buffer.from("{}")),
      signal: abort.signal,
    });
    expect(res.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(res.headers.get("vary")).toBe("Origin");
    abort.abort();
  });
});

describe("other origins", () => {
  it("get no CORS headers: a preflight is refused with 403, an actual request is answered without them", async () => {
    const refused = await preflight(server, list, "http://evil.test");
    expect(refused.status).toBe(403);
    expect(corsHeaders(refused)).toEqual([]);
    const res = await http1Request(server.url + list, {
      headers: { origin: "http://evil.test", "content-type": "application/json", ...auth },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
    // The same host on another port or scheme is another origin.
    expect((await preflight(server, list, "http://app.test")).status).toBe(403);
    expect((await preflight(server, list, "https://app.test:5173")).status).toBe(403);
  });

  it("no Origin at all: no CORS headers, and OPTIONS is no RPC method", async () => {
    const res = await http1Request(server.url + list, { headers: { "content-type": "application/json", ...auth }, body: "{}" });
    expect(corsHeaders(res)).toEqual([]);
    expect(res.headers.vary).toBeUndefined();
    const options = await preflight(server, list, undefined);
    expect(options.status).toBe(405);
    expect(corsHeaders(options)).toEqual([]);
  });

  it("get none from a server without corsOrigins, which answers no preflight", async () => {
    const plain = await startTestServer();
    try {
      const refused = await preflight(plain, list, allowed);
      expect(refused.status).toBe(405);
      expect(corsHeaders(refused)).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it("do not reach paths without CORS (health, logs) even when allowed", async () => {
    const res = await http1Request(`${server.url}/healthz`, { method: "GET", headers: { origin: allowed } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
  });
});

describe("* allows every origin", () => {
  it("answers each origin's preflight and requests with that origin", async () => {
    for (const origin of ["http://localhost:3000", "https://anything.example"]) {
      const res = await preflight(open, list, origin);
      expect([res.status, res.headers["access-control-allow-origin"], res.headers.vary]).toEqual([204, origin, "Origin"]);
      const call = await http1Request(open.url + list, { headers: { origin, "content-type": "application/json", ...auth }, body: "{}" });
      expect([call.status, call.headers["access-control-allow-origin"]]).toEqual([200, origin]);
    }
  });
});

describe("origins", () => {
  it.each(["http://localhost:3000", "https://app.example.com", "http://127.0.0.1:8080", "http://[::1]:3000", "*"])("accepts %s", (origin) => {
    expect(corsOriginProblem(origin)).toBeUndefined();
  });

  it.each([
    ["https://app.test/", 'did you mean "https://app.test"'],
    ["https://app.test/path", 'did you mean "https://app.test"'],
    ["https://App.Test", 'did you mean "https://app.test"'],
    ["https://app.test:443", 'did you mean "https://app.test"'],
    ["https://app.test?x=1", 'did you mean "https://app.test"'],
    ["app.test", "must be an origin (scheme://host[:port], no path) or *"],
    ["", "must be an origin (scheme://host[:port], no path) or *"],
    ["ftp://app.test", "must be an http or https origin"],
    ["file:///tmp", "must be an http or https origin"],
  ])("refuses %s, saying why", (origin, why) => {
    expect(corsOriginProblem(origin)).toContain(why);
  });

  it("wants * alone", () => {
    expect(corsOriginsProblem(["*", allowed])).toMatch(/give it alone/);
  });

  it("are checked by startServer before anything starts", async () => {
    await expect(startTestServer({ corsOrigins: ["https://app.test/"] })).rejects.toThrow(/^corsOrigins: must be an origin/);
  });
});
