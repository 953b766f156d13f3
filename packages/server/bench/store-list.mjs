// ListEnvironments latency against the built server (dist/cli.js) with many stored environments,
// on PGlite and on PostgreSQL: p50/p99 of a page of 50 and of 100, first pages and cursor pages,
// with 1k and 1M environments. A page is an index range of the store, so the time should not grow
// with the number of rows: the last lines say whether p99 at the largest size stays within 2× of
// p99 at the smallest.
//
//   pnpm --filter @gitpod-connect/server build && node bench/store-list.mjs
//   BENCH_SIZES=1000,100000 BENCH_CALLS=300 BENCH_STORES=pglite node bench/store-list.mjs
//
// How the rows get there fast: the server creates one environment through the API (so its row is
// exactly what the store writes: the JSON of value-codec's encodeValue(EnvironmentRecord), the
// Environment as base64 protobuf inside); then one INSERT … SELECT generate_series copies that
// row N-1 times, each copy with a new UUID as its id — in the id column and inside the protobuf
// (the hex of the message bytes, the template's id replaced, same length, so the message stays
// valid) — and the next record_sequence number. ListEnvironments decodes record.value.environment
// and filters it (organization, visibility, not archived): every copy matches, as the template does.
//
// PostgreSQL: a throwaway cluster from src/test-support/postgres.ts (initdb in a temp directory,
// run as the `postgres` user when root). tsconfig.build.json does not build test-support, so the
// TypeScript module is loaded through tsx (a root devDependency) with its tsImport API.
//
// The pieces are exported (startCliServer, createTemplateEnvironment, seedSql, prepareStore,
// startPostgresCluster, percentile) for packages/bench's scaling table; run directly, this file
// prints its own table.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import pg from "pg";
import { tsImport } from "tsx/esm/api";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const cli = join(root, "dist", "cli.js");
export const apiKey = "bench-admin-key";
const sizes = (process.env.BENCH_SIZES ?? "1000,1000000").split(",").map(Number);
const calls = Number(process.env.BENCH_CALLS ?? 250);
const stores = (process.env.BENCH_STORES ?? "pglite,postgres").split(",");
const pageSizes = [50, 100];
// The simulated runner must not step the copies while the bench runs: one step per ~23 days.
export const stepDelayMs = 2_000_000_000;

/**
 * Starts the CLI on `storeArgs`; resolves with its URL once it listens. `launcher` prefixes the
 * command (e.g. ["taskset", "-c", "0"] to pin the server to a core).
 */
