// Table 1: requests/s, latency and server CPU per request for three RPCs over four protocols,
// against our server, the limit (bare node:http / node:http2 answering the same bytes) and a stock
// connect-node echo of the same response messages. See README.md.
import * as http from "node:http";
import * as http2 from "node:http2";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EnvironmentService, GetEnvironmentRequestSchema, ListEnvironmentsRequestSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService, ListServicesRequestSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { apiKey, envNumber, fixed, printTable, spawnNodeChild, verdict } from "./common.mjs";
import { grpcFrame, grpcLoad } from "./grpc-load.mjs";

const serverScript = fileURLToPath(new URL("throughput-server.mjs", import.meta.url));
const durationS = envNumber("BENCH_DURATION_S", 10);
const warmupS = envNumber("BENCH_WARMUP_S", 2);
const connections = 50;
const environmentCount = 60; // ListEnvironments returns a full page of 50
const serviceCount = 25; // ListServices returns them all on its default page of 25

const protocols = [
  { name: "Connect JSON", h2: false, contentType: "application/json", headers: { "connect-protocol-version": "1" }, body: (s, m) => Buffer.from(toJsonString(s, m)) },
  { name: "Connect binary", h2: false, contentType: "application/proto", headers: { "connect-protocol-version": "1" }, body: (s, m) => Buffer.from(toBinary(s, m)) },
  { name: "gRPC-web", h2: false, contentType: "application/grpc-web+proto", headers: { "x-grpc-web": "1" }, body: (s, m) => grpcFrame(toBinary(s, m)) },
  { name: "gRPC", h2: true, contentType: "application/grpc", headers: {}, body: (s, m) => grpcFrame(toBinary(s, m)) },
];
const servers = ["bare", "echo", "oursStock", "ours"];
const serverLabel = {
  bare: "limit: bare node:http",
  echo: "stock connect-node echo",
  oursStock: "ours, via connect-node (unaryFastPath: false)",
  ours: "ours (startServer, fast path)",
};
const hopHeaders = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

