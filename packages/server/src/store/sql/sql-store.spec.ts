// The SQL store on PGlite and on a real PostgreSQL: the Store contract, plus what is SQL's own —
// migrations, data that outlives the store object (and, for PGlite, the process's database
// handle), and query plans that read a page as an index range however many rows there are.
// PostgreSQL is required: when it cannot be started here these tests fail with the reason.
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { create, equals } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresMissing, startPostgres, type RunningPostgres } from "../../test-support/postgres.js";
import { describeStoreContract, type OpenedStore } from "../../test-support/store-contract.js";
import { messageCollection, plainCollection } from "../store.js";
import { latestVersion, MigrationError, quoteIdent } from "./migrations.js";
import { openPglite } from "./pglite-client.js";
import { openPostgres } from "./pg-client.js";
import type { SqlClient } from "./sql-client.js";
import { createSqlStore, listQuerySql, type SqlStore } from "./sql-store.js";

interface Item {
  n: number;
}
const items = plainCollection<Item>("items", "item");
const envs = messageCollection("environments", "environment", EnvironmentSchema);

let schemas = 0;
/** A schema name no store of this file used yet. */
const freshSchema = (prefix: string) => `${prefix}_${++schemas}`;

/** The shared client, lent to a store: closing the store leaves it open. */
function lent(client: SqlClient): SqlClient {
  return { ...client, close: () => Promise.resolve() };
}

async function openStore(client: SqlClient, schema: string): Promise<SqlStore> {
  const store = createSqlStore({ client: lent(client), schema });
  await store.ready;
  return store;
}

const opened = (store: SqlStore): OpenedStore => ({ store, close: () => store.close() });

/** Versions recorded in the schema's schema_migrations, ascending. */
async function migrationVersions(client: SqlClient, schema: string): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoteIdent(schema)}.schema_migrations ORDER BY version`);
  return rows.map((r) => r.version);
}

async function tablesOf(client: SqlClient, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.name);
}

/** Migrations and persistence, the same on both databases. */
function describeSchemaAndPersistence(client: () => SqlClient, prefix: string): void {
  describe("migrations and persistence", () => {
    it("migrates a fresh schema to latestVersion: records with both page indexes, the sequence, the outbox", async () => {
      const schema = freshSchema(prefix);
      const store = await openStore(client(), schema);
      try {
        expect(await migrationVersions(client(), schema)).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
        expect(await tablesOf(client(), schema)).toEqual(["changes", "records", "schema_migrations"]);
        const { rows } = await client().query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'records' ORDER BY indexname`, [schema]);
        expect(rows.map((r) => r.indexname)).toEqual(["records_by_organization", "records_by_sequence", "records_pkey"]);
      } finally {
        await store.close();
      }
    });

    it("keeps every record, version and sequence when a new store object opens the same schema, and migrates it only once", async () => {
      const schema = freshSchema(prefix);
      const first = await openStore(client(), schema);
      const env = create1Environment();
      try {
        const c = first.collection(items);
        for (let i = 0; i < 5; i++) await c.insert({ id: `id-${i}`, organizationId: i % 2 ? "org-b" : "org-a", value: { n: i } });
        await c.update("id-1", { n: 10 });
        await c.delete("id-2");
        await first.collection(envs).insert({ id: "e1", organizationId: "org-a", value: env });
      } finally {
        await first.close();
      }
      const before = await listEverything(client(), schema);

      const second = await openStore(client(), schema);
      try {
        expect(await listEverything(client(), schema)).toEqual(before);
        const c = second.collection(items);
        expect((await c.list({ limit: 10 })).items.map((r) => [r.id, r.version, r.value.n])).toEqual([
          ["id-0", 1, 0],
          ["id-1", 2, 10],
          ["id-3", 1, 3],
          ["id-4", 1, 4],
        ]);
        expect(equals(EnvironmentSchema, (await second.collection(envs).get("e1"))!.value, env)).toBe(true);
        expect(await migrationVersions(client(), schema)).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
        // New records still come after the old ones.
        const added = await c.insert({ id: "id-5", organizationId: "org-a", value: { n: 5 } });
        expect(added.sequence).toBeGreaterThan(Math.max(...before.map((r) => r.sequence)));
      } finally {
        await second.close();
      }
    });

    it("refuses a schema a newer server migrated with MigrationError naming both versions, and writes nothing", async () => {
      const schema = freshSchema(prefix);
      const s = quoteIdent(schema);
      const newer = latestVersion + 1;
      await client().query(`CREATE SCHEMA ${s}`);
      await client().query(`CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      await client().query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, 'from the future')`, [newer]);

      const store = createSqlStore({ client: lent(client()), schema });
      try {
        const refused = store.ready;
        await expect(refused).rejects.toBeInstanceOf(MigrationError);
        await expect(refused).rejects.toThrow(`store version ${newer}, newer than this server's ${latestVersion}`);
        await expect(store.collection(items).insert({ id: "x", organizationId: "org-a", value: { n: 1 } })).rejects.toBeInstanceOf(MigrationError);
        await expect(store.collection(items).get("x")).rejects.toBeInstanceOf(MigrationError);
      } finally {
        await store.close();
      }
      expect(await tablesOf(client(), schema)).toEqual(["schema_migrations"]);
      expect(await migrationVersions(client(), schema)).toEqual([newer]);
    });
  });
}

