// Every protocol the Node client speaks gives the same answers: Connect (JSON, binary, GET for
// reads, HTTP/1.1 and HTTP/2), gRPC-web (binary and JSON) and gRPC — unary calls, lists across
// pages, errors with code and message, and the event stream.
import { toJson } from "@bufbuild/protobuf";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { GetAuthenticatedIdentityResponseSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectError, type NodeClientOptions } from "../src/node.js";
import { requestRecorder } from "./support/server-interceptors.js";
import { startClientTestServer, type ClientTestServer } from "./support/test-server.js";

const flavours: Record<string, NodeClientOptions> = {
  "Connect JSON, HTTP/1.1": { protocol: "connect" },
  "Connect binary, HTTP/1.1": { protocol: "connect", binary: true },
  "Connect JSON, HTTP/2": { protocol: "connect", httpVersion: "2" },
  "Connect JSON, GET for reads": { protocol: "connect", useHttpGet: true },
  "gRPC-web binary, HTTP/1.1": { protocol: "grpc-web", binary: true },
  "gRPC-web JSON, HTTP/2": { protocol: "grpc-web", httpVersion: "2" },
  gRPC: { protocol: "grpc" },
};

const recorder = requestRecorder();
let server: ClientTestServer;
let classIds: string[];

beforeAll(async () => {
  server = await startClientTestServer({ interceptors: [recorder.interceptor] });
  // More classes than one page holds, so lists cross pages.
  const admin = server.client();
  for (let i = 0; i < 3; i++) {
    await admin.runners.configurations.environmentClasses.create({
      runnerId: server.bootstrap.runnerId,
      displayName: `class ${i}`,
      description: `the ${i}th`,
      configuration: [
        { key: "cpu", value: String(i + 1) },
        { key: "memory", value: String(2 * (i + 1)) },
      ],
    });
  }
  classIds = (await admin.environments.classes.list().toArray()).map((c) => c.id);
});
afterAll(() => server.close());

interface Observed {
  identity: unknown;
  classes: unknown[];
  pages: number;
  notFound: { code: number; message: string };
  invalid: { code: number; message: string };
  event: unknown;
}

async function observe(options: NodeClientOptions): Promise<Observed> {
  const client = server.client(options);
  const identity = toJson(GetAuthenticatedIdentityResponseSchema, await client.identity.getAuthenticatedIdentity({}));
  const list = client.environments.classes.list({ pagination: { pageSize: 2 } });
  let pages = 0;
  for await (const _ of list.pages()) pages++;
  const classes = (await list.toArray()).map((c) => toJson(EnvironmentClassSchema, c));
  const failure = async (call: Promise<unknown>) => {
    const e = await call.then(() => undefined, (error: unknown) => error);
    if (!(e instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(e)}`);
    return { code: e.code, message: e.rawMessage };
  };
  const notFound = await failure(client.environments.retrieve({ environmentId: "0190aaaa-0000-7000-8000-000000000000" }));
  const invalid = await failure(client.environments.retrieve({ environmentId: "not-a-uuid" }));

  const { environment } = await client.environments.create({ spec: { machine: { class: classIds[0]! } } });
  const abort = new AbortController();
  const events = client.events.watch({ scope: { case: "environmentId", value: environment!.id } }, { signal: abort.signal })[Symbol.asyncIterator]();
  const next = events.next();
  await client.environments.markActive({ environmentId: environment!.id, activitySignal: { source: "test" } });
  const first = await next;
  abort.abort();
  const event = first.done ? undefined : { operation: first.value.operation, resourceType: first.value.resourceType, sameId: first.value.resourceId === environment!.id };
  return { identity, classes, pages, notFound, invalid, event };
}

describe("protocols", () => {
  let reference: Observed;
  beforeAll(async () => {
    reference = await observe({ protocol: "connect" });
  });

  it("the reference flavour itself sees what the server holds", () => {
    expect(reference.classes).toHaveLength(classIds.length);
    expect(reference.pages).toBe(Math.ceil(classIds.length / 2));
    expect(reference.notFound.code).toBe(5);
    expect(reference.invalid.code).toBe(3);
    expect(reference.event).toMatchObject({ sameId: true });
  });

  for (const [name, options] of Object.entries(flavours)) {
    it(`${name} answers exactly as Connect JSON does`, async () => {
      expect(await observe(options)).toEqual(reference);
    });
  }

  it("close() releases the HTTP/2 connection; a later call opens a new one", async () => {
    const client = server.client({ protocol: "grpc" });
    await client.identity.getAuthenticatedIdentity({});
    client.close();
    expect((await client.identity.getAuthenticatedIdentity({})).organizationId).toBe(server.bootstrap.organizationId);
  });

  it("Connect GET is used for reads only", async () => {
    recorder.seen.length = 0;
    const client = server.client({ useHttpGet: true });
    await client.identity.getAuthenticatedIdentity({});
    await client.environments.create({ spec: { machine: { class: classIds[0]! } } });
    expect(recorder.seen.map((s) => `${s.httpMethod} ${s.procedure}`)).toEqual([
      "GET gitpod.v1.IdentityService/GetAuthenticatedIdentity",
      "POST gitpod.v1.EnvironmentService/CreateEnvironment",
    ]);
  });
});
