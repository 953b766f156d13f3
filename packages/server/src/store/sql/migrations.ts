// The SQL store's schema, as numbered migrations applied in order at start. A migration is never
// edited once released: a change is a new migration. A database migrated by a newer server (a
// version this one does not know) is refused, so that an old server never writes rows in a shape
// the newer one does not expect.
import type { SqlClient, SqlQueryable } from "./sql-client.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements, run in one transaction; `{schema}` is the store's schema, quoted. */
  readonly statements: readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "records, the creation-order sequence, the change outbox",
    statements: [
      // One table for every collection: a page is an index range of (collection[, organization], sequence).
      `CREATE TABLE {schema}.records (
        collection text NOT NULL,
        id text NOT NULL,
        organization_id text NOT NULL,
        version integer NOT NULL,
        sequence bigint NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (collection, id)
      )`,
      `CREATE UNIQUE INDEX records_by_sequence ON {schema}.records (collection, sequence)`,
      `CREATE INDEX records_by_organization ON {schema}.records (collection, organization_id, sequence)`,
      `CREATE SEQUENCE {schema}.record_sequence`,
      // Committed changes for the other replicas on the same database (WatchEvents, the simulated runner).
      `CREATE TABLE {schema}.changes (
        seq bigserial PRIMARY KEY,
        origin text NOT NULL,
        payload text NOT NULL,
        committed_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
];

export const latestVersion = migrations.at(-1)!.version;

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** A Postgres identifier, quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Brings the schema up to `latestVersion` in one transaction (under an advisory lock, so replicas
 * starting together migrate once); refuses a database whose schema is newer than this server's.
 */
export async function migrate(client: SqlClient, schema: string): Promise<{ from: number; to: number }> {
  const s = quoteIdent(schema);
  return client.transaction(async (q: SqlQueryable) => {
    await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${schema}.migrations`]);
    await q.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await q.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await q.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_migrations`);
    const from = rows[0]?.version ?? 0;
    if (from > latestVersion) {
      throw new MigrationError(
        `the database (${client.description}, schema ${schema}) is at store version ${from}, newer than this server's ${latestVersion}: ` +
          `it was written by a newer server; run that one, or point this one at another database`,
      );
    }
    for (const m of migrations) {
      if (m.version <= from) continue;
      for (const statement of m.statements) await q.query(statement.replaceAll("{schema}", s));
      await q.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
    return { from, to: latestVersion };
  });
}