function create1Environment() {
  return create(EnvironmentSchema, {
    id: "e1",
    metadata: { organizationId: "org-a", name: "kept", createdAt: timestampFromMs(1_700_000_000_123) },
    spec: { specVersion: 9_007_199_254_740_993n },
  });
}

/** Every row of the schema's records, as stored. */
async function listEverything(client: SqlClient, schema: string) {
  const { rows } = await client.query<{ collection: string; id: string; organization_id: string; version: number; sequence: string | number; value: string }>(
    `SELECT collection, id, organization_id, version, sequence, value FROM ${quoteIdent(schema)}.records ORDER BY sequence`,
  );
  return rows.map((r) => ({ ...r, sequence: Number(r.sequence) }));
}

// ---- query plans ----

const planRows = 1_000_000;
const planOrganizations = 100;
const pageLimit = 50; // the store asks for one more: LIMIT 51
/** A sequence of org-42 (sequence g belongs to org-(g % 100)), mid-way through the rows. */
const cursor = planRows / 2 + 42;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Scan Direction"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** Fills `schema` with planRows environments over planOrganizations organizations in ONE statement (not through the store), then ANALYZE. */
async function fillForPlans(client: SqlClient, schema: string): Promise<number> {
  const s = quoteIdent(schema);
  const started = Date.now();
  await client.query(
    `INSERT INTO ${s}.records (collection, id, organization_id, version, sequence, value)
     SELECT 'environments', 'env-' || g, 'org-' || (g % ${planOrganizations}), 1, g, '{}' FROM generate_series(1, ${planRows}) AS g`,
  );
  await client.query(`SELECT setval('${s}.record_sequence', ${planRows})`);
  await client.query(`ANALYZE ${s}.records`);
  return Date.now() - started;
}

const shapes = [false, true].flatMap((organization) =>
  [false, true].flatMap((after) => [false, true].map((desc) => ({ organization, after, desc }))),
);

