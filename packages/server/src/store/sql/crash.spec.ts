// kill -9 during a burst of writes, then a restart on the same data, for both durable stores:
// PGlite in a data directory and PostgreSQL. The built CLI (`dist/cli.js`, built by
// `pnpm --filter @gitpod-connect/server build`) as an operator runs it. Every write the server
// acknowledged must be there after the restart, whole; writes that were committed but whose
// answer the crash swallowed may be there too (whole as well); the server must answer normally.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@connectrpc/connect";
import { RunnerService, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, postgresMissing, startPostgres, type RunningPostgres } from "../../test-support/postgres.js";
import { killAll, requireBuiltCli, spawnCli, type SpawnedCli } from "../../test-support/spawned-cli.js";

const apiKey = "crash-admin-key";

afterEach(killAll);

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

beforeAll(requireBuiltCli);

interface Server extends SpawnedCli {
  runners: Client<typeof RunnerService>;
}

async function startServer(storeArgs: string[]): Promise<Server> {
  const cli = await spawnCli([...storeArgs, "--api-key", apiKey]);
  return { ...cli, runners: cli.client(RunnerService, apiKey) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fields every runner of the burst is created with; checked whole after the restart. */
const burstName = (worker: number, n: number) => `crash burst w${worker} #${n}`;
const isBurst = (name: string) => name.startsWith("crash burst ");

/**
 * Fires CreateRunner from `concurrency` workers, one call after another each, until the server
 * dies; kills it with SIGKILL after `killAfterMs`. Returns the acknowledged writes (id → name) and
 * how many calls were in flight when it died.
 */
async function burstAndKill(server: Server, concurrency: number, killAfterMs: number) {
  const acknowledged = new Map<string, string>();
  let failed = 0;
  let dead = false;
  const worker = async (w: number) => {
    for (let n = 0; !dead; n++) {
      const name = burstName(w, n);
      try {
        const { runner } = await server.runners.createRunner({ name, provider: RunnerProvider.GCP });
        // The answer came: this write was acknowledged.
        acknowledged.set(runner!.runnerId, name);
      } catch {
        failed++;
        if (dead) return;
        await sleep(5);
      }
    }
  };
  const started = Date.now();
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  await sleep(killAfterMs);
  const beforeKill = acknowledged.size;
  server.child.kill("SIGKILL");
  await server.exit;
  dead = true;
  await Promise.all(workers);
  return { acknowledged, beforeKill, failed, ms: Date.now() - started };
}

async function listAllRunners(server: Server): Promise<Runner[]> {
  const all: Runner[] = [];
  let token = "";
  do {
    const res = await server.runners.listRunners({ pagination: { pageSize: 100, token } });
    all.push(...res.runners);
    token = res.pagination?.nextToken ?? "";
  } while (token);
  return all;
}

/** The crash scenario on one store: burst, kill -9, restart on the same data, check. */
async function crashAndRestart(label: string, storeArgs: string[]) {
  const first = await startServer(storeArgs);
  const { acknowledged, failed, ms } = await burstAndKill(first, 8, 2_000);
  expect(acknowledged.size, "the burst got no write acknowledged before the kill").toBeGreaterThan(0);

  const second = await startServer(storeArgs);
  expect(second.output()).toContain("resumed with the state of earlier starts");

  // Every acknowledged write is there, by id, with the name it was created with.
  let found = 0;
  for (const [id, name] of acknowledged) {
    const { runner } = await second.runners.getRunner({ runnerId: id });
    expect(runner?.name, `acknowledged runner ${id}`).toBe(name);
    expect(runner?.provider).toBe(RunnerProvider.GCP);
    found++;
  }

  // Nothing torn: every listed runner decodes (the list would fail otherwise) and is whole.
  const listed = await listAllRunners(second);
  const burst = listed.filter((r) => isBurst(r.name));
  for (const r of burst) {
    expect(r.runnerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.provider).toBe(RunnerProvider.GCP);
    expect(r.name).toMatch(/^crash burst w\d+ #\d+$/);
    expect(r.createdAt, `runner ${r.runnerId} has no created_at`).toBeDefined();
  }
  const ids = new Set(burst.map((r) => r.runnerId));
  for (const id of acknowledged.keys()) expect(ids.has(id), `acknowledged runner ${id} listed`).toBe(true);
  // A name once: no write applied twice.
  expect(new Set(burst.map((r) => r.name)).size).toBe(burst.length);
  const extra = burst.filter((r) => !acknowledged.has(r.runnerId)).length;

  // The server answers normally afterwards.
  const { runner: after } = await second.runners.createRunner({ name: "after the crash", provider: RunnerProvider.GCP });
  expect((await second.runners.getRunner({ runnerId: after!.runnerId })).runner?.name).toBe("after the crash");

  console.log(
    `crash (${label}): ${acknowledged.size} writes acknowledged in ${ms} ms of 8 concurrent CreateRunner before SIGKILL ` +
      `(${failed} calls failed around the kill); after restart ${found}/${acknowledged.size} found by id with their names, ` +
      `${extra} committed but unacknowledged found too, ${burst.length} burst runners listed, none torn`,
  );
  return second;
}

describe("kill -9 during a burst of writes, then restart", () => {
  it("PGlite: every acknowledged write survives, whole, and the data directory opens again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crash-pglite-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, "data");
    const second = await crashAndRestart("PGlite", ["--data-dir", dataDir]);
    expect(second.output()).toContain(`PGlite in ${dataDir}`);
    // A clean stop, and the directory opens once more with everything in it.
    second.child.kill("SIGTERM");
    expect(await second.exit).toBe(0);
    const third = await startServer(["--data-dir", dataDir]);
    const names = (await listAllRunners(third)).map((r) => r.name);
    expect(names).toContain("after the crash");
    third.child.kill("SIGTERM");
    expect(await third.exit).toBe(0);
  }, 180_000);

  it("PostgreSQL: every acknowledged write survives, whole", async () => {
    // No PostgreSQL is a failure with the reason, never a skip.
    const missing = postgresMissing();
    if (missing) throw new Error(`the PostgreSQL crash test needs PostgreSQL: ${missing}`);
    const cluster: RunningPostgres = await startPostgres();
    cleanups.push(() => cluster.stop());
    const url = await createDatabase(cluster, "crash");
    const second = await crashAndRestart("PostgreSQL", ["--database-url", url]);
    second.child.kill("SIGTERM");
    expect(await second.exit).toBe(0);
  }, 180_000);
});
