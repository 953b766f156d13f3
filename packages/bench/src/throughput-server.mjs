// The server child of the throughput table, started as `node throughput-server.mjs`, told what to
// be by one IPC message:
//   { type: "start", kind: "ours", unaryFastPath? } — startServer() of @gitpod-connect/server:
//                                       in-memory store, a fixed API key, sequential ids, the
//                                       simulated runner standing still; unaryFastPath false sends
//                                       every call through connect-node's handlers;
//   { type: "start", kind: "bare", responses } — the limit: node:http (HTTP/1.1) and node:http2
//                                       (h2c) servers answering every request on a path and
//                                       content type with the bytes captured from ours;
//   { type: "start", kind: "echo", messages } — stock connect-node 2.1.2: connectNodeAdapter with
//                                       handlers that return the captured response messages
//                                       (no auth, store or validation), on node:http and node:http2.
// It answers { type: "ready", http1, h2 } (base URLs) and the parent's "cpu" questions.
import * as http from "node:http";
import * as http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { EnvironmentService, GetEnvironmentResponseSchema, ListEnvironmentsResponseSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService, ListServicesResponseSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { apiKey, serveChildControl, stepDelayMs } from "./common.mjs";

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)));

async function startOurs(unaryFastPath) {
  const { sequentialIds, startServer } = await import("@gitpod-connect/server");
  // Sequential ids: both of our servers (fast path on and off) then hold the same environments.
  const server = await startServer({ port: 0, apiKey, stepDelayMs, store: { kind: "memory" }, ids: sequentialIds(), unaryFastPath });
  return { http1: server.url, h2: server.url, environmentClassId: server.bootstrap.environmentClassId };
}

/** responses: { "<path> <content-type>": { status, headers, body, trailers? } } */
async function startBare(responses) {
  const lookup = (path, contentType) => responses[`${path} ${contentType}`];
  const h1 = http.createServer((req, res) => {
    const r = lookup(req.url, req.headers["content-type"]);
    req.on("data", () => undefined);
    req.on("end", () => {
      if (!r) return res.writeHead(404).end();
      res.writeHead(r.status, { ...r.headers, "content-length": r.body.length });
      res.end(r.body);
    });
  });
  const h2 = http2.createServer();
  h2.on("stream", (stream, headers) => {
    const r = lookup(headers[":path"], headers["content-type"]);
    stream.on("data", () => undefined);
    stream.on("end", () => {
      if (!r) return stream.respond({ ":status": 404 }, { endStream: true });
      stream.respond({ ":status": r.status, ...r.headers }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers(r.trailers));
      stream.end(r.body);
    });
  });
  return { http1: await listen(h1), h2: await listen(h2) };
}

async function startEcho(messages) {
  const getEnvironment = fromBinary(GetEnvironmentResponseSchema, messages.GetEnvironment);
  const listEnvironments = fromBinary(ListEnvironmentsResponseSchema, messages.ListEnvironments);
  const listServices = fromBinary(ListServicesResponseSchema, messages.ListServices);
  const adapter = connectNodeAdapter({
    routes(router) {
      router.service(EnvironmentService, { getEnvironment: () => getEnvironment, listEnvironments: () => listEnvironments });
      router.service(EnvironmentAutomationService, { listServices: () => listServices });
    },
  });
  return { http1: await listen(http.createServer(adapter)), h2: await listen(http2.createServer(adapter)) };
}

serveChildControl(async (m) => {
  if (m.type !== "start") return;
  const urls = m.kind === "ours" ? await startOurs(m.unaryFastPath !== false) : m.kind === "bare" ? await startBare(m.responses) : await startEcho(m.messages);
  process.send({ type: "ready", ...urls });
});
