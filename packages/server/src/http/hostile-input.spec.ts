// Every malformed request gets a client error — invalid_argument, resource_exhausted or the
// protocol's 4xx — never internal, never a stack trace, never a crash or a hang. Each case is a
// raw request over a real socket.
//
// The whole suite runs twice: on the unary fast path (http/unary-fast-path.ts, the default) and
// with every call through connect-node's handlers. Then the two runs' answers are compared one by
// one — status, headers, body and trailers must be identical (the differential test of the fast path).
import * as net from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMaxBytes } from "../limits.js";
import {
  frame,
  grpcStatus,
  grpcWebStatus,
  http1Request as sendHttp1Request,
  http2Request as sendHttp2Request,
  rawExchange as sendRawExchange,
  type RawResponse,
} from "../test-support/raw-request.js";
import { comparableExchange, type ComparableExchange } from "../test-support/comparable-exchange.js";
import { startTestServer, testTokens, type TestServer } from "../test-support/test-server.js";

const list = "/gitpod.v1.RunnerConfigurationService/ListEnvironmentClasses";
const auth = { authorization: `Bearer ${testTokens.admin}` };

interface ServedBy {
  name: string;
  fastPath: boolean;
  exchanges: ComparableExchange[];
  record(res: RawResponse & { comparable: ComparableExchange }): RawResponse;
  recordRaw(text: string): string;
}

function servedBy(name: string, fastPath: boolean): ServedBy {
  const exchanges: ComparableExchange[] = [];
  return {
    name,
    fastPath,
    exchanges,
    record(res) {
      exchanges.push(res.comparable);
      return res;
    },
    recordRaw(text) {
      // Raw answers: everything but the Date header.
      exchanges.push({ status: 0, headers: {}, trailers: {}, body: text.replace(/\r\ndate: [^\r]*/gi, "") });
      return text;
    },
  };
}

const runs = [servedBy("the unary fast path", true), servedBy("connect-node's handlers", false)];

