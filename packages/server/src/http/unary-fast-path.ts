// The unary fast path: unary RPCs over Connect (POST), gRPC-web and gRPC (HTTP/2), answered
// without connect-node's universal handlers but with connect's own protocol pieces, so that the
// bytes on the wire are the same (the differential test, unary-fast-path.spec.ts, holds it to that).
//
// connect-node's handlers do per call what this server already did or does not need: they wrap the
// body the guard read in an async iterable and read it again, decode protobuf bytes the guard
// already decoded, build a URL, copy headers, and create an AbortController linked to a deadline
// controller for every call — and abort it after every call, which builds a DOMException. Here the
// guard's body and decoded message are used as they are, the handler runs through connect's
// `invokeUnaryImplementation` with the route's interceptors (the same chain, in the same order),
// and the answer is serialized, compressed and framed by connect's serialization, compression,
// error and trailer functions, then written in one piece.
//
// What it leaves to connect-node (the request handler falls back): streams, Connect GET, requests
// that carry a timeout (a deadline needs the per-call signal), content types connect's own
// matchers do not accept, gRPC over HTTP/1.1, and whatever the guard passed on untouched. A unary
// handler here gets a signal that never aborts: no unary handler of this server waits on anything
// a cancellation could end, and a client that went away simply gets no answer.
import type { DescMessage, DescMethod, DescService, Message } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createServiceImplSpec,
  type ConnectRouter,
  type ContextValues,
  type HandlerContext,
  type MethodImplSpec,
  type ServiceImpl,
} from "@connectrpc/connect";
import {
  compressionNegotiate,
  createMethodSerializationLookup,
  encodeEnvelope,
  envelopeCompress,
  getJsonOptions,
  invokeUnaryImplementation,
  validateUniversalHandlerOptions,
  type MethodSerializationLookup,
} from "@connectrpc/connect/protocol";
import * as connect from "@connectrpc/connect/protocol-connect";
import * as grpc from "@connectrpc/connect/protocol-grpc";
import * as grpcWeb from "@connectrpc/connect/protocol-grpc-web";
import type { RequestProtocol } from "./protocol.js";
import { assembledEncoding } from "./response-encoding.js";

type UnarySpec = Extract<MethodImplSpec, { kind: "unary" }>;
type HandlerOptions = ReturnType<typeof validateUniversalHandlerOptions>;
type ServiceOptions = Parameters<ConnectRouter["service"]>[2];

/** One unary RPC as the fast path serves it: the implementation and the options it was mounted with. */
export interface UnaryRoute {
  readonly spec: UnarySpec;
  readonly options: HandlerOptions;
  readonly serialization: MethodSerializationLookup<DescMessage, DescMessage>;
  /** The JSON options the standard serialization writes with. */
  readonly jsonWriteOptions: ReturnType<typeof getJsonOptions>;
}

/**
 * A router that mounts on `router` as usual and also records every unary method it mounts,
 * by request path ("/gitpod.v1.X/Method").
 */
export function recordUnaryRoutes(router: ConnectRouter, routes: Map<string, UnaryRoute>): ConnectRouter {
  const record = (service: DescService, implementation: Partial<ServiceImpl<DescService>>, options: ServiceOptions) => {
    const specs = createServiceImplSpec(service, implementation).methods;
    const handlerOptions = validateUniversalHandlerOptions(options);
    for (const method of service.methods) {
      const spec = specs[method.localName];
      if (spec?.kind !== "unary") continue;
      routes.set(`/${service.typeName}/${method.name}`, {
        spec,
        options: handlerOptions,
        serialization: createMethodSerializationLookup(method, handlerOptions.binaryOptions, handlerOptions.jsonOptions, handlerOptions),
        jsonWriteOptions: getJsonOptions(handlerOptions.jsonOptions),
      });
    }
  };
  return {
    get handlers() {
      return router.handlers;
    },
    service(service, implementation, options) {
      router.service(service, implementation, options);
      record(service, implementation, options);
      return this;
    },
    rpc(method, implementation, options) {
      // Single methods are left to connect-node (this server mounts whole services).
      router.rpc(method, implementation, options);
      return this;
    },
  };
}

