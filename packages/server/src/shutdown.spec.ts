// Graceful shutdown: stop accepting, let in-flight calls finish, close connections.
import { Code, ConnectError } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { rawExchange } from "./test-support/raw-request.js";
import { startTestServer, testTokens, type Flavour } from "./test-support/test-server.js";

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe.each<Flavour>(["connect-json", "grpc"])("close() with a call in flight over %s", (flavour) => {
  it("stops accepting, lets the call finish, then resolves", async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Holds GetEnvironmentClass after authentication and validation, just before its handler.
    const server = await startTestServer({
      interceptors: [
        (next) => async (req) => {
          if (req.method.name === "GetEnvironmentClass") {
            entered();
            await gate;
          }
          return next(req);
        },
      ],
    });
    const client = server.client(RunnerConfigurationService, testTokens.admin, flavour);
    const call = client.getEnvironmentClass({ environmentClassId: server.bootstrap.environmentClassId });
    await inHandler;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(await connectable(server.port)).toBe(false);
    expect(closed).toBe(false);

    release();
    const res = await call;
    expect(res.environmentClass?.id).toBe(server.bootstrap.environmentClassId);
    await closing;
    expect(closed).toBe(true);
  });
});

it("fails calls made after close() as unavailable on the client side", async () => {
  const server = await startTestServer();
  await server.close();
  const client = server.client(RunnerConfigurationService, testTokens.admin);
  const e = ConnectError.from(await client.listEnvironmentClasses({}).catch((x: unknown) => x));
  expect(e.code).toBe(Code.Unavailable);
});

it("closes idle keep-alive connections promptly", async () => {
  const server = await startTestServer();
  const client = server.client(RunnerConfigurationService, testTokens.admin);
  await client.listEnvironmentClasses({}); // leaves an idle keep-alive connection
  const h2 = server.client(RunnerConfigurationService, testTokens.admin, "grpc");
  await h2.listEnvironmentClasses({}); // and an idle HTTP/2 session
  const started = Date.now();
  await server.close();
  expect(Date.now() - started).toBeLessThan(2_000);
});

it("drops a client that sends request headers too slowly (slowloris)", async () => {
  const server = await startTestServer({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
  const started = Date.now();
  const answer = await rawExchange(server.port, "POST /gitpod.v1.RunnerService/GetRunner HTTP/1.1\r\nHost: x\r\nX-Slow: ", 8_000);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(answer === "" || /^HTTP\/1\.1 408 /.test(answer)).toBe(true);
  await server.close();
});
