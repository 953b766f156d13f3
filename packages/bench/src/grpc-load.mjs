// Our own load generator for gRPC (HTTP/2, h2c): autocannon speaks only HTTP/1.1. `concurrency`
// streams in flight at all times, spread over `sessions` HTTP/2 connections; each stream is one
// unary call (a 5-byte-prefixed message, content-type application/grpc, te: trailers) and counts
// as an error unless the answer is :status 200 with grpc-status 0 in its trailers. Reports what
// autocannon reports: completed calls, errors, latency p50/p99 (ms), over the given duration.
import * as http2 from "node:http2";
import { percentile } from "./common.mjs";

/** The gRPC framing of one uncompressed message. */
export function grpcFrame(message) {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

export async function grpcLoad({ url, path, headers, body, durationMs, concurrency = 50, sessions = 5 }) {
  const clients = await Promise.all(
    Array.from({ length: sessions }, () => {
      const s = http2.connect(url);
      return new Promise((resolve, reject) => s.once("connect", () => resolve(s)).once("error", reject));
    }),
  );
  const requestHeaders = { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers };
  const latencies = [];
  let errors = 0;
  let completed = 0;
  const deadline = performance.now() + durationMs;

  const call = (session) =>
    new Promise((resolve) => {
      const started = performance.now();
      let ok = false;
      const stream = session.request(requestHeaders);
      stream.on("response", (h) => (ok = h[":status"] === 200 && (h["grpc-status"] === undefined || h["grpc-status"] === "0")));
      stream.on("trailers", (t) => (ok = ok && t["grpc-status"] === "0"));
      stream.on("data", () => undefined);
      stream.on("error", () => (ok = false));
      stream.on("close", () => {
        latencies.push(performance.now() - started);
        if (ok) completed++;
        else errors++;
        resolve();
      });
      stream.end(body);
    });

  const worker = async (session) => {
    while (performance.now() < deadline) await call(session);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(clients[i % sessions])));
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  return { completed, errors, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