/** What the fast path needs of a guarded request. */
export interface UnaryCall {
  readonly protocol: RequestProtocol;
  /** Whether the request came over HTTP/2. */
  readonly http2: boolean;
  /** The headers as the guard left them (encoding headers of a body it decompressed removed). */
  readonly header: Headers;
  /** The uncompressed body: the message, or one gRPC frame. */
  readonly body: Uint8Array;
  /** The message, when the guard decoded its protobuf bytes. */
  readonly message?: Message;
  readonly contextValues: ContextValues;
  readonly url: string;
}

/** A complete answer: status, head, body in one piece, trailers (gRPC). */
export interface UnaryAnswer {
  status: number;
  header: Headers;
  body: Uint8Array;
  trailer?: Headers;
}

/** The format of a request the fast path serves (connect's own content-type matchers decide), or undefined to leave it to connect-node. */
export function fastPathFormat(call: Pick<UnaryCall, "protocol" | "http2" | "header">, method: DescMethod): { binary: boolean } | undefined {
  if (method.methodKind !== "unary") return undefined;
  const contentType = call.header.get("content-type");
  switch (call.protocol.protocol) {
    case "connect": {
      if (call.header.has(connect.headerTimeout)) return undefined;
      const type = connect.parseContentType(contentType);
      return type && !type.stream ? { binary: type.binary } : undefined;
    }
    case "grpc-web": {
      if (call.header.has(grpcWeb.headerTimeout)) return undefined;
      const type = grpcWeb.parseContentType(contentType);
      return type && !type.text ? { binary: type.binary } : undefined;
    }
    case "grpc": {
      if (!call.http2 || call.header.has(grpc.headerTimeout)) return undefined;
      const type = grpc.parseContentType(contentType);
      return type ? { binary: type.binary } : undefined;
    }
    default:
      return undefined;
  }
}

/** A signal that never aborts, shared by every unary call of the fast path. */
const neverAborted = new AbortController().signal;
const noTimeout = () => undefined;

/** Runs the RPC and returns its answer in the call's protocol; never throws for anything the handler does. */
export async function answerUnary(route: UnaryRoute, call: UnaryCall, format: { binary: boolean }): Promise<UnaryAnswer> {
  switch (call.protocol.protocol) {
    case "connect":
      return answerConnect(route, call, format.binary);
    default:
      return answerGrpc(route, call, format.binary, call.protocol.protocol === "grpc-web");
  }
}

function handlerContext(route: UnaryRoute, call: UnaryCall, protocolName: string, responseHeader: Headers, responseTrailer: Headers): HandlerContext {
  return {
    method: route.spec.method,
    service: route.spec.method.parent,
    protocolName,
    requestMethod: "POST",
    url: call.url,
    signal: neverAborted,
    timeoutMs: noTimeout,
    requestHeader: call.header,
    responseHeader,
    responseTrailer,
    values: call.contextValues,
  };
}

/** The request message: the guard's, or parsed as connect-node parses it. */
function inputOf(route: UnaryRoute, call: UnaryCall, data: Uint8Array, binary: boolean): Message {
  if (binary && call.message && route.options.binaryOptions === undefined) return call.message;
  return route.serialization.getI(binary).parse(data);
}

/** The answer message's bytes: assembled from kept encodings of stored records where it can be (response-encoding.ts), else as connect-node serializes it. */
function serializeOutput(route: UnaryRoute, output: Message, binary: boolean): Uint8Array {
  const assembled = route.options.binaryOptions === undefined ? assembledEncoding(route.spec.method.output, output, binary, route.jsonWriteOptions) : undefined;
  if (assembled && assembled.byteLength <= route.options.writeMaxBytes) return assembled;
  return route.serialization.getO(binary).serialize(output);
}

const asConnectError = (e: unknown) => (e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e));

