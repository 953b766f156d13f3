// PGlite (Postgres compiled to WebAssembly, in this process) as a SqlClient: the embedded store.
// One connection: statements run one at a time, and a transaction holds it until it ends.
// PGlite is loaded when a store opens, not with the server: a server in memory never pays for it.
import type { PGlite } from "@electric-sql/pglite";
import type { SqlClient, SqlQueryable } from "./sql-client.js";

/**
 * Opens (creating it when absent) the database in `dataDir`; in memory without one. `template`, a
 * dump of an initialised database (PGlite's dumpDataDir), spares an in-memory database the seconds
 * its initialisation takes (the tests load one per process).
 */
export async function openPglite(dataDir?: string, options: { template?: Blob } = {}): Promise<SqlClient> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dataDir ?? "memory://", options.template ? { loadDataDir: options.template } : {});
  const queryable = (q: Pick<PGlite, "query">): SqlQueryable => ({
    query: async <R>(text: string, params?: readonly unknown[]) => ({ rows: (await q.query<R>(text, params ? [...params] : [])).rows }),
  });
  return {
    kind: "pglite",
    description: dataDir ? `PGlite in ${dataDir}` : "PGlite in memory",
    ...queryable(db),
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    close: () => db.close(),
  };
}

/** A dump of a freshly initialised in-memory database, for `openPglite(undefined, { template })`. */
export async function pgliteTemplate(): Promise<Blob> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create("memory://");
  try {
    return await db.dumpDataDir("none");
  } finally {
    await db.close();
  }
}