/** The environments and services the RPCs read, created through the API of our server. */
async function populate(url, environmentClassId) {
  const transport = createConnectTransport({
    baseUrl: url,
    httpVersion: "1.1",
    interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${apiKey}`), next(req))],
  });
  const environments = createClient(EnvironmentService, transport);
  const automations = createClient(EnvironmentAutomationService, transport);
  const ids = [];
  for (let i = 0; i < environmentCount; i++) {
    const { environment } = await environments.createEnvironment({
      spec: {
        machine: { class: environmentClassId },
        content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: "https://github.com/gitpod-io/gitpod/tree/main" } } }] } },
      },
    });
    ids.push(environment.id);
  }
  for (let i = 0; i < serviceCount; i++) {
    await automations.createService({
      environmentId: ids[0],
      metadata: { reference: `service-${i}`, name: `Service ${i}`, description: "a long-running process of the environment" },
      spec: { commands: { start: "npm run dev", ready: "curl -fs localhost:3000" } },
    });
  }
  return ids;
}

/** POSTs once over HTTP/1.1 and returns what came back (to replay it). */
function captureHttp1(url, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: "POST", headers: { ...headers, "content-length": body.length } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const kept = Object.fromEntries(Object.entries(res.headers).filter(([k]) => !hopHeaders.has(k)));
        resolve({ status: res.statusCode, headers: kept, body: Buffer.concat(chunks) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** One gRPC call over h2c; returns headers, body and trailers (to replay them). */
function captureH2(url, path, headers, body) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": path, te: "trailers", ...headers });
    let response;
    let trailers = {};
    const chunks = [];
    stream.on("response", (h) => (response = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c) => chunks.push(c));
    stream.on("close", () => {
      session.close();
      const kept = Object.fromEntries(Object.entries(response ?? {}).filter(([k]) => !k.startsWith(":") && !hopHeaders.has(k)));
      const t = Object.fromEntries(Object.entries(trailers).filter(([k]) => !k.startsWith(":")));
      resolve({ status: response?.[":status"], headers: kept, body: Buffer.concat(chunks), trailers: t });
    });
    stream.end(body);
  });
}

/** Whether a captured answer is a success of its protocol. */
function succeeded(protocol, r) {
  if (r.status !== 200) return false;
  if (protocol.name === "gRPC") return r.trailers["grpc-status"] === "0";
  if (protocol.name === "gRPC-web") return /grpc-status:\s*0\r\n/.test(r.body.subarray(-64).toString("latin1"));
  return true;
}

async function load(protocol, base, path, headers, body, seconds) {
  if (protocol.h2) {
    const r = await grpcLoad({ url: base, path, headers, body, durationMs: seconds * 1000, concurrency: connections });
    return { requests: r.completed, errors: r.errors, seconds: r.seconds, p50: r.p50, p99: r.p99, generator: "own node:http2 (5 sessions × 10 streams)" };
  }
  const r = await autocannon({ url: `${base}${path}`, method: "POST", headers, body, connections, duration: seconds });
  return {
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    generator: `autocannon (${connections} connections)`,
  };
}

export async function throughputTable() {
  console.log(`\n## 1. Throughput: ${durationS} s per case after ${warmupS} s warm-up, ${connections} connections / concurrent streams\n`);
  const ours = spawnNodeChild(serverScript);
  const children = { ours };
  try {
    const oursUrls = await ours.ask({ type: "start", kind: "ours" }, "ready");
    const ids = await populate(oursUrls.http1, oursUrls.environmentClassId);
    const auth = { authorization: `Bearer ${apiKey}` };
    const rpcs = [
      { name: "GetEnvironment", path: "/gitpod.v1.EnvironmentService/GetEnvironment", schema: GetEnvironmentRequestSchema, message: { environmentId: ids[0] } },
      { name: "ListEnvironments", path: "/gitpod.v1.EnvironmentService/ListEnvironments", schema: ListEnvironmentsRequestSchema, message: { pagination: { pageSize: 50 } } },
      { name: "ListServices", path: "/gitpod.v1.EnvironmentAutomationService/ListServices", schema: ListServicesRequestSchema, message: { pagination: { pageSize: 25 } } },
    ];
    const cases = [];
    const responses = {};
    const messages = {};
    for (const rpc of rpcs) {
      for (const protocol of protocols) {
        const headers = { "content-type": protocol.contentType, ...protocol.headers, ...auth };
        const body = protocol.body(rpc.schema, create(rpc.schema, rpc.message));
        const captured = await (protocol.h2 ? captureH2 : captureHttp1)(oursUrls.http1, rpc.path, headers, body);
        if (!succeeded(protocol, captured)) throw new Error(`${rpc.name} over ${protocol.name} failed on our server: ${captured.status} ${captured.body.toString().slice(0, 300)}`);
        responses[`${rpc.path} ${protocol.contentType}`] = captured;
        if (protocol.name === "Connect binary") messages[rpc.name] = captured.body;
        cases.push({ rpc, protocol, headers, body, responseBytes: captured.body.length });
      }
    }
    children.bare = spawnNodeChild(serverScript);
    children.echo = spawnNodeChild(serverScript);
    children.oursStock = spawnNodeChild(serverScript);
    const oursStockUrls = await children.oursStock.ask({ type: "start", kind: "ours", unaryFastPath: false }, "ready");
    const stockIds = await populate(oursStockUrls.http1, oursStockUrls.environmentClassId);
    if (stockIds.join() !== ids.join()) throw new Error("the two servers of ours hold different environments");
    const urls = {
      ours: oursUrls,
      oursStock: oursStockUrls,
      bare: await children.bare.ask({ type: "start", kind: "bare", responses }, "ready"),
      echo: await children.echo.ask({ type: "start", kind: "echo", messages }, "ready"),
    };

    const rows = [];
    const results = new Map();
    for (const c of cases) {
      for (const server of servers) {
        const base = c.protocol.h2 ? urls[server].h2 : urls[server].http1;
        if (warmupS > 0) await load(c.protocol, base, c.rpc.path, c.headers, c.body, warmupS);
        const before = await children[server].cpuMicros();
        const r = await load(c.protocol, base, c.rpc.path, c.headers, c.body, durationS);
        const cpu = (await children[server].cpuMicros()) - before;
        const result = { ...r, rps: r.requests / r.seconds, cpuPerRequest: cpu / Math.max(1, r.requests) };
        results.set(`${c.rpc.name}|${c.protocol.name}|${server}`, result);
        const limit = results.get(`${c.rpc.name}|${c.protocol.name}|bare`);
        rows.push([
          c.rpc.name,
          c.protocol.name,
          serverLabel[server],
          fixed(result.rps, 0),
          fixed(result.p50, 2),
          fixed(result.p99, 2),
          fixed(result.cpuPerRequest, 0),
          `${fixed(result.rps / limit.rps, 2)}×`,
          String(result.errors),
          r.generator,
        ]);
        console.error(`  ${c.rpc.name} ${c.protocol.name} ${server}: ${fixed(result.rps, 0)} req/s, ${fixed(result.cpuPerRequest, 0)} µs CPU/req`);
      }
    }
    console.log(`Response sizes (bytes, Connect binary): ${rpcs.map((r) => `${r.name} ${messages[r.name].length}`).join(", ")}\n`);
    printTable(
      [["RPC", "l"], ["protocol", "l"], ["server", "l"], ["req/s", "r"], ["p50 ms", "r"], ["p99 ms", "r"], ["CPU µs/req", "r"], ["× limit", "r"], ["errors", "r"], ["load generator", "l"]],
      rows,
    );

    console.log("\nGoals of issue 14 (printed, never asserted):\n");
    const goalRows = [];
    for (const rpc of rpcs) {
      const get = (protocol, server) => results.get(`${rpc.name}|${protocol}|${server}`);
      const json = get("Connect JSON", "ours");
      const limitRatio = json.rps / get("Connect JSON", "bare").rps;
      const echoCpu = json.cpuPerRequest / get("Connect JSON", "echo").cpuPerRequest;
      const web = get("gRPC-web", "ours").rps / get("Connect binary", "ours").rps;
      const binary = get("Connect binary", "ours").rps / json.rps;
      goalRows.push(
        [rpc.name, "Connect JSON req/s ≥ 0.30× the limit", `${fixed(limitRatio, 2)}×`, verdict(limitRatio >= 0.3)],
        [rpc.name, "Connect JSON CPU/req ≤ 1.0× the stock echo", `${fixed(echoCpu, 2)}×`, verdict(echoCpu <= 1)],
        [rpc.name, "gRPC-web req/s ≥ 0.9× Connect binary", `${fixed(web, 2)}×`, verdict(web >= 0.9)],
        [rpc.name, "Connect binary req/s ≥ Connect JSON", `${fixed(binary, 2)}×`, verdict(binary >= 1)],
      );
      // What the fast path saves, per protocol: ours via connect-node's handlers over ours on the fast path.
      for (const protocol of protocols) {
        const stock = get(protocol.name, "oursStock");
        const fast = get(protocol.name, "ours");
        goalRows.push([rpc.name, `${protocol.name}: fast path req/s and CPU/req vs via connect-node`, `${fixed(fast.rps / stock.rps, 2)}× req/s, ${fixed(fast.cpuPerRequest / stock.cpuPerRequest, 2)}× CPU`, "(figure)"]);
      }
    }
    printTable([["RPC", "l"], ["goal", "l"], ["now", "r"], ["", "l"]], goalRows);
  } finally {
    await Promise.all(Object.values(children).map((c) => c.stop()));
  }
}