function describeQueryPlans(label: string, client: () => SqlClient, prefix: string): void {
  describe(`query plans with ${planRows.toLocaleString("en")} records`, () => {
    const schema = freshSchema(`${prefix}_plans`);
    let store: SqlStore | undefined;
    /** Why the rows could not be set up: each test fails with it (a throwing beforeAll would only mark them skipped). */
    let setupFailure: Error | undefined;
    beforeAll(async () => {
      try {
        store = await openStore(client(), schema);
        const ms = await fillForPlans(client(), schema);
        console.log(`${label}: inserted ${planRows.toLocaleString("en")} records with one INSERT … generate_series and analyzed them in ${ms} ms`);
      } catch (e) {
        setupFailure = e instanceof Error ? e : new Error(String(e));
      }
    }, 300_000);
    afterAll(async () => {
      if (!store) return;
      await store.close();
      await client().query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    }, 120_000);

    for (const shape of shapes) {
      const name = `${shape.organization ? "one organization" : "all organizations"}, ${shape.after ? "after a cursor" : "first page"}, ${shape.desc ? "newest first" : "oldest first"}`;
      it(`reads a page (${name}) as an index range: Index Scan on ${shape.organization ? "records_by_organization" : "records_by_sequence"}, no Sort, no Seq Scan, at most LIMIT rows`, async () => {
        if (setupFailure) throw setupFailure;
        const limit = pageLimit + 1;
        const params: unknown[] = ["environments"];
        if (shape.organization) params.push("org-42");
        if (shape.after) params.push(cursor);
        params.push(limit);
        const sql = listQuerySql(quoteIdent(schema), shape);
        const { rows } = await client().query<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
        const raw = rows[0]!["QUERY PLAN"];
        const [explained] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: PlanNode; "Execution Time": number }];
        const nodes = nodesOf(explained.Plan);
        const scans = nodes.filter((n) => n["Node Type"].includes("Scan"));
        const scan = scans[0]!;
        console.log(
          `${label} plan [${name}]: ${scan["Node Type"]}${scan["Scan Direction"] === "Backward" ? " Backward" : ""} using ${scan["Index Name"]}, ` +
            `actual rows ${scan["Actual Rows"]}, execution ${explained["Execution Time"]} ms`,
        );
        expect(nodes.map((n) => n["Node Type"])).not.toContain("Sort");
        expect(nodes.map((n) => n["Node Type"])).not.toContain("Seq Scan");
        expect(scans).toHaveLength(1);
        expect(scan["Node Type"]).toBe("Index Scan");
        expect(scan["Index Name"]).toBe(shape.organization ? "records_by_organization" : "records_by_sequence");
        expect(scan["Scan Direction"]).toBe(shape.desc ? "Backward" : "Forward");
        expect(scan["Actual Loops"]).toBe(1);
        expect(scan["Actual Rows"]).toBeLessThanOrEqual(limit);

        // The store runs this very statement: its page is the one the plan read.
        const page = await store!.collection(plainCollection<Record<string, never>>("environments", "environment")).list({
          limit: pageLimit,
          order: shape.desc ? "desc" : "asc",
          ...(shape.organization ? { organizationId: "org-42" } : {}),
          ...(shape.after ? { after: cursor } : {}),
        });
        const step = shape.organization ? planOrganizations : 1;
        const start = shape.after ? (shape.desc ? cursor - step : cursor + step) : shape.desc ? planRows - (shape.organization ? planOrganizations - 42 : 0) : shape.organization ? 42 : 1;
        expect(page.items.map((r) => r.sequence)).toEqual(Array.from({ length: pageLimit }, (_, i) => start + (shape.desc ? -i : i) * step));
        expect(page.next).toBe(page.items.at(-1)!.sequence);
        expect(page.items.every((r) => (shape.organization ? r.organizationId === "org-42" : true))).toBe(true);
      });
    }
  });
}

// ---- PGlite ----

