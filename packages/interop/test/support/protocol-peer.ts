// The protocol matrix's peer: connect-es (`@connectrpc/connect-node` transports) against a FRESH
// reference server per protocol — 127.0.0.1, a free port, a manual clock, sequential ids and a
// fixed page-token secret — so that every protocol sees byte-for-byte the same state and any
// difference in the answers is the protocol's.
import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import {
  createHandlerDeps,
  createPageTokens,
  manualClock,
  sequentialIds,
  startServer,
  type ManualClock,
  type RunningServer,
} from "@gitpod-connect/server";

export type ProtocolId = "connect-json" | "connect-binary" | "connect-get" | "grpc" | "grpc-web";

export interface Protocol {
  readonly id: ProtocolId;
  /** The title of its describe block (the report script counts results per "protocol: …" title). */
  readonly title: string;
  /** A transport of this protocol for the server at `baseUrl`. */
  transport(baseUrl: string): Transport;
  /** What the server must have seen for a call of `method` over this protocol: HTTP method and content type. */
  expectedRequest(method: DescMethod): { httpMethod: "GET" | "POST"; contentType: RegExp | null };
}

/** Whether an RPC may be called with Connect GET: unary and `idempotency_level = NO_SIDE_EFFECTS`. */
export function allowsGet(method: DescMethod): boolean {
  return method.methodKind === "unary" && method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
}

const connectContentType = (method: DescMethod, binary: boolean) =>
  method.methodKind === "unary" ? (binary ? /^application\/proto$/ : /^application\/json(;|$)/) : binary ? /^application\/connect\+proto$/ : /^application\/connect\+json$/;

/** The five protocols, the baseline (Connect JSON) first. */
export const protocols: readonly Protocol[] = [
  {
    id: "connect-json",
    title: "protocol: Connect JSON",
    // connect-node's Connect transport defaults to the binary format: JSON must be asked for.
    transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
    expectedRequest: (method) => ({ httpMethod: "POST", contentType: connectContentType(method, false) }),
  },
  {
    id: "connect-binary",
    title: "protocol: Connect binary",
    transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
    expectedRequest: (method) => ({ httpMethod: "POST", contentType: connectContentType(method, true) }),
  },
  {
    id: "connect-get",
    title: "protocol: Connect GET",
    // connect-es sends GET for the RPCs that allow it and POSTs the others (streams included).
    transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, useHttpGet: true }),
    expectedRequest: (method) =>
      allowsGet(method) ? { httpMethod: "GET", contentType: null } : { httpMethod: "POST", contentType: connectContentType(method, false) },
  },
  {
    id: "grpc",
    title: "protocol: gRPC",
    transport: (baseUrl) => createGrpcTransport({ baseUrl }),
    expectedRequest: () => ({ httpMethod: "POST", contentType: /^application\/grpc(\+proto)?$/ }),
  },
  {
    id: "grpc-web",
    title: "protocol: gRPC-web",
    transport: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    expectedRequest: () => ({ httpMethod: "POST", contentType: /^application\/grpc-web(\+proto)?$/ }),
  },
];

/** The bootstrap admin's bearer token. */
export const adminToken = "protocol-matrix-admin-token";
/** A user of a second organization, "Other". */
export const otherOrganizationToken = "protocol-matrix-other-token";
/** The bootstrap organization's project (CreateEnvironmentFromProject). */
export const projectId = "6a1f4f0e-2b7c-4d1a-9c3e-5f8b2a7d4c10";
/** How long one step of the simulated runner takes on the server's (manual) clock. */
export const stepDelayMs = 100;
/**
 * Page tokens are HMACs under a secret that is random per server by default; a fixed one makes the
 * `next_token`s of every protocol's server comparable instead of masking them.
 */
const pageTokenSecret = new Uint8Array(32).fill(7);

/** One request as the server saw it (recorded by an interceptor after authentication and validation). */
export interface SeenRequest {
  procedure: string;
  httpMethod: string;
  contentType: string | null;
}

export interface ProtocolPeer {
  readonly protocol: Protocol;
  readonly server: RunningServer;
  readonly clock: ManualClock;
  readonly transport: Transport;
  /** Every request the server's handlers were reached with, in order. */
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** `unaryFastPath: false` sends every call through connect-node's handlers (the differential test). */
export async function startProtocolPeer(protocol: Protocol, options: { unaryFastPath?: boolean } = {}): Promise<ProtocolPeer> {
  const clock = manualClock();
  const seen: SeenRequest[] = [];
  const record: Interceptor = (next) => (req) => {
    seen.push({ procedure: `${req.service.typeName}/${req.method.name}`, httpMethod: req.requestMethod, contentType: req.header.get("content-type") });
    return next(req);
  };
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    apiKey: adminToken,
    deps: createHandlerDeps({ clock, ids: sequentialIds(), pageTokens: createPageTokens(pageTokenSecret) }),
    stepDelayMs,
    organizations: [{ name: "Other", users: [{ name: "olga", email: "olga@other.test", tokens: [otherOrganizationToken] }] }],
    projects: [
      {
        id: projectId,
        name: "Website",
        initializer: { specs: [{ contextUrl: { url: "https://github.com/gitpod-io/website" } }] },
        automationsFile: { services: { web: { name: "Web", commands: { start: "npm start" }, triggeredBy: ["postDevcontainerStart"] } } },
      },
    ],
    interceptors: [record],
    ...options,
  });
  return { protocol, server, clock, transport: protocol.transport(server.url), seen, close: () => server.close() };
}