for (const path of runs) describe(`served by ${path.name}`, () => {
  let server: TestServer;
  const bodies: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ unaryFastPath: path.fastPath });
  });
  afterAll(() => server.close());

  // Every answer of this run, in order, for the comparison of the two runs.
  const http1Request = async (...args: Parameters<typeof sendHttp1Request>) => path.record(comparableExchange(await sendHttp1Request(...args)));
  const http2Request = async (...args: Parameters<typeof sendHttp2Request>) => path.record(comparableExchange(await sendHttp2Request(...args)));
  const rawExchange = async (...args: Parameters<typeof sendRawExchange>) => path.recordRaw(await sendRawExchange(...args));


  async function connectPost(contentType: string, body: Buffer | string, extra: Record<string, string | number> = {}) {
    const res = await http1Request(server.url + list, {
      headers: { "content-type": contentType, "connect-protocol-version": "1", ...auth, ...extra },
      body,
    });
    bodies.push(res.body.toString("utf8"));
    return res;
  }

  function connectCode(res: RawResponse): string {
    return (JSON.parse(res.body.toString("utf8")) as { code: string }).code;
  }

  async function grpcPost(body: Buffer, extra: Record<string, string> = {}) {
    const res = await http2Request(server.url, list, { "content-type": "application/grpc", te: "trailers", ...auth, ...extra }, body);
    bodies.push(String(res.trailers["grpc-message"] ?? res.headers["grpc-message"] ?? ""));
    return res;
  }

  async function grpcWebPost(body: Buffer, extra: Record<string, string> = {}) {
    const res = await http1Request(server.url + list, {
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...auth, ...extra },
      body,
    });
    bodies.push(res.body.toString("utf8"));
    return res;
  }

  /** ListEnvironmentClassesRequest{ filter{ runner_ids: [<bytes>] } } built by hand. */
  function requestWithRunnerIdBytes(id: Buffer): Buffer {
    const inner = Buffer.concat([Buffer.from([0x0a, id.length]), id]);
    return Buffer.concat([Buffer.from([0x12, inner.length]), inner]);
  }

  describe("Connect requests", () => {
    it("answers malformed JSON with invalid_argument", async () => {
      const res = await connectPost("application/json", '{"pagination":');
      expect([res.status, connectCode(res)]).toEqual([400, "invalid_argument"]);
    });

    it("answers JSON with wrong field types with invalid_argument", async () => {
      const res = await connectPost("application/json", '{"pagination":{"pageSize":"many"}}');
      expect([res.status, connectCode(res)]).toEqual([400, "invalid_argument"]);
      const res2 = await connectPost("application/json", "[1,2]");
      expect([res2.status, connectCode(res2)]).toEqual([400, "invalid_argument"]);
    });

    it("answers bytes that are not the request message with invalid_argument, not internal", async () => {
      const res = await connectPost("application/proto", Buffer.from([0x12, 0xff, 0xff, 0xff]));
      expect([res.status, connectCode(res)]).toEqual([400, "invalid_argument"]);
    });

    it("answers invalid UTF-8 in a JSON body with invalid_argument", async () => {
      const body = Buffer.concat([Buffer.from('{"filter":{"runnerIds":["'), Buffer.from([0xc3, 0x28]), Buffer.from('"]}}')]);
      const res = await connectPost("application/json", body);
      expect([res.status, connectCode(res)]).toEqual([400, "invalid_argument"]);
    });

    it("answers invalid UTF-8 in a protobuf string field with invalid_argument", async () => {
      const res = await connectPost("application/proto", requestWithRunnerIdBytes(Buffer.from([0xff, 0xfe])));
      expect([res.status, connectCode(res)]).toEqual([400, "invalid_argument"]);
    });

    it("answers a body over the limit with resource_exhausted without reading it all", async () => {
      // Announces 64 MiB but sends 1 KiB: the answer must come from the header alone.
      const res = await http1Request(server.url + list, {
        headers: { "content-type": "application/json", "content-length": 64 * 1024 * 1024, ...auth },
        body: Buffer.alloc(1024, 0x20),
        timeoutMs: 5_000,
      });
      expect([res.status, connectCode(res)]).toEqual([429, "resource_exhausted"]);
    });

    it("answers a chunked body that grows over the limit with resource_exhausted", async () => {
      const res = await http1Request(server.url + list, {
        headers: { "content-type": "application/json", "transfer-encoding": "chunked", ...auth },
        body: Buffer.alloc(readMaxBytes + 1024, 0x20),
      });
      expect([res.status, connectCode(res)]).toEqual([429, "resource_exhausted"]);
    });

    it("answers a compression bomb with resource_exhausted", async () => {
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(readMaxBytes);
      const res = await connectPost("application/json", bomb, { "content-encoding": "gzip" });
      expect([res.status, connectCode(res)]).toEqual([429, "resource_exhausted"]);
    });

    it("answers corrupt or truncated gzip with invalid_argument", async () => {
      const good = gzipSync(Buffer.from("{}"));
      for (const body of [Buffer.from("not gzip at all"), good.subarray(0, good.length - 6)]) {
        const res = await connectPost("application/json", body, { "content-encoding": "gzip" });
        expect([res.status, connectCode(res)]).toEqual([400, "invalid_argument"]);
      }
    });

    it("accepts a gzip-compressed request", async () => {
      const res = await connectPost("application/json", gzipSync(Buffer.from("{}")), { "content-encoding": "gzip" });
      expect(res.status).toBe(200);
    });

    it("answers an unparseable connect-timeout-ms with invalid_argument", async () => {
      const res = await connectPost("application/json", "{}", { "connect-timeout-ms": "soon" });
      expect(res.status).toBe(400);
    });
  });

  describe("gRPC requests (h2c)", () => {
    it("answers a truncated frame with INVALID_ARGUMENT", async () => {
      expect(grpcStatus(await grpcPost(frame(Buffer.from([0x12, 0x00]), 0, 100)))).toBe("3");
      expect(grpcStatus(await grpcPost(Buffer.from([0x00, 0x00])))).toBe("3");
    });

    it("answers a frame with unknown flags with INVALID_ARGUMENT", async () => {
      expect(grpcStatus(await grpcPost(frame(Buffer.alloc(0), 0x80)))).toBe("3");
    });

    it("answers a compressed frame without a grpc-encoding with INVALID_ARGUMENT", async () => {
      expect(grpcStatus(await grpcPost(frame(gzipSync(Buffer.alloc(0)), 1)))).toBe("3");
    });

    it("answers bad protobuf bytes with INVALID_ARGUMENT, not INTERNAL", async () => {
      expect(grpcStatus(await grpcPost(frame(Buffer.from([0x12, 0xff, 0xff]))))).toBe("3");
      expect(grpcStatus(await grpcPost(frame(requestWithRunnerIdBytes(Buffer.from([0xff])))))).toBe("3");
    });

    it("answers a compressed bomb frame with RESOURCE_EXHAUSTED", async () => {
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024));
      expect(grpcStatus(await grpcPost(frame(bomb, 1), { "grpc-encoding": "gzip" }))).toBe("8");
    });

    it("answers frames adding up to more than the limit with RESOURCE_EXHAUSTED", async () => {
      expect(grpcStatus(await grpcPost(frame(Buffer.alloc(readMaxBytes + 10))))).toBe("8");
    });

    it("answers two messages for a unary RPC, or none, with INVALID_ARGUMENT", async () => {
      expect(grpcStatus(await grpcPost(Buffer.concat([frame(Buffer.alloc(0)), frame(Buffer.alloc(0))])))).toBe("3");
      expect(grpcStatus(await grpcPost(Buffer.alloc(0)))).toBe("3");
    });

    it("serves a well-formed gzip-compressed frame", async () => {
      expect(grpcStatus(await grpcPost(frame(gzipSync(Buffer.alloc(0)), 1), { "grpc-encoding": "gzip" }))).toBe("0");
    });
  });

  describe("gRPC-web requests", () => {
    it("answers a truncated frame with INVALID_ARGUMENT", async () => {
      const res = await grpcWebPost(frame(Buffer.from([0x12]), 0, 50));
      expect(res.status).toBe(200);
      expect(grpcWebStatus(res).status).toBe("3");
    });

    it("answers bad protobuf bytes with INVALID_ARGUMENT", async () => {
      expect(grpcWebStatus(await grpcWebPost(frame(Buffer.from([0xff, 0xff])))).status).toBe("3");
    });
  });

  describe("odd HTTP", () => {
    it("serves an HTTP/1.0 POST without Host instead of crashing", async () => {
      const unauthenticated = await rawExchange(
        server.port,
        `POST ${list} HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
      );
      expect(unauthenticated).toMatch(/^HTTP\/1\.1 401 /);
      const ok = await rawExchange(
        server.port,
        `POST ${list} HTTP/1.0\r\ncontent-type: application/json\r\nauthorization: Bearer ${testTokens.admin}\r\ncontent-length: 2\r\n\r\n{}`,
      );
      expect(ok).toMatch(/^HTTP\/1\.1 200 /);
      expect(ok).toContain(server.bootstrap.environmentClassId);
    });

    it("answers an HTTP/1.1 request without Host with 400", async () => {
      const res = await rawExchange(server.port, `POST ${list} HTTP/1.1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`);
      expect(res).toMatch(/^HTTP\/1\.1 400 /);
    });

    it("answers wrong methods with 405", async () => {
      // A create has side effects: no Connect GET (read RPCs allow it: connect-get.spec.ts).
      const create = "/gitpod.v1.EnvironmentService/CreateEnvironment";
      for (const method of ["GET", "PUT", "DELETE"]) {
        const res = await http1Request(server.url + create, { method, headers: { ...auth } });
        expect(res.status, method).toBe(405);
      }
      for (const method of ["PUT", "DELETE"]) {
        const res = await http1Request(server.url + list, { method, headers: { ...auth } });
        expect(res.status, method).toBe(405);
      }
    });

    it("answers an unsupported content type with 415", async () => {
      const res = await http1Request(server.url + list, {
        headers: { "content-type": "text/plain", "connect-protocol-version": "1", ...auth },
        body: "{}",
      });
      expect(res.status).toBe(415);
    });

    it("answers garbage on the socket with 400 and closes it", async () => {
      expect(await rawExchange(server.port, "\x00\x01\x02 hello\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
      expect(await rawExchange(server.port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nthis is not a settings frame", 5_000)).toBeDefined();
    });

    it("closes a connection that sends half an HTTP/2 preface and then stops, once the client gives up", async () => {
      await expect(rawExchange(server.port, "PRI * HTTP", 500)).rejects.toThrow(/no close within/);
    });
  });

  describe("after all that", () => {
    it("never sent a stack trace or an internal error", () => {
      expect(bodies.length).toBeGreaterThan(20);
      for (const b of bodies) {
        expect(b).not.toMatch(/\n\s+at /);
        expect(b).not.toMatch(/internal/);
      }
    });

    it("is still up and serving", async () => {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const res = await connectPost("application/json", "{}");
      expect(res.status).toBe(200);
    });
  });
});

describe("the fast path against connect-node", () => {
  it("answers every request of the suite exactly as connect-node does: status, headers, body, trailers", () => {
    const [fast, stock] = runs.map((r) => r.exchanges);
    expect(fast!.length).toBeGreaterThan(30);
    expect(fast).toEqual(stock);
  });
});

describe("a client that goes away mid-body", () => {
  it("never lets the handler run on a truncated body", async () => {
    let calls = 0;
    const counting = await startTestServer({
      interceptors: [(next) => (req) => ((calls += 1), next(req))],
    });
    await new Promise<void>((resolve) => {
      const s = net.connect(counting.port, "127.0.0.1", () => {
        // A ListEnvironmentClassesRequest prefix that is itself a valid (empty) message.
        s.write(
          `POST ${list} HTTP/1.1\r\nhost: x\r\ncontent-type: application/proto\r\nauthorization: Bearer ${testTokens.admin}\r\ncontent-length: 100\r\n\r\n`,
        );
        setTimeout(() => s.destroy(), 100);
      });
      s.on("close", () => resolve());
      s.on("error", () => undefined);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(0);
    expect((await fetch(`${counting.url}/healthz`)).status).toBe(200);
    await counting.close();
  });
});
