// The Postgres harness itself: a cluster clients can use, separate databases on it, and a stop()
// that leaves nothing behind. Without PostgreSQL installed these tests fail, naming the package.
import { existsSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, postgresMissing, startPostgres, type RunningPostgres } from "./postgres.js";

/** Runs `query` on a fresh connection to `url`. */
async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

describe("startPostgres", () => {
  let cluster: RunningPostgres;
  beforeAll(async () => {
    const missing = postgresMissing();
    if (missing) throw new Error(missing);
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.stop());

  it("serves a PostgreSQL (15 or later) at its url, on 127.0.0.1", async () => {
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    const [row] = await query<{ version: string }>(cluster.url, "select version()");
    const major = Number(/^PostgreSQL (\d+)\./.exec(row?.version ?? "")?.[1]);
    expect(major, row?.version).toBeGreaterThanOrEqual(15);
  });

  it("creates separate empty databases", async () => {
    const first = await createDatabase(cluster, "first");
    const second = await createDatabase(cluster, "second");
    expect(first).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/first`);
    await query(first, "create table only_in_first (id int)");
    const tables = (url: string) =>
      query<{ table_name: string }>(url, "select table_name from information_schema.tables where table_schema = 'public'");
    expect(await tables(first)).toEqual([{ table_name: "only_in_first" }]);
    expect(await tables(second)).toEqual([]);
  });

  it("connects to the database named in the options", async () => {
    const other = await startPostgres({ database: "app" });
    try {
      const [row] = await query<{ db: string }>(other.url, "select current_database() as db");
      expect(row).toEqual({ db: "app" });
    } finally {
      await other.stop();
    }
  });
});

describe("stop", () => {
  it("stops the cluster and removes its directory", async () => {
    const missing = postgresMissing();
    if (missing) throw new Error(missing);
    const cluster = await startPostgres();
    expect(existsSync(cluster.dataDir)).toBe(true);
    await cluster.stop();
    await expect(query(cluster.url, "select 1")).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(cluster.dataDir)).toBe(false);
    await cluster.stop(); // a second stop is harmless
  });
});
