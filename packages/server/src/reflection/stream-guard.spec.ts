// The HTTP layer's guard for request streams (stream-guard.ts), on reflection, the one bidi RPC:
// full duplex, and the same limits as a whole body gets — per message size before and after
// decompression, strict frames, bytes that must decode — answered with the client's error in the
// stream's status, never internal, never a hang.
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { compressionGzip, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as v1 from "../gen/grpc/reflection/v1/reflection_pb.js";
import { readMaxBytes } from "../limits.js";
import { frame, grpcStatus, http1Request, http2Request } from "../test-support/raw-request.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";
import { guardRequestStream, type StreamSource } from "./stream-guard.js";
import { openReflectionStream } from "./test-fixtures.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const path = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const grpcHeaders = { "content-type": "application/grpc", te: "trailers" };
const listServices = Buffer.from(toBinary(v1.ServerReflectionRequestSchema, create(v1.ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } })));

/** The response messages of a gRPC response body. */
function responses(body: Buffer): v1.ServerReflectionResponse[] {
  const out: v1.ServerReflectionResponse[] = [];
  for (let offset = 0; offset + 5 <= body.length; ) {
    const length = body.readUInt32BE(offset + 1);
    out.push(fromBinary(v1.ServerReflectionResponseSchema, body.subarray(offset + 5, offset + 5 + length)));
    offset += 5 + length;
  }
  return out;
}

/**
 * Opens a gRPC stream, writes `bytes` without ending it, and resolves with the status once the
 * server ends the call — which it must do on its own.
 */
function grpcStatusWithoutEnd(bytes: Buffer, headers: Record<string, string> = {}): Promise<{ status: string | undefined; message: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(server.url);
    session.on("error", reject);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error("the server did not end the call"));
    }, 5_000);
    const stream = session.request({ ":method": "POST", ":path": path, ...grpcHeaders, ...headers });
    stream.on("data", () => undefined);
    stream.on("error", () => undefined);
    stream.on("trailers", (t: http2.IncomingHttpHeaders) => {
      clearTimeout(timer);
      resolve({ status: t["grpc-status"] as string | undefined, message: String(t["grpc-message"] ?? "") });
      session.destroy();
    });
    stream.write(bytes);
  });
}

describe("request streams: full duplex", () => {
  it("answers a request while the request stream is still open", async () => {
    const session = http2.connect(server.url);
    try {
      const stream = session.request({ ":method": "POST", ":path": path, ...grpcHeaders });
      const first = new Promise<Buffer>((resolve) => stream.once("data", (c: Buffer) => resolve(c)));
      stream.write(frame(listServices));
      const answer = responses(await first);
      expect(answer[0]?.messageResponse.case).toBe("listServicesResponse");
      stream.end(frame(listServices));
      const rest: Buffer[] = [];
      stream.on("data", (c: Buffer) => rest.push(c));
      await new Promise((resolve) => stream.once("close", resolve));
      expect(responses(Buffer.concat(rest)).map((r) => r.messageResponse.case)).toEqual(["listServicesResponse"]);
    } finally {
      session.close();
    }
  });
});

describe("request streams: a client that goes away", () => {
  it("may reset its stream after an answer; the server goes on serving", async () => {
    const session = http2.connect(server.url);
    try {
      const stream = session.request({ ":method": "POST", ":path": path, ...grpcHeaders });
      stream.on("error", () => undefined);
      const first = new Promise<Buffer>((resolve) => stream.once("data", (c: Buffer) => resolve(c)));
      stream.write(frame(listServices));
      expect(responses(await first)[0]?.messageResponse.case).toBe("listServicesResponse");
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise((resolve) => stream.once("close", resolve));
    } finally {
      session.close();
    }
    const res = await http2Request(server.url, path, grpcHeaders, frame(listServices));
    expect(grpcStatus(res)).toBe("0");
  });
});