/** Connect unary, as connect's protocol-connect handler answers it. */
async function answerConnect(route: UnaryRoute, call: UnaryCall, binary: boolean): Promise<UnaryAnswer> {
  const opt = route.options;
  const responseHeader = new Headers({ [connect.headerContentType]: binary ? connect.contentTypeUnaryProto : connect.contentTypeUnaryJson });
  const responseTrailer = new Headers();
  const context = handlerContext(route, call, "connect", responseHeader, responseTrailer);
  const compression = compressionNegotiate(
    opt.acceptCompression,
    call.header.get(connect.headerUnaryEncoding),
    call.header.get(connect.headerUnaryAcceptEncoding),
    connect.headerUnaryAcceptEncoding,
  );
  let status = 200;
  let body: Uint8Array;
  try {
    if (compression.error) throw compression.error;
    const input = inputOf(route, call, call.body, binary);
    const output = await invokeUnaryImplementation(route.spec, context, input, opt.interceptors);
    body = serializeOutput(route, output, binary);
  } catch (e) {
    const error = asConnectError(e);
    status = connect.codeToHttpStatus(error.code);
    responseHeader.set(connect.headerContentType, connect.contentTypeUnaryJson);
    error.metadata.forEach((value, key) => responseHeader.set(key, value));
    body = connect.errorToJsonBytes(error, opt.jsonOptions);
  }
  if (compression.response && body.byteLength >= opt.compressMinBytes) {
    body = await compression.response.compress(body);
    responseHeader.set(connect.headerUnaryEncoding, compression.response.name);
  }
  const header = connect.trailerMux(responseHeader, responseTrailer);
  header.set(connect.headerUnaryContentLength, body.byteLength.toString(10));
  return { status, header, body };
}

const grpcWebTrailers = grpcWeb.createTrailerSerialization();

/**
 * gRPC-web and gRPC unary, as connect's handlers answer them: status 200, the message in one frame,
 * the status in trailers — a trailer frame in the body (gRPC-web) or HTTP/2 trailers (gRPC).
 */
async function answerGrpc(route: UnaryRoute, call: UnaryCall, binary: boolean, web: boolean): Promise<UnaryAnswer> {
  const opt = route.options;
  const h = web ? grpcWeb : grpc;
  const responseHeader = new Headers({ [h.headerContentType]: binary ? h.contentTypeProto : h.contentTypeJson });
  const responseTrailer = new Headers({ [h.headerGrpcStatus]: grpc.grpcStatusOk });
  const context = handlerContext(route, call, web ? "grpc-web" : "grpc", responseHeader, responseTrailer);
  const compression = compressionNegotiate(opt.acceptCompression, call.header.get(h.headerEncoding), call.header.get(h.headerAcceptEncoding), h.headerAcceptEncoding);
  if (compression.response) responseHeader.set(h.headerEncoding, compression.response.name);
  const frames: Uint8Array[] = [];
  try {
    if (compression.error) throw compression.error;
    // The guard checked that the body is exactly one uncompressed frame.
    const input = inputOf(route, call, call.body.subarray(5), binary);
    const output = await invokeUnaryImplementation(route.spec, context, input, opt.interceptors);
    const message = await envelopeCompress({ flags: 0, data: serializeOutput(route, output, binary) }, compression.response, opt.compressMinBytes);
    frames.push(encodeEnvelope(message.flags, message.data));
  } catch (e) {
    grpc.setTrailerStatus(responseTrailer, asConnectError(e));
  }
  if (!web) return { status: 200, header: responseHeader, body: concat(frames), trailer: responseTrailer };
  const trailer = await envelopeCompress({ flags: grpcWeb.trailerFlag, data: grpcWebTrailers.serialize(responseTrailer) }, compression.response, opt.compressMinBytes);
  frames.push(encodeEnvelope(trailer.flags, trailer.data));
  return { status: 200, header: responseHeader, body: concat(frames) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return new Uint8Array(Buffer.concat(parts));
}
