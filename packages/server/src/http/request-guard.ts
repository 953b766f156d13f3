// The guard in front of connect-node. For each RPC request it
//  1. authenticates before reading the body (an unauthenticated caller costs no body read),
//  2. reads the body up to readMaxBytes (resource_exhausted beyond, without reading on),
//  3. decompresses it with a limit on the decompressed size (resource_exhausted for bombs,
//     invalid_argument for corrupt data) and splits gRPC/gRPC-web frames strictly,
//  4. decodes protobuf bytes once to turn decode failures into invalid_argument (connect-node
//     would answer internal); in JSON, rejects enum strings that name no value of their enum
//     (connect-node would drop them silently, as it drops unknown keys) and Duration and Timestamp
//     strings that proto3 JSON does not allow (protobuf-es parses them leniently): json-value-checks.ts,
//  5. applies the SDK rewrite (sdk-request.ts).
// It then hands connect-node a plain, uncompressed body. When a step fails it hands over an empty
// message and the error (preflight-error.ts), so connect-node answers in the client's protocol.
// A Connect GET (a unary RPC with idempotency_level NO_SIDE_EFFECTS: its message is in the query)
// goes through the same steps, the `message` parameter standing for the body.
import type { DescMethod, Message } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { authenticate } from "../auth/authentication.js";
import type { Caller } from "../auth/caller.js";
import type { TokenStore } from "../auth/token-store.js";
import { toConnectError } from "../rpc/interceptors/error-mapping.js";
import { resourceExhausted } from "../errors.js";
import { decompress, isSupportedEncoding } from "./decompress.js";
import { compressedFlag, joinEnvelopes, splitEnvelopes, type Envelope } from "./envelope.js";
import { encodingHeader, protocolOf, type RequestProtocol } from "./protocol.js";
import { checkRequestMessage } from "./request-message-check.js";
import { looksLikeSdkRequest, rewriteSdkRequest } from "./sdk-request.js";

export interface GuardInput {
  method: DescMethod;
  httpMethod: string;
  header: Headers;
  query: URLSearchParams;
  /** Declared body length (content-length), if any. */
  contentLength: number | undefined;
  /** Reads the body, at most `limit` bytes (reading stops beyond). */
  readBody(limit: number): Promise<BodyRead>;
  tokens: TokenStore;
  readMaxBytes: number;
}

/** The body, or why there is none: larger than the limit, or cut short by the client. */
export type BodyRead = Uint8Array | "too_large" | "aborted";

export interface GuardResult {
  /** The body connect-node gets. */
  body: Uint8Array;
  /** The headers connect-node gets (encoding and length headers adjusted). */
  header: Headers;
  /** The query connect-node gets instead of the request's: a Connect GET's message, decoded and uncompressed. */
  query?: URLSearchParams;
  caller?: Caller;
  /** An error to answer with, in the client's protocol. */
  error?: ConnectError;
  /**
   * The protocol of a POST the guard took in (authenticated, read, checked — or failed with
   * `error`); absent when it passed the request on untouched for connect-node to answer (wrong
   * method, unknown content type or compression) and for Connect GET.
   */
  protocol?: RequestProtocol;
  /** The decoded request message, when its protobuf bytes were decoded by the check (one message). */
  message?: Message;
}

export async function guardRequest(input: GuardInput): Promise<GuardResult> {
  if (input.httpMethod === "GET" && allowsConnectGet(input.method)) return guardConnectGet(input);
  const header = new Headers(input.header);
  header.delete("content-length");

  let protocol = protocolOf(header.get("content-type"));
  const sdk = looksLikeSdkRequest(input.httpMethod, header);
  if (sdk && !protocol && header.get("content-type") === null) protocol = { protocol: "connect", binary: false };
  if (!protocol || input.httpMethod !== "POST") {
    // Not an RPC request we understand (wrong method, unknown content type): connect-node answers
    // it with its own checks (405, 415, …).
    return { body: new Uint8Array(0), header: input.header };
  }

  const fail = (error: ConnectError): GuardResult => {
    header.delete(encodingHeader(protocol.protocol));
    if (sdk && !header.has("content-type")) header.set("content-type", "application/json");
    return { body: emptyBody(protocol), header, error, protocol };
  };

  let caller: Caller;
  try {
    caller = await authenticate(header.get("authorization"), input.tokens);
  } catch (e) {
    return fail(toConnectError(e, "authenticate"));
  }
  const failAuthenticated = (error: ConnectError): GuardResult => ({ ...fail(error), caller });

  const encoding = header.get(encodingHeader(protocol.protocol))?.trim().toLowerCase() || "identity";
  if (!isSupportedEncoding(encoding)) {
    // connect-node answers unimplemented for an unsupported compression, as the protocols require.
    return { body: new Uint8Array(0), header: input.header, caller };
  }

  if (input.contentLength !== undefined && input.contentLength > input.readMaxBytes) {
    return failAuthenticated(tooLarge(input.readMaxBytes));
  }
  const raw = await input.readBody(input.readMaxBytes);
  if (raw === "too_large") return failAuthenticated(tooLarge(input.readMaxBytes));
  if (raw === "aborted") return failAuthenticated(new ConnectError("request body cut short by the client", Code.Canceled));

  let body: Uint8Array;
  let message: Message | undefined;
  try {
    ({ body, message } = await normalizeBody(protocol, encoding, raw, input));
  } catch (e) {
    return failAuthenticated(toConnectError(e, "read request"));
  }
  header.delete(encodingHeader(protocol.protocol));

  if (sdk) {
    const rewrite = rewriteSdkRequest(header, input.query, body);
    if (rewrite) {
      body = rewrite.body;
      message = undefined;
      if (rewrite.contentType) header.set("content-type", rewrite.contentType);
    }
  }
  return { body, header, caller, protocol, message };
}