describe("SQL store on PGlite (in memory)", () => {
  let pglite: SqlClient | undefined;
  const client = () => pglite!;
  beforeAll(async () => {
    pglite = await openPglite();
  });
  afterAll(async () => {
    await pglite?.close();
  });

  describeStoreContract("PGlite store", async () => opened(await openStore(client(), freshSchema("pglite"))));
  describeSchemaAndPersistence(client, "pglite");

  it("keeps every record across closing PGlite and opening it again on the same data directory", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "pglite-store-"));
    try {
      const env = create1Environment();
      const first = createSqlStore({ client: await openPglite(dir), schema: "gitpod" });
      try {
        await first.ready;
        await first.collection(items).insert({ id: "a", organizationId: "org-a", value: { n: 1 } });
        await first.collection(items).insert({ id: "b", organizationId: "org-b", value: { n: 2 } });
        await first.collection(items).update("a", { n: 3 });
        await first.collection(envs).insert({ id: "e1", organizationId: "org-a", value: env });
      } finally {
        await first.close(); // closes this PGlite
      }
      const second = createSqlStore({ client: await openPglite(dir), schema: "gitpod" });
      try {
        await second.ready;
        expect((await second.collection(items).list({ limit: 10 })).items.map((r) => [r.id, r.organizationId, r.version, r.value.n])).toEqual([
          ["a", "org-a", 2, 3],
          ["b", "org-b", 1, 2],
        ]);
        expect(equals(EnvironmentSchema, (await second.collection(envs).get("e1"))!.value, env)).toBe(true);
        expect(await migrationVersions(second.client, "gitpod")).toEqual(Array.from({ length: latestVersion }, (_, i) => i + 1));
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  // 1M rows go into PGlite with one INSERT in about 20 s, so PGlite gets the full million too.
  describeQueryPlans("PGlite", client, "pglite");
});

// ---- PostgreSQL ----

describe("SQL store on PostgreSQL", () => {
  let cluster: RunningPostgres | undefined;
  let pool: SqlClient | undefined;
  /** Why PostgreSQL is not available. Every test then fails with it (a throwing beforeAll would only mark them skipped). */
  let unavailable: Error | undefined;
  const client = () => {
    if (unavailable) throw unavailable;
    return pool!;
  };
  beforeAll(async () => {
    const missing = postgresMissing();
    if (missing) {
      unavailable = new Error(`the SQL store's PostgreSQL tests need a PostgreSQL server: ${missing}`);
      return;
    }
    try {
      cluster = await startPostgres();
      pool = await openPostgres(cluster.url, { maxConnections: 20 });
    } catch (e) {
      unavailable = new Error(`the SQL store's PostgreSQL tests could not start PostgreSQL: ${(e as Error).message}`, { cause: e });
    }
  }, 120_000);
  afterAll(async () => {
    await pool?.close();
    await cluster?.stop();
  }, 60_000);

  describeStoreContract("PostgreSQL store", async () => opened(await openStore(client(), freshSchema("postgres"))));

  it("hands one store's commits to another store on the same schema (a replica) through the outbox, once each, and prunes the outbox after its retention", async () => {
    const schema = freshSchema("replicas");
    const a = createSqlStore({ client: lent(client()), schema, pollIntervalMs: 50, outbox: { retentionMs: 500, pruneIntervalMs: 100 } });
    const b = createSqlStore({ client: lent(client()), schema, pollIntervalMs: 50 });
    try {
      await Promise.all([a.ready, b.ready]);
      const seenByB: string[] = [];
      const seenByA: string[] = [];
      b.onCommit((changes) => seenByB.push(...changes.map((c) => `${c.op} ${c.record.id}`)));
      a.onCommit((changes) => seenByA.push(...changes.map((c) => `${c.op} ${c.record.id}`)));
      const items = plainCollection<{ n: number }>("items", "item");
      await a.collection(items).insert({ id: "x", organizationId: "o", value: { n: 1 } });
      await a.transaction(async (tx) => {
        await tx.collection(items).update("x", { n: 2 });
        await tx.collection(items).insert({ id: "y", organizationId: "o", value: { n: 3 } });
      });
      const deadline = Date.now() + 5_000;
      while (seenByB.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seenByB).toEqual(["insert x", "update x", "insert y"]);
      // Its own commits reach A once, from the commit itself, not again from the outbox.
      await new Promise((r) => setTimeout(r, 200));
      expect(seenByA).toEqual(["insert x", "update x", "insert y"]);
      expect((await b.collection(items).get("x"))?.value).toEqual({ n: 2 });
      const outboxRows = async () => Number((await client().query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.changes`)).rows[0]!.n);
      const pruneDeadline = Date.now() + 5_000;
      while ((await outboxRows()) > 0 && Date.now() < pruneDeadline) await new Promise((r) => setTimeout(r, 100));
      expect(await outboxRows()).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
  describeSchemaAndPersistence(client, "postgres");
  describeQueryPlans("PostgreSQL", client, "postgres");
});
