// The server side of idle-streams.mjs: a reference server in a process of its own (started with
// --expose-gc), answering the parent's questions about its memory and its open subscriptions.
import { startServer } from "../dist/index.js";

const server = await startServer({ port: 0, apiKey: "bench-token" });
const measure = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, subscriptions: server.deps.events.subscriptions };
};
process.on("message", async (msg) => {
  if (msg === "measure") process.send({ measured: measure() });
  if (msg === "stop") {
    await server.close();
    process.exit(0);
  }
});
process.send({ url: server.url });