describe("request streams: the guard's limits", () => {
  it("refuses a message larger than readMaxBytes from its frame header, without reading it", async () => {
    const head = frame(new Uint8Array(0), 0, readMaxBytes + 1);
    expect(await grpcStatusWithoutEnd(head)).toMatchObject({ status: "8", message: expect.stringContaining(`${readMaxBytes}`) });
  });

  it("refuses a message that decompresses beyond readMaxBytes (a compression bomb)", async () => {
    const bomb = gzipSync(Buffer.alloc(readMaxBytes + 1024));
    const res = await http2Request(server.url, path, { ...grpcHeaders, "grpc-encoding": "gzip" }, frame(bomb, 1));
    expect(grpcStatus(res)).toBe("8");
  });

  it("accepts gzip-compressed messages", async () => {
    const res = await http2Request(server.url, path, { ...grpcHeaders, "grpc-encoding": "gzip" }, Buffer.concat([frame(gzipSync(listServices), 1), frame(listServices)]));
    expect(grpcStatus(res)).toBe("0");
    expect(responses(res.body).map((r) => r.messageResponse.case)).toEqual(["listServicesResponse", "listServicesResponse"]);
  });

  it.each([
    ["gRPC", () => createGrpcTransport({ baseUrl: server.url, sendCompression: compressionGzip, compressMinBytes: 0 })],
    ["Connect", () => createConnectTransport({ baseUrl: server.url, httpVersion: "2", sendCompression: compressionGzip, compressMinBytes: 0 })],
  ])("accepts a %s client that compresses every request (gzip)", async (_, transport) => {
    const s = openReflectionStream(transport(), "v1");
    for (let i = 0; i < 2; i++) {
      expect((await s.ask({ messageRequest: { case: "fileContainingSymbol", value: "gitpod.v1.RunnerService" } })).messageResponse.case).toBe("fileDescriptorResponse");
    }
    await s.close();
  });

  it.each([
    ["bytes that are no ServerReflectionRequest", frame(Buffer.from([0xff, 0xff, 0xff]))],
    ["a frame cut short at the end of the stream", frame(listServices, 0, listServices.length + 10)],
    ["a frame with unknown flags", frame(listServices, 0x04)],
    ["a compressed frame without grpc-encoding", frame(gzipSync(listServices), 1)],
  ])("answers invalid_argument for %s", async (_, body) => {
    const res = await http2Request(server.url, path, grpcHeaders, body);
    expect(grpcStatus(res)).toBe("3");
    expect(String(res.trailers["grpc-message"] ?? "")).not.toMatch(/internal/);
  });

  it("answers the messages before a bad frame, then fails the stream", async () => {
    const res = await http2Request(server.url, path, grpcHeaders, Buffer.concat([frame(listServices), frame(Buffer.from([0xff]))]));
    expect(responses(res.body).map((r) => r.messageResponse.case)).toEqual(["listServicesResponse"]);
    expect(grpcStatus(res)).toBe("3");
  });

  it("answers unimplemented for an unsupported compression", async () => {
    const res = await http2Request(server.url, path, { ...grpcHeaders, "grpc-encoding": "zstd" }, frame(listServices));
    expect(grpcStatus(res)).toBe("12");
  });

  it("answers 505 for a bidi stream over HTTP/1.1, and closes the connection", async () => {
    const res = await http1Request(server.url + path, {
      headers: { "content-type": "application/connect+proto", "connect-protocol-version": "1" },
      body: frame(listServices),
    });
    expect(res.status).toBe(505);
    expect(res.headers.connection).toBe("close");
  });

  it("answers 415 for a unary content type on the bidi RPC", async () => {
    const res = await http2Request(server.url, path, { "content-type": "application/proto", "connect-protocol-version": "1" }, listServices);
    expect(res.status).toBe(415);
  });
});

describe("guardRequestStream", () => {
  const method = v1.ServerReflection.method.serverReflectionInfo;
  /** A request body arriving in the given chunks; counts how many were read. */
  function source(chunks: Buffer[]): StreamSource & { read: number } {
    const src = {
      read: 0,
      iterator: () =>
        (async function* () {
          for (const c of chunks) {
            await new Promise((resolve) => setImmediate(resolve)); // as a socket would, later
            src.read += 1;
            yield c;
          }
        })(),
    };
    return src;
  }
  const input = (src: StreamSource, isPublic: boolean, header: Record<string, string> = {}) => ({
    method,
    httpMethod: "POST",
    header: new Headers({ "content-type": "application/grpc", ...header }),
    source: src,
    isPublic,
    tokens: server.deps.tokens,
    readMaxBytes,
  });
  async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
    const out: Buffer[] = [];
    for await (const chunk of stream) out.push(Buffer.from(chunk));
    return Buffer.concat(out);
  }

  it("reassembles frames that arrive one byte at a time, and hands them on one by one", async () => {
    const body = Buffer.concat([frame(listServices), frame(listServices)]);
    const src = source([...body].map((b) => Buffer.from([b])));
    const guard = await guardRequestStream(input(src, true));
    expect(guard.error).toBeUndefined();
    expect(guard.caller).toBeUndefined();
    expect(await collect(guard.stream)).toEqual(body);
    expect(src.read).toBe(body.length);
  });

  it("reads nothing lazily ahead: only as far as the next whole frame", async () => {
    const src = source([frame(listServices), frame(listServices), frame(listServices)]);
    const guard = await guardRequestStream(input(src, true));
    const it = guard.stream[Symbol.asyncIterator]();
    await it.next();
    expect(src.read).toBe(1);
    await it.return?.();
  });

  it("authenticates a service that is not public before reading anything", async () => {
    const src = source([frame(listServices)]);
    const denied = await guardRequestStream(input(src, false));
    expect(denied.error?.code).toBe(16); // unauthenticated
    expect(await collect(denied.stream)).toHaveLength(0);
    expect(src.read).toBe(0);
    const allowed = await guardRequestStream(input(source([frame(listServices)]), false, { authorization: `Bearer ${testTokens.admin}` }));
    expect(allowed.error).toBeUndefined();
    expect(allowed.caller).toBeDefined();
  });

  it("gives up a read that waits for more of the body once the client went away (canceled)", async () => {
    const abort = new AbortController();
    const waiting: StreamSource = {
      iterator: () =>
        (async function* () {
          yield frame(listServices);
          await new Promise(() => undefined); // the body never goes on
        })(),
    };
    const guard = await guardRequestStream({ ...input(waiting, true), signal: abort.signal });
    const it = guard.stream[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const next = it.next();
    abort.abort();
    await expect(next).rejects.toMatchObject({ code: 1 }); // canceled
  });

  it("drops the encoding header once it decompressed the frames", async () => {
    const guard = await guardRequestStream(input(source([frame(gzipSync(listServices), 1)]), true, { "grpc-encoding": "gzip" }));
    expect(guard.header.get("grpc-encoding")).toBeNull();
    expect(await collect(guard.stream)).toEqual(frame(listServices));
  });
});
