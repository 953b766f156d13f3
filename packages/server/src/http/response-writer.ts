// Writes connect-node's answer (a UniversalServerResponse) to the Node response, as connect-node's
// universalResponseToNodeResponse does — the head goes with the first body chunk, so a handler may
// set headers until then; chunks are written with backpressure; then trailers, then the end — with
// one addition: a server stream may send its head before its first message (rpc/early-headers.ts),
// so that a client learns its stream is live while nothing has been sent yet; and grpc-message in
// the spec's encoding (grpc-message.ts).
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { SendHeaders } from "../rpc/early-headers.js";
import { specEncodedGrpcMessage } from "./grpc-message.js";
import type { NodeResponse } from "./request-handler.js";

export interface ResponseWriter {
  /**
   * Writes the head now, status 200 (every streaming protocol answers 200 once the handler runs:
   * errors go into trailers or the body) and flushes it. Nothing once a head is written.
   */
  sendHeadersNow: SendHeaders;
  /** Writes the response the handler resolves with; resolves when it is finished or the client went away. */
  write(pending: Promise<UniversalServerResponse>): Promise<void>;
  /** Writes a complete answer (the unary fast path's) as write() writes a one-chunk response. */
  writeComplete(answer: { status: number; header: Headers; body: Uint8Array; trailer?: Headers }): Promise<void>;
}

export function responseWriter(res: NodeResponse): ResponseWriter {
  let headWritten = false;
  const writeHead = (status: number, header: Headers | undefined) => {
    if (headWritten) return;
    headWritten = true;
    res.writeHead(status, header ? nodeHeaders(header) : {});
  };
  // A failed write is reported through write()'s callback or "close"; an "error" event on top of
  // it must not become an uncaught exception.
  res.on("error", () => undefined);

  return {
    sendHeadersNow(header) {
      if (headWritten || isClosed(res)) return;
      try {
        writeHead(200, header);
        // HTTP/1 holds the head back until the first write; Http2ServerResponse sends it with
        // writeHead already, and has flushHeaders too, though its type does not say so.
        (res as { flushHeaders?: () => void }).flushHeaders?.();
      } catch {
        // The client went away meanwhile; the stream's abort signal ends the handler.
      }
    },

    async writeComplete(answer) {
      writeHead(answer.status, answer.header);
      // A gRPC answer without a message (an error) has no body chunk, as connect-node's has none.
      if (answer.body.byteLength > 0 || !answer.trailer) await writeChunk(res, answer.body);
      if (answer.trailer) res.addTrailers(nodeHeaders(answer.trailer));
      await end(res);
    },

    async write(pending) {
      const response = await pending;
      const it = response.body?.[Symbol.asyncIterator]();
      let writing = false;
      try {
        if (it) {
          for (let chunk = await it.next(); chunk.done !== true; chunk = await it.next()) {
            writing = true;
            writeHead(response.status, response.header);
            await writeChunk(res, chunk.value);
            writing = false;
          }
        }
        writeHead(response.status, response.header);
        if (response.trailer) res.addTrailers(nodeHeaders(response.trailer));
        await end(res);
      } catch (e) {
        // Tell the handler its stream broke (connect-node aborts the handler context).
        if (writing) it?.throw?.(e).catch(() => undefined);
        throw e;
      } finally {
        it?.return?.().catch(() => undefined);
      }
    },
  };
}

/** Web headers as Node headers (repeated names joined, as Headers does); grpc-message as the gRPC spec encodes it. */
function nodeHeaders(header: Headers): Record<string, string> {
  const headers = Object.fromEntries(header);
  const message = headers["grpc-message"];
  if (message !== undefined) headers["grpc-message"] = specEncodedGrpcMessage(message);
  return headers;
}

/** Writes one chunk; resolves at once, or once the response drained; rejects when the write fails or the client went away. */
function writeChunk(res: NodeResponse, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (isClosed(res)) return reject(new Error("the client went away"));
    const settle = (error?: Error | null) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error("the client went away"));
    res.once("drain", onDrain);
    res.once("close", onClose);
    // The two response types have write() overloads TypeScript cannot unite.
    const flushed = (res as { write(data: Uint8Array, cb: (error?: Error | null) => void): boolean }).write(data, (error) => {
      if (error) settle(error);
    });
    if (flushed) settle();
  });
}

/** Ends the response; resolves when it is finished, or when the connection closed first. */
function end(res: NodeResponse): Promise<void> {
  return new Promise((resolve) => {
    if (isClosed(res)) return resolve();
    res.once("finish", resolve);
    res.once("close", resolve);
    res.end();
  });
}

/** Whether the connection or stream under the response is gone (Http2ServerResponse has no `destroyed`). */
function isClosed(res: NodeResponse): boolean {
  return "stream" in res ? res.stream.destroyed : res.destroyed;
}
