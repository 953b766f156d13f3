// Memory per idle WatchEvents stream, measured: a server process (stream-server.mjs) is asked for
// its heap and RSS (after GC) with no stream, then with N idle streams open (gRPC over HTTP/2, at
// most 250 per session), and the difference is divided by N. Prints one table; asserts nothing.
//   node packages/server/bench/idle-streams.mjs [N=2000]     (after `pnpm build`)
import { fork } from "node:child_process";
import { setMaxListeners } from "node:events";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";

const n = Number(process.argv[2] ?? 2000);
const perSession = 250;
const child = fork(fileURLToPath(new URL("./stream-server.mjs", import.meta.url)), { execArgv: ["--expose-gc"] });
const replies = [];
let wake;
child.on("message", (m) => {
  replies.push(m);
  wake?.();
});
const reply = async () => {
  while (replies.length === 0) await new Promise((r) => (wake = r));
  return replies.shift();
};
const measure = async () => {
  child.send("measure");
  return (await reply()).measured;
};

const { url } = await reply();
const auth = (next) => (req) => {
  req.header.set("authorization", "Bearer bench-token");
  return next(req);
};
const clients = Array.from({ length: Math.ceil(n / perSession) }, () => createClient(EventService, createGrpcTransport({ baseUrl: url, interceptors: [auth] })));
// One warm-up stream (on a session of its own), so that code loaded on first use is not counted.
const warmup = new AbortController();
const warmupClient = createClient(EventService, createGrpcTransport({ baseUrl: url, interceptors: [auth] }));
void warmupClient.watchEvents({ scope: { case: "organization", value: true } }, { signal: warmup.signal })[Symbol.asyncIterator]().next().catch(() => undefined);
while ((await measure()).subscriptions < 1) await new Promise((r) => setTimeout(r, 20));

const before = await measure();
const abort = new AbortController();
setMaxListeners(n + 10, abort.signal); // one listener per call on this client-side signal
for (let i = 0; i < n; i++) {
  void clients[i % clients.length].watchEvents({ scope: { case: "organization", value: true } }, { signal: abort.signal })[Symbol.asyncIterator]().next().catch(() => undefined);
}
let after = await measure();
while (after.subscriptions < n + 1) {
  await new Promise((r) => setTimeout(r, 50));
  after = await measure();
}
await new Promise((r) => setTimeout(r, 500));
after = await measure();

const kib = (bytes) => (bytes / 1024).toFixed(1);
console.log(`idle WatchEvents streams: ${n} (gRPC, ${clients.length} HTTP/2 sessions), Node ${process.version}`);
console.log("| | no streams | with streams | per stream |");
console.log("| --- | ---: | ---: | ---: |");
for (const key of ["heapUsed", "rss"]) {
  console.log(`| ${key} | ${kib(before[key])} KiB | ${kib(after[key])} KiB | ${kib((after[key] - before[key]) / n)} KiB |`);
}
abort.abort();
warmup.abort();
child.send("stop");
await new Promise((r) => child.once("exit", r));
