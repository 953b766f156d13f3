// Table 2: ListEnvironments latency (page of 100, with and without a filter) by number of stored
// environments and store; heap per stored environment (memory store); start-up of the CLI and of
// the embedded server. See README.md.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { createTemplateEnvironment, prepareStore, seedSql, startCliServer, startPostgresCluster } from "../../server/bench/store-list.mjs";
import { apiKey, envList, envNumber, fixed, median, percentile, printTable, serverCli, serverLauncher, sizeLabel, spawnNodeChild, verdict } from "./common.mjs";
import { callIdentity } from "./startup-call.mjs";

const childScript = fileURLToPath(new URL("scaling-server.mjs", import.meta.url));
const sizes = envList("BENCH_SIZES", "1000,10000,100000,1000000").map(Number);
const stores = envList("BENCH_STORES", "memory,pglite,postgres");
const calls = envNumber("BENCH_CALLS", 200);
const starts = envNumber("BENCH_STARTS", 5);
const pageSize = 100;

function environmentClient(url) {
  const transport = createConnectTransport({
    baseUrl: url,
    httpVersion: "1.1",
    interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${apiKey}`), next(req))],
  });
  return createClient(EnvironmentService, transport);
}

/** `calls` sequential first pages of 100, without and with a filter (the runner every copy runs on). */
async function measureLists(envs, count, runnerId) {
  const out = {};
  for (const [label, filter] of [["no filter", undefined], ["runner_ids filter", { runnerIds: [runnerId] }]]) {
    const request = { pagination: { pageSize }, ...(filter ? { filter } : {}) };
    for (let i = 0; i < 20; i++) await envs.listEnvironments(request); // warm-up
    const ms = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      const r = await envs.listEnvironments(request);
      ms.push(performance.now() - t);
      if (r.environments.length !== Math.min(pageSize, count)) throw new Error(`a page of ${pageSize} held ${r.environments.length} of ${count}`);
    }
    out[label] = ms;
  }
  return out;
}

async function memoryCase(count) {
  const child = spawnNodeChild(childScript, [], ["--expose-gc", "--max-old-space-size=8192"]);
  try {
    const ready = await child.ask({ type: "memory", count }, "ready");
    const lists = await measureLists(environmentClient(ready.url), count, ready.runnerId);
    return { lists, heapPerEnvironment: ready.heapPerEnvironment, seedMs: ready.seedMs };
  } finally {
    await child.stop();
  }
}

async function sqlCase(store, count, cluster) {
  const setup = await prepareStore(store, count, cluster);
  try {
    const first = await startCliServer(setup.args, serverLauncher);
    await createTemplateEnvironment(first);
    await first.stop();
    const t = performance.now();
    const seeded = await setup.seed(seedSql("gitpod", count));
    if (seeded !== count) throw new Error(`seeded ${seeded} environments, wanted ${count}`);
    const seedMs = performance.now() - t;
    const server = await startCliServer(setup.args, serverLauncher);
    try {
      return { lists: await measureLists(server.environments, count, server.runnerId), seedMs, startMs: server.startMs };
    } finally {
      await server.stop();
    }
  } finally {
    await setup.cleanup();
  }
}

/** Spawn of `node dist/cli.js --in-memory` to its first answered call, ms. */
async function cliStart() {
  const started = performance.now();
  const [command, ...prefix] = [...serverLauncher, process.execPath];
  const child = spawn(command, [...prefix, serverCli, "--in-memory", "--port", "0", "--api-key", apiKey], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    let out = "";
    const url = await new Promise((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`the CLI exited (${code}): ${out}`)));
    });
    for (;;) {
      const status = await callIdentity(url).catch(() => 0);
      if (status === 200) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
  }
}

export async function scalingTable() {
  console.log(`\n## 2. Scaling: ListEnvironments, page of ${pageSize}, ${calls} sequential calls (one Connect JSON client, HTTP/1.1); start-up\n`);
  const cluster = stores.includes("postgres") ? await startPostgresCluster() : undefined;
  const results = [];
  try {
    for (const store of stores) {
      for (const count of sizes) {
        console.error(`  ${store} ${sizeLabel(count)}: seeding`);
        try {
          results.push({ store, count, ...(store === "memory" ? await memoryCase(count) : await sqlCase(store, count, cluster)) });
        } catch (e) {
          console.error(`  ${store} ${sizeLabel(count)} failed: ${e.message}`);
          results.push({ store, count, failed: e.message.split("\n")[0] });
        }
      }
    }
  } finally {
    await cluster?.stop();
  }
  const rows = [];
  for (const r of results) {
    if (r.failed) {
      rows.push([r.store, sizeLabel(r.count), "failed", "—", "—", "—", "—", "—", "—"]);
      continue;
    }
    const a = r.lists["no filter"];
    const b = r.lists["runner_ids filter"];
    rows.push([
      r.store,
      sizeLabel(r.count),
      fixed(percentile(a, 50), 2),
      fixed(percentile(a, 99), 2),
      fixed(percentile(b, 50), 2),
      fixed(percentile(b, 99), 2),
      r.heapPerEnvironment !== undefined ? fixed(r.heapPerEnvironment, 0) : "—",
      fixed(r.seedMs / 1000, 1),
      r.startMs !== undefined ? fixed(r.startMs / 1000, 1) : "—",
    ]);
  }
  printTable(
    [["store", "l"], ["envs", "r"], ["p50 ms", "r"], ["p99 ms", "r"], ["filtered p50", "r"], ["filtered p99", "r"], ["heap B/env", "r"], ["seed s", "r"], ["CLI start s", "r"]],
    rows,
  );
  for (const r of results.filter((x) => x.failed)) console.log(`${r.store} ${sizeLabel(r.count)} failed: ${r.failed}`);

  console.error("  start-up");
  const cli = [];
  for (let i = 0; i < starts; i++) cli.push(await cliStart());
  const child = spawnNodeChild(childScript);
  let embedded;
  try {
    embedded = await child.ask({ type: "embedded", starts });
  } finally {
    await child.stop();
  }
  console.log(`\nStart-up to the first answered GetAuthenticatedIdentity (in-memory store), ${starts} starts:\n`);
  printTable(
    [["what", "l"], ["median ms", "r"], ["max ms", "r"]],
    [
      ["CLI: spawn `node dist/cli.js --in-memory` → first answer", fixed(median(cli), 0), fixed(Math.max(...cli), 0)],
      ["embedded: import @gitpod-connect/server (once)", fixed(embedded.importMs, 0), fixed(embedded.importMs, 0)],
      ["embedded: first `await startServer({port:0})` + call", fixed(embedded.startMs[0], 1), fixed(embedded.startMs[0], 1)],
      ["embedded: later starts in the same process", fixed(median(embedded.startMs.slice(1)), 1), fixed(Math.max(...embedded.startMs.slice(1)), 1)],
    ],
  );

  console.log("\nGoals of issue 14 (printed, never asserted):\n");
  const goals = [];
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  for (const store of stores) {
    const a = results.find((r) => r.store === store && r.count === small && !r.failed);
    const b = results.find((r) => r.store === store && r.count === large && !r.failed);
    for (const kind of ["no filter", "runner_ids filter"]) {
      if (!a || !b || small === large) {
        goals.push([`${store}, ${kind}: list p99 at ${sizeLabel(large)} ≤ 2× at ${sizeLabel(small)}`, "—", "not measured"]);
        continue;
      }
      const ratio = percentile(b.lists[kind], 99) / percentile(a.lists[kind], 99);
      goals.push([`${store}, ${kind}: list p99 at ${sizeLabel(large)} ≤ 2× at ${sizeLabel(small)}`, `${fixed(ratio, 2)}×`, verdict(ratio <= 2)]);
    }
  }
  goals.push(["process start to first answered call < 300 ms (in-memory)", `${fixed(median(cli), 0)} ms`, verdict(median(cli) < 300)]);
  const heap = results.filter((r) => r.store === "memory" && !r.failed && r.heapPerEnvironment !== undefined).at(-1);
  if (heap) goals.push([`≤ 2 KiB heap per stored environment (memory, ${sizeLabel(heap.count)})`, `${fixed(heap.heapPerEnvironment, 0)} B`, verdict(heap.heapPerEnvironment <= 2048)]);
  printTable([["goal", "l"], ["now", "r"], ["", "l"]], goals);
}
