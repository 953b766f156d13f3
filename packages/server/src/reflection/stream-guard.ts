// The request guard for RPCs whose requests are a stream (bidi and client streaming; today only
// the reflection services). http/request-guard.ts reads a whole body before connect-node sees it,
// which a bidi stream cannot wait for: its client sends the next request only after it got the
// answer to the last one. This guard holds a streamed body to the same rules, message by message,
// as connect-node asks for them:
//  - authentication from the headers before anything is read, unless the service is public
//    (reflection: services.ts);
//  - each message at most readMaxBytes, compressed and after decompression (resource_exhausted;
//    nothing more is read), the frames split strictly (invalid_argument);
//  - each message decoded once (protobuf) or its enum names checked (JSON), invalid_argument
//    where connect-node would answer internal;
//  - connect-node gets plain, uncompressed frames.
// A stream has no limit in total, as in gRPC servers: each message is limited.
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { authenticate } from "../auth/authentication.js";
import type { Caller } from "../auth/caller.js";
import type { TokenStore } from "../auth/token-store.js";
import { resourceExhausted } from "../errors.js";
import { decompress, isSupportedEncoding } from "../http/decompress.js";
import { compressedFlag, joinEnvelopes } from "../http/envelope.js";
import { encodingHeader, protocolOf, type RequestProtocol } from "../http/protocol.js";
import { checkRequestMessage } from "../http/request-message-check.js";
import { toConnectError } from "../rpc/interceptors/error-mapping.js";

/** The request body as it arrives (IncomingMessage, Http2ServerRequest: Readable streams). */
export interface StreamSource {
  iterator(options: { destroyOnReturn: boolean }): AsyncIterableIterator<unknown>;
}

export interface StreamGuardInput {
  method: DescMethod;
  httpMethod: string;
  header: Headers;
  source: StreamSource;
  /** Aborted when the client went away: a read waiting for more of the body gives up then. */
  signal?: AbortSignal;
  /** A public service: no authentication. */
  isPublic: boolean;
  tokens: TokenStore;
  readMaxBytes: number;
}

export interface StreamGuardResult {
  /** The body connect-node gets: checked, uncompressed frames, read as it asks for them. */
  stream: AsyncIterable<Uint8Array>;
  header: Headers;
  caller?: Caller;
  /** An error to answer with, in the client's protocol (nothing is read then). */
  error?: ConnectError;
  query?: undefined;
}

/** Whether requests of `method` are a stream (its body cannot be read whole first). */
export function hasRequestStream(method: DescMethod): boolean {
  return method.methodKind === "bidi_streaming" || method.methodKind === "client_streaming";
}

export async function guardRequestStream(input: StreamGuardInput): Promise<StreamGuardResult> {
  const nothing = createAsyncIterable<Uint8Array>([]);
  const protocol = protocolOf(input.header.get("content-type"));
  // Not a request we understand (wrong method, unknown or unary content type): connect-node
  // answers it with its own checks (405, 415, …), reading nothing. (A bidi stream over HTTP/1.1
  // gets 505 from connect-node before it reads anything either.)
  if (!protocol || protocol.protocol === "connect" || input.httpMethod !== "POST") {
    return { stream: nothing, header: input.header };
  }
  const header = new Headers(input.header);
  header.delete("content-length");
  let caller: Caller | undefined;
  if (!input.isPublic) {
    try {
      caller = await authenticate(header.get("authorization"), input.tokens);
    } catch (e) {
      return { stream: nothing, header, error: toConnectError(e, "authenticate") };
    }
  }
  const encoding = header.get(encodingHeader(protocol.protocol))?.trim().toLowerCase() || "identity";
  // connect-node answers unimplemented for an unsupported compression, as the protocols require.
  if (!isSupportedEncoding(encoding)) return { stream: nothing, header: input.header, ...(caller ? { caller } : {}) };
  header.delete(encodingHeader(protocol.protocol));
  const stream = checkedFrames(input, protocol, encoding);
  return { stream, header, ...(caller ? { caller } : {}) };
}

/** The frames of the body, each checked and uncompressed; throws the client's error as a ConnectError. */
async function* checkedFrames(input: StreamGuardInput, protocol: RequestProtocol, encoding: string): AsyncGenerator<Uint8Array> {
  const max = input.readMaxBytes;
  const buffer = new FrameBuffer();
  // Stopping early (an error, or connect-node ends the call) must not destroy the request: the
  // answer still goes out on its stream.
  const chunks = input.source.iterator({ destroyOnReturn: false });
  const cutShort = () => new ConnectError("request stream cut short by the client", Code.Canceled);
  // Whatever the stream does once its client is gone, a read waiting for it ends.
  const gone = new Promise<never>((_, reject) => {
    if (input.signal?.aborted) reject(cutShort());
    input.signal?.addEventListener("abort", () => reject(cutShort()), { once: true });
  });
  gone.catch(() => undefined);
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await Promise.race([chunks.next(), gone]);
      } catch {
        // The request was reset or its connection closed before it ended (premature close).
        throw cutShort();
      }
      if (next.done) break;
      buffer.push(next.value as Uint8Array);
      for (let frame = buffer.take(max); frame; frame = buffer.take(max)) {
        if ((frame.flags & compressedFlag) !== 0 && encoding === "identity") {
          throw new ConnectError("message frame is flagged compressed but the request names no encoding", Code.InvalidArgument);
        }
        const data = (frame.flags & compressedFlag) !== 0 ? await decompress(encoding, frame.data, max) : frame.data;
        checkRequestMessage(protocol, input.method, data);
        yield joinEnvelopes([{ flags: 0, data }]);
      }
    }
  } finally {
    // Not awaited: a read still pending (the client went away) would hold it up.
    chunks.return?.().catch(() => undefined);
  }
  if (buffer.size > 0) throw new ConnectError(`incomplete message frame: ${buffer.size} bytes left at the end of the stream`, Code.InvalidArgument);
}

/** Bytes received and not yet split into frames; checks each frame header as soon as it is whole. */
class FrameBuffer {
  private chunks: Uint8Array[] = [];
  size = 0;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next whole frame, or undefined until more bytes arrive. Throws for a bad or oversized header. */
  take(max: number): { flags: number; data: Uint8Array } | undefined {
    if (this.size < 5) return undefined;
    const head = this.first(5);
    const flags = head[0]!;
    if ((flags & ~compressedFlag) !== 0) {
      throw new ConnectError(`message frame has unsupported flags 0x${flags.toString(16)}`, Code.InvalidArgument);
    }
    const length = new DataView(head.buffer, head.byteOffset, 5).getUint32(1);
    // Refused from its header: the rest of an oversized message is never read.
    if (length > max) throw resourceExhausted(`request message is larger than the limit of ${max} bytes`);
    if (this.size < 5 + length) return undefined;
    const frame = this.first(5 + length);
    const rest = this.chunks[0]!.subarray(5 + length);
    if (rest.length > 0) this.chunks[0] = rest;
    else this.chunks.shift();
    this.size -= 5 + length;
    return { flags, data: frame.subarray(5) };
  }

  /** The first n bytes (n ≤ size), joining chunks only when a frame spans them. */
  private first(n: number): Uint8Array {
    if (this.chunks[0]!.length < n) this.chunks = [new Uint8Array(Buffer.concat(this.chunks))];
    return this.chunks[0]!.subarray(0, n);
  }
}

