// The response writer on real HTTP/1.1 and HTTP/2 servers: the head goes with the first body chunk
// (as connect-node's writer does) unless sendHeadersNow sent it earlier; chunks, trailers and the
// end follow either way; a client that goes away is reported to the body.
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeRequestHandler } from "./request-handler.js";
import { responseWriter, type ResponseWriter } from "./response-writer.js";

/** A body whose chunks the test releases one by one; records whether the writer let go of it. */
function controlledBody() {
  const waiting: ((chunk: IteratorResult<Uint8Array>) => void)[] = [];
  let released = false;
  const iterator: AsyncIterator<Uint8Array> = {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    return: (): Promise<IteratorResult<Uint8Array>> => {
      released = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return {
    body: { [Symbol.asyncIterator]: () => iterator },
    async send(text: string) {
      while (waiting.length === 0) await new Promise((r) => setTimeout(r, 1));
      waiting.shift()!({ done: false, value: new TextEncoder().encode(text) });
    },
    async finish() {
      while (waiting.length === 0) await new Promise((r) => setTimeout(r, 1));
      waiting.shift()!({ done: true, value: undefined });
    },
    released: () => released,
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Clients first: an HTTP/2 server closes only once its sessions are gone.
  for (const close of closers.splice(0).reverse()) await close();
});

/** A server of one kind whose handler the test provides; its base URL. */
async function serve(kind: "http1" | "http2", handler: NodeRequestHandler): Promise<string> {
  const server = kind === "http1" ? http.createServer(handler) : http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Seen {
  head: Promise<{ status: number; headers: Record<string, unknown> }>;
  body: Promise<string>;
  trailers: Promise<Record<string, unknown>>;
  abort(): void;
}

/** One request; the head, body and trailers as they arrive. */
function request(kind: "http1" | "http2", url: string): Seen {
  let head!: Seen["head"] extends Promise<infer T> ? (v: T) => void : never;
  let body!: (v: string) => void;
  let trailers!: (v: Record<string, unknown>) => void;
  const seen = {
    head: new Promise<{ status: number; headers: Record<string, unknown> }>((r) => (head = r)),
    body: new Promise<string>((r) => (body = r)),
    trailers: new Promise<Record<string, unknown>>((r) => (trailers = r)),
  };
  let text = "";
  if (kind === "http1") {
    const req = http.request(url, { method: "POST", agent: false }, (res) => {
      head({ status: res.statusCode ?? 0, headers: res.headers });
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        body(text);
        trailers(res.trailers);
      });
    });
    req.on("error", () => undefined);
    req.end();
    return { ...seen, abort: () => req.destroy() };
  }
  const session = http2.connect(url);
  session.on("error", () => undefined);
  closers.push(() => {
    session.destroy();
    return Promise.resolve();
  });
  const stream = session.request({ ":method": "POST", ":path": "/" });
  stream.on("response", (h) => head({ status: Number(h[":status"]), headers: h }));
  stream.on("trailers", (t: http2.IncomingHttpHeaders) => trailers(t));
  stream.on("data", (c: Buffer) => (text += c.toString()));
  stream.on("end", () => body(text));
  stream.on("error", () => undefined);
  stream.end();
  return { ...seen, abort: () => stream.close(http2.constants.NGHTTP2_CANCEL) };
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(["http1", "http2"] as const)("over %s", (kind) => {
  it("holds the head back until the first body chunk, so headers set until then are sent", async () => {
    const body = controlledBody();
    const header = new Headers({ "content-type": "text/plain" });
    const url = await serve(kind, (_req, res) => {
      const response: UniversalServerResponse = { status: 200, header, body: body.body, trailer: new Headers({ "x-end": "done" }) };
      void responseWriter(res).write(Promise.resolve(response));
    });
    const seen = request(kind, url);
    expect(await settlesWithin(seen.head, 50)).toBe(false);
    header.set("x-late", "set before the first chunk");
    await body.send("first;");
    const head = await seen.head;
    expect([head.status, head.headers["x-late"]]).toEqual([200, "set before the first chunk"]);
    await body.send("second");
    await body.finish();
    expect(await seen.body).toBe("first;second");
    if (kind === "http2") expect(await seen.trailers).toMatchObject({ "x-end": "done" });
  });

  it("sends the head at once on sendHeadersNow, and the chunks, trailers and end after it", async () => {
    const body = controlledBody();
    let writer!: ResponseWriter;
    let resolveResponse!: (r: UniversalServerResponse) => void;
    const url = await serve(kind, (_req, res) => {
      writer = responseWriter(res);
      // As connect-node's handlers do, the response resolves only once its first chunk is there.
      void writer.write(new Promise((r) => (resolveResponse = r)));
      writer.sendHeadersNow(new Headers({ "content-type": "application/connect+json" }));
    });
    const seen = request(kind, url);
    const head = await seen.head;
    expect([head.status, head.headers["content-type"]]).toEqual([200, "application/connect+json"]);
    // A second head is never written.
    writer.sendHeadersNow(new Headers({ "content-type": "text/plain" }));
    resolveResponse({ status: 200, header: new Headers({ "content-type": "application/connect+json" }), body: body.body, trailer: new Headers({ "x-end": "done" }) });
    await body.send("event");
    await body.finish();
    expect(await seen.body).toBe("event");
    if (kind === "http2") expect(await seen.trailers).toMatchObject({ "x-end": "done" });
  });

  it("lets go of the body when the client goes away mid-stream", async () => {
    const body = controlledBody();
    let finished!: Promise<unknown>;
    const url = await serve(kind, (_req, res) => {
      finished = responseWriter(res).write(Promise.resolve({ status: 200, header: new Headers(), body: body.body }));
      finished.catch(() => undefined);
    });
    const seen = request(kind, url);
    await body.send("one");
    await seen.head;
    seen.abort();
    // The next chunk finds the client gone.
    await new Promise((r) => setTimeout(r, 50));
    await body.send("two");
    await finished.then(
      () => undefined,
      () => undefined,
    );
    expect(body.released()).toBe(true);
  });
});
