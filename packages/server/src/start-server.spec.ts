import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitpodServices } from "./rpc/gitpod-services.js";
import { flavours, startTestServer, testTokens, transport, type TestServer } from "./test-support/test-server.js";

let server: TestServer;
/** A server that mounts every Gitpod service but implements none of them. */
let bare: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  bare = await startTestServer({ implementations: [] });
});
afterAll(async () => {
  await server.close();
  await bare.close();
});

async function codeOf(p: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return ConnectError.from(e).code;
  }
}

describe("server start-up", () => {
  it("listens on a free port of 127.0.0.1 and answers GET /healthz with 200", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
  });

  it("mounts the four documented Gitpod services and EventService and IdentityService, every RPC under both path prefixes", async () => {
    expect(gitpodServices.map((s) => s.typeName).sort()).toEqual([
      "gitpod.v1.EnvironmentAutomationService",
      "gitpod.v1.EnvironmentService",
      "gitpod.v1.EventService",
      "gitpod.v1.IdentityService",
      "gitpod.v1.RunnerConfigurationService",
      "gitpod.v1.RunnerService",
    ]);
    for (const service of gitpodServices) {
      for (const method of service.methods) {
        for (const prefix of ["", "/api"]) {
          const path = `${prefix}/${service.typeName}/${method.name}`;
          if (method.methodKind === "server_streaming") {
            // A Connect stream: one enveloped request; the error comes in the end-stream message.
            const res = await fetch(`${server.url}${path}`, {
              method: "POST",
              headers: { "content-type": "application/connect+json" },
              body: Buffer.concat([Buffer.from([0, 0, 0, 0, 2]), Buffer.from("{}")]),
            });
            expect(res.status, path).toBe(200);
            const end = Buffer.from(await res.arrayBuffer());
            expect(end[0], path).toBe(2);
            expect((JSON.parse(end.subarray(5).toString()) as { error: { code: string } }).error.code).toBe("unauthenticated");
            continue;
          }
          const res = await fetch(`${server.url}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          });
          // Mounted: authentication runs first and refuses the call (an unmounted path is 404).
          expect(res.status, path).toBe(401);
          expect(((await res.json()) as { code: string }).code).toBe("unauthenticated");
        }
      }
    }
  });

  it("serves an RPC at /api/gitpod.v1.X/Method as at /gitpod.v1.X/Method", async () => {
    for (const prefix of ["", "/api"]) {
      const res = await fetch(`${server.url}${prefix}/gitpod.v1.RunnerConfigurationService/ListEnvironmentClasses`, {
        method: "POST",
        headers: { "content-type": "application/json", "connect-protocol-version": "1", authorization: `Bearer ${testTokens.admin}` },
        body: "{}",
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { environmentClasses: { id: string }[] };
      expect(body.environmentClasses[0]?.id).toBe(server.bootstrap.environmentClassId);
    }
  });

  it("answers 404 for a path that names no RPC", async () => {
    const res = await fetch(`${server.url}/gitpod.v1.NoSuchService/Nope`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });
});

describe.each(flavours)("over %s", (flavour) => {
  it("calls an RPC and gets the bootstrap environment class, enabled, of the bootstrap runner", async () => {
    const client = server.client(RunnerConfigurationService, testTokens.admin, flavour);
    const res = await client.listEnvironmentClasses({});
    expect(res.environmentClasses).toHaveLength(1);
    expect(res.environmentClasses[0]).toMatchObject({
      id: server.bootstrap.environmentClassId,
      runnerId: server.bootstrap.runnerId,
      enabled: true,
    });
  });

  it("serves the same call under the /api prefix", async () => {
    const client = createClient(RunnerConfigurationService, transport(`${server.url}/api`, flavour, testTokens.admin));
    expect((await client.listEnvironmentClasses({})).environmentClasses).toHaveLength(1);
  });

  it("refuses a call without a token, or with an unknown one, as unauthenticated", async () => {
    expect(await codeOf(server.client(RunnerConfigurationService, undefined, flavour).listEnvironmentClasses({}))).toBe(Code.Unauthenticated);
    expect(await codeOf(server.client(RunnerConfigurationService, "nope", flavour).listEnvironmentClasses({}))).toBe(Code.Unauthenticated);
    // Authentication comes before everything else, even before "not implemented".
    expect(await codeOf(bare.client(RunnerService, "nope", flavour).getRunner({ runnerId: bare.bootstrap.runnerId }))).toBe(Code.Unauthenticated);
  });

  it("answers an RPC of a mounted service with its handler, and unimplemented where there is none", async () => {
    const client = server.client(RunnerService, testTokens.admin, flavour);
    expect((await client.getRunner({ runnerId: server.bootstrap.runnerId })).runner?.runnerId).toBe(server.bootstrap.runnerId);
    const unimplemented = bare.client(RunnerService, testTokens.admin, flavour);
    const e = ConnectError.from(await unimplemented.getRunner({ runnerId: bare.bootstrap.runnerId }).catch((x: unknown) => x));
    expect(e.code).toBe(Code.Unimplemented);
  });

  it("rejects a request that breaks its buf.validate rules with invalid_argument naming the field", async () => {
    const client = server.client(RunnerService, testTokens.admin, flavour);
    const e = ConnectError.from(await client.getRunner({ runnerId: "not-a-uuid" }).catch((x: unknown) => x));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toMatch(/^runner_id: /);
    const list = server.client(RunnerConfigurationService, testTokens.admin, flavour);
    const e2 = ConnectError.from(await list.listEnvironmentClasses({ pagination: { pageSize: 101 } }).catch((x: unknown) => x));
    expect(e2.code).toBe(Code.InvalidArgument);
    expect(e2.rawMessage).toMatch(/pagination\.page_size/);
  });

  it("rejects a forged page token with invalid_argument naming pagination.token", async () => {
    const client = server.client(RunnerConfigurationService, testTokens.admin, flavour);
    const e = ConnectError.from(await client.listEnvironmentClasses({ pagination: { token: "eyJ2IjoxLCJjIjo1fQ.AAAA" } }).catch((x: unknown) => x));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toMatch(/^pagination\.token: /);
  });
});

describe("organizations", () => {
  it("shows a caller of another organization nothing of the bootstrap organization", async () => {
    const other = server.client(RunnerConfigurationService, testTokens.other);
    expect((await other.listEnvironmentClasses({})).environmentClasses).toEqual([]);
    const e = ConnectError.from(
      await other.getEnvironmentClass({ environmentClassId: server.bootstrap.environmentClassId }).catch((x: unknown) => x),
    );
    expect(e.code).toBe(Code.NotFound);
  });

  it("authenticates a token registered for a runner as that runner's principal", async () => {
    const { token } = await server.deps.tokens.issue({
      organizationId: server.bootstrap.organizationId,
      subjectId: server.bootstrap.runnerId,
      principal: Principal.RUNNER,
    });
    const client = server.client(RunnerConfigurationService, token);
    expect((await client.listEnvironmentClasses({})).environmentClasses).toHaveLength(1);
  });
});