export function startCliServer(storeArgs, launcher = []) {
  const [command, ...prefix] = [...launcher, process.execPath];
  const child = spawn(command, [...prefix, "--max-old-space-size=8192", cli, ...storeArgs, "--port", "0", "--api-key", apiKey, "--step-delay-ms", String(stepDelayMs)], {
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exit = new Promise((resolve) => child.once("exit", resolve));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      const transport = createConnectTransport({
        baseUrl: m[1],
        httpVersion: "1.1",
        interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${apiKey}`), next(req))],
      });
      resolve({
        url: m[1],
        startMs: Date.now() - started,
        environmentClassId: /environment class (\S+)/.exec(out)?.[1],
        runnerId: /runner (\S+),/.exec(out)?.[1],
        environments: createClient(EnvironmentService, transport),
        async stop() {
          child.kill("SIGTERM");
          const code = await exit;
          if (code !== 0) throw new Error(`the server exited with ${code}:\n${out}`);
        },
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exit.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
}

/** Creates the template environment through the API (the one every SQL copy is made from). */
export async function createTemplateEnvironment(server) {
  const { environment } = await server.environments.createEnvironment({
    spec: {
      machine: { class: server.environmentClassId },
      content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: "https://github.com/gitpod-io/gitpod/tree/main" } } }] } },
    },
  });
  return environment;
}

/** Copies the one environment row `count - 1` times with fresh ids (see the header). */
export function seedSql(schema, count) {
  const s = `"${schema}"`;
  return `
    WITH t AS (
      SELECT organization_id, value, id AS tid,
             (value::json -> 'environment' ->> 'b') AS b64
      FROM ${s}.records WHERE collection = 'environments'
    ), t2 AS (
      SELECT organization_id, tid, b64, replace(value, b64, '@@B64@@') AS shell,
             encode(decode(b64, 'base64'), 'hex') AS hex, encode(convert_to(tid, 'UTF8'), 'hex') AS tidhex
      FROM t
    ), n AS (
      SELECT gen_random_uuid()::text AS id FROM generate_series(2, ${count})
    )
    INSERT INTO ${s}.records (collection, id, organization_id, version, sequence, value)
    SELECT 'environments', n.id, t2.organization_id, 1, nextval('${s}.record_sequence'),
           replace(t2.shell, '@@B64@@',
             translate(encode(decode(replace(t2.hex, t2.tidhex, encode(convert_to(n.id, 'UTF8'), 'hex')), 'hex'), 'base64'), E'\\n', ''))
    FROM n, t2`;
}

/** p-th percentile (nearest rank) of `values`, in ms. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function time(fn) {
  const t = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
}

/** Times `calls` ListEnvironments: first pages (no token) and cursor pages (each continues the previous one). */
async function measure(envs, pageSize, count) {
  for (let i = 0; i < 20; i++) await envs.listEnvironments({ pagination: { pageSize } }); // warm-up
  const first = [];
  for (let i = 0; i < calls; i++) {
    const { ms, r } = await time(() => envs.listEnvironments({ pagination: { pageSize } }));
    if (r.environments.length !== Math.min(pageSize, count)) throw new Error(`a first page of ${pageSize} held ${r.environments.length}`);
    first.push(ms);
  }
  const cursor = [];
  let token = (await envs.listEnvironments({ pagination: { pageSize } })).pagination?.nextToken ?? "";
  const seen = new Set();
  for (let i = 0; i < calls; i++) {
    if (!token) token = (await envs.listEnvironments({ pagination: { pageSize } })).pagination?.nextToken ?? ""; // wrapped around (1k)
    const { ms, r } = await time(() => envs.listEnvironments({ pagination: { pageSize, token } }));
    for (const e of r.environments) seen.add(e.id);
    token = r.pagination?.nextToken ?? "";
    cursor.push(ms);
  }
  return { first, cursor, distinct: seen.size };
}

/** A fresh store of kind `store` ("pglite" or "postgres": a database on `cluster`) for `count` environments. */
export async function prepareStore(store, count, cluster) {
  if (store === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "bench-pglite-"));
    const dataDir = join(dir, "data");
    return {
      args: ["--data-dir", dataDir],
      async seed(sql) {
        const db = await PGlite.create(dataDir);
        await db.exec(sql);
        const { rows } = await db.query("SELECT count(*)::int AS n FROM gitpod.records WHERE collection = 'environments'");
        await db.exec("ANALYZE gitpod.records");
        await db.close();
        return rows[0].n;
      },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = await cluster.createDatabase(`bench_${count}`);
  return {
    args: ["--database-url", url],
    async seed(sql) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(sql);
      const { rows } = await client.query("SELECT count(*)::int AS n FROM gitpod.records WHERE collection = 'environments'");
      await client.query("ANALYZE gitpod.records");
      await client.end();
      return rows[0].n;
    },
    cleanup: async () => undefined,
  };
}

/** A throwaway PostgreSQL cluster with createDatabase(name); exits the process when PostgreSQL is missing. */
export async function startPostgresCluster() {
  const postgres = await tsImport("../src/test-support/postgres.ts", import.meta.url);
  const missing = postgres.postgresMissing();
  if (missing) {
    console.error(`PostgreSQL: ${missing}`);
    process.exit(1);
  }
  const cluster = await postgres.startPostgres();
  return { ...cluster, stop: () => cluster.stop(), createDatabase: (name) => postgres.createDatabase(cluster, name) };
}

async function main() {
  if (!existsSync(cli)) {
    console.error(`${cli} is missing: run \`pnpm --filter @gitpod-connect/server build\` first`);
    process.exit(1);
  }
  const cluster = stores.includes("postgres") ? await startPostgresCluster() : undefined;
  const results = [];
  const failures = [];
  try {
    for (const store of stores) {
      for (const count of sizes) {
        const setup = await prepareStore(store, count, cluster);
        try {
          // The template: one environment created through the API, on an otherwise fresh store.
          const first = await startCliServer(setup.args);
          await createTemplateEnvironment(first);
          await first.stop();
          const seeded = await time(() => setup.seed(seedSql("gitpod", count)));
          if (seeded.r !== count) throw new Error(`seeded ${seeded.r} environments, wanted ${count}`);
          console.error(`${store} ${count}: seeded in ${(seeded.ms / 1000).toFixed(1)} s; starting the server on it`);
          let server;
          try {
            server = await startCliServer(setup.args);
          } catch (e) {
            // Reported in the table, and the other cases still run.
            const reason = /exited \((\S+)\) before listening:\n([^\n]*)/.exec(e.message);
            failures.push({ store, count, reason: reason ? `exit ${reason[1]}: ${reason[2]}` : e.message });
            console.error(`${store} ${count}: the server did not start: ${e.message}`);
            continue;
          }
          try {
            for (const pageSize of pageSizes) {
              const m = await measure(server.environments, pageSize, count);
              results.push({ store, count, pageSize, ...m, seedMs: seeded.ms, startMs: server.startMs });
              console.error(
                `${store} ${count} page ${pageSize}: first p50 ${percentile(m.first, 50).toFixed(2)} p99 ${percentile(m.first, 99).toFixed(2)}; ` +
                  `cursor p50 ${percentile(m.cursor, 50).toFixed(2)} p99 ${percentile(m.cursor, 99).toFixed(2)} (${m.distinct} distinct; seeded in ${(seeded.ms / 1000).toFixed(1)} s, server started in ${(server.startMs / 1000).toFixed(1)} s)`,
              );
            }
          } finally {
            await server.stop();
          }
        } finally {
          await setup.cleanup();
        }
      }
    }
  } finally {
    await cluster?.stop();
  }

  const fmt = (n) => n.toFixed(2).padStart(8);
  const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  console.log(`\nListEnvironments over the built server, ${calls} sequential calls per case (ms; Connect, HTTP/1.1, one client)\n`);
  console.log("store     envs   page  kind    |      p50      p99 | start s  seed s");
  for (const r of results) {
    for (const kind of ["first", "cursor"]) {
      console.log(
        `${r.store.padEnd(9)} ${label(r.count).padStart(4)}  ${String(r.pageSize).padStart(4)}  ${kind.padEnd(6)}  | ${fmt(percentile(r[kind], 50))} ${fmt(percentile(r[kind], 99))} | ${(r.startMs / 1000).toFixed(1).padStart(7)} ${(r.seedMs / 1000).toFixed(1).padStart(7)}`,
      );
    }
  }
  for (const f of failures) console.log(`${f.store.padEnd(9)} ${label(f.count).padStart(4)}  the server did not start on it: ${f.reason}`);
  if (sizes.length > 1) {
    console.log(`\nratio ${label(large)}/${label(small)} (p50, p99) and whether p99 at ${label(large)} <= 2x p99 at ${label(small)}:`);
    for (const store of stores) {
      for (const pageSize of pageSizes) {
        const a = results.find((r) => r.store === store && r.count === small && r.pageSize === pageSize);
        const b = results.find((r) => r.store === store && r.count === large && r.pageSize === pageSize);
        if (!a || !b) {
          console.log(`${store.padEnd(9)} page ${String(pageSize).padStart(3)}  no ratio: ${!b ? label(large) : label(small)} was not measured  NO`);
          continue;
        }
        for (const kind of ["first", "cursor"]) {
          const p50 = percentile(b[kind], 50) / percentile(a[kind], 50);
          const p99 = percentile(b[kind], 99) / percentile(a[kind], 99);
          console.log(`${store.padEnd(9)} page ${String(pageSize).padStart(3)} ${kind.padEnd(6)}  p50 x${p50.toFixed(2)}  p99 x${p99.toFixed(2)}  ${p99 <= 2 ? "yes" : "NO"}`);
        }
      }
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