/** Whether connect-node serves `method` with Connect GET: a unary RPC without side effects. */
function allowsConnectGet(method: DescMethod): boolean {
  return method.methodKind === "unary" && method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
}

/**
 * A Connect GET: `?connect=v1&encoding=json|proto&message=…[&base64=1][&compression=gzip|br]`.
 * Guarded like a POST — authentication first, then the message within the limit, decompressed and
 * decoded once — and handed to connect-node with the message decoded (base64url, uncompressed).
 */
async function guardConnectGet(input: GuardInput): Promise<GuardResult> {
  const passOn: GuardResult = { body: new Uint8Array(0), header: input.header };
  const format = input.query.get("encoding");
  // An unknown encoding: connect-node answers 415.
  if (format !== "json" && format !== "proto") return passOn;
  const protocol: RequestProtocol = { protocol: "connect", binary: format === "proto" };
  const fail = (error: ConnectError): GuardResult => ({ ...passOn, query: getQuery(input.query, emptyMessage(protocol)), error });

  let caller: Caller;
  try {
    caller = await authenticate(input.header.get("authorization"), input.tokens);
  } catch (e) {
    return fail(toConnectError(e, "authenticate"));
  }
  const encoding = input.query.get("compression")?.trim().toLowerCase() || "identity";
  // connect-node answers unimplemented for an unsupported compression, as the protocol requires.
  if (!isSupportedEncoding(encoding)) return { ...passOn, caller };
  try {
    const text = input.query.get("message") ?? "";
    if (text.length > input.readMaxBytes) throw tooLarge(input.readMaxBytes);
    let data: Uint8Array = new TextEncoder().encode(text);
    if (input.query.get("base64") === "1") {
      const decoded = decodeBase64(text);
      if (!decoded) throw new ConnectError("the message parameter is not valid base64 (URL-safe or standard, padding optional)", Code.InvalidArgument);
      data = decoded;
    }
    if (data.length > input.readMaxBytes) throw tooLarge(input.readMaxBytes);
    data = await decompress(encoding, data, input.readMaxBytes);
    checkRequestMessage(protocol, input.method, data);
    return { ...passOn, query: getQuery(input.query, data), caller };
  } catch (e) {
    return { ...fail(toConnectError(e, "read request")), caller };
  }
}

/** The query of a Connect GET with `message` as base64url and no compression; other parameters kept. */
function getQuery(query: URLSearchParams, message: Uint8Array): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of query) {
    if (key !== "message" && key !== "base64" && key !== "compression") out.append(key, value);
  }
  out.set("message", Buffer.from(message).toString("base64url"));
  out.set("base64", "1");
  return out;
}

/** Base64 in either alphabet, padding optional; undefined for anything else (Buffer would skip bad characters). */
function decodeBase64(text: string): Uint8Array | undefined {
  const unpadded = text.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9+/_-]*$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(unpadded, "base64"));
}

/** Decompresses, checks frames and protobuf bytes; returns the uncompressed body, and the message of a one-message binary body. */
async function normalizeBody(
  protocol: RequestProtocol,
  encoding: string,
  raw: Uint8Array,
  input: GuardInput,
): Promise<{ body: Uint8Array; message?: Message }> {
  if (protocol.protocol === "connect") {
    const data = await decompress(encoding, raw, input.readMaxBytes);
    return { body: data, message: checkRequestMessage(protocol, input.method, data) };
  }
  const frames: Envelope[] = [];
  let message: Message | undefined;
  let total = 0;
  const split = splitEnvelopes(raw);
  const kind = input.method.methodKind;
  if ((kind === "unary" || kind === "server_streaming") && split.length !== 1) {
    throw new ConnectError(`a ${kind} RPC takes exactly one request message, got ${split.length}`, Code.InvalidArgument);
  }
  for (const frame of split) {
    if ((frame.flags & compressedFlag) !== 0 && encoding === "identity") {
      throw new ConnectError("message frame is flagged compressed but the request names no encoding", Code.InvalidArgument);
    }
    const data = (frame.flags & compressedFlag) !== 0 ? await decompress(encoding, frame.data, input.readMaxBytes) : frame.data;
    total += data.length;
    if (total > input.readMaxBytes) throw tooLarge(input.readMaxBytes);
    message = checkRequestMessage(protocol, input.method, data);
    frames.push({ flags: 0, data });
  }
  return { body: joinEnvelopes(frames), message: frames.length === 1 ? message : undefined };
}


function tooLarge(limit: number): ConnectError {
  return resourceExhausted(`request message is larger than the limit of ${limit} bytes`);
}

/** An empty request message in the request's protocol and format (`{}` in JSON, also in a gRPC frame). */
function emptyBody(p: RequestProtocol): Uint8Array {
  const message = emptyMessage(p);
  return p.protocol === "connect" ? message : joinEnvelopes([{ flags: 0, data: message }]);
}

function emptyMessage(p: RequestProtocol): Uint8Array {
  return p.binary ? new Uint8Array(0) : new TextEncoder().encode("{}");
}
