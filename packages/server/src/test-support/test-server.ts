// Helpers for tests: a server on a free port with two organizations, and typed clients for any
// service over any of the four protocol flavours.
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { manualClock, type ManualClock } from "../clock.js";
import { createHandlerDeps } from "../handler-deps.js";
import { sequentialIds } from "../ids.js";
import { startServer, type RunningServer, type StartServerOptions } from "../start-server.js";
import { openTestStore } from "./test-store.js";

export type Flavour = "connect-json" | "connect-binary" | "grpc" | "grpc-web";
export const flavours: readonly Flavour[] = ["connect-json", "connect-binary", "grpc", "grpc-web"];

/** Tokens of the test server's principals. */
export const testTokens = {
  admin: "admin-token",
  /** A user of the second organization, "Other". */
  other: "other-token",
} as const;

export interface TestServer extends RunningServer {
  clock: ManualClock;
  /** The id of the second organization. */
  otherOrganizationId: string;
  /** A typed client that sends `token` (none when undefined). */
  client<S extends DescService>(service: S, token?: string, flavour?: Flavour): Client<S>;
}

/** A server on 127.0.0.1 with a free port, a manual clock, sequential ids and two organizations. */
export async function startTestServer(options: StartServerOptions = {}): Promise<TestServer> {
  // The clock the server really uses: given dependencies bring their own.
  const clock = options.deps?.clock ?? options.clock ?? manualClock();
  // The store of GITPOD_TEST_STORE (test-store.ts), unless the test brings its own dependencies.
  const sql = options.deps ? undefined : await openTestStore();
  const server = await startServer({
    port: 0,
    clock,
    ids: sequentialIds(),
    apiKey: testTokens.admin,
    organizations: [{ name: "Other", users: [{ name: "bob", tokens: [testTokens.other] }] }],
    ...options,
    ...(sql ? { deps: createHandlerDeps({ store: sql.store, clock, ids: options.ids ?? sequentialIds() }) } : {}),
  });
  if (sql) {
    const close = server.close.bind(server);
    let closing: Promise<void> | undefined;
    server.close = () =>
      (closing ??= (async () => {
        await close();
        await sql.close();
      })());
  }
  return Object.assign(server, {
    clock,
    otherOrganizationId: server.bootstrap.organizations[0]?.id ?? "",
    client<S extends DescService>(service: S, token?: string, flavour: Flavour = "connect-json") {
      return createClient(service, transport(server.url, flavour, token));
    },
  });
}

/** A transport for `flavour` that sends `Authorization: Bearer <token>` when a token is given. */
export function transport(baseUrl: string, flavour: Flavour, token?: string): Transport {
  const interceptors: Interceptor[] =
    token === undefined
      ? []
      : [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${token}`);
            return next(req);
          },
        ];
  switch (flavour) {
    case "connect-json":
      // connect-node speaks binary unless told otherwise (connect-web is the other way round).
      return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors });
    case "connect-binary":
      return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors });
    case "grpc":
      return createGrpcTransport({ baseUrl, interceptors });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors });
  }
}
