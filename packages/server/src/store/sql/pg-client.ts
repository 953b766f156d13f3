// PostgreSQL through `pg` as a SqlClient: a pool for statements and transactions, and one
// dedicated connection for LISTEN (a pooled one would be handed to others between notifications).
// pg is loaded when a store opens, not with the server: a server in memory never pays for it.
import type pg from "pg";
import type { SqlClient, SqlQueryable } from "./sql-client.js";


/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(a PostgreSQL URL)";
  }
}

export async function openPostgres(url: string, options: { maxConnections?: number } = {}): Promise<SqlClient> {
  // pg is CommonJS: its classes come off the default export. Bigints (sequences) come back as strings.
  const { Pool, Client } = (await import("pg")).default;
  const pool = new Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on("error", (e) => console.error("postgres: idle connection failed", e.message));
  // Fails here, with the server's reason, when the database cannot be reached.
  await pool.query("SELECT 1");
  const queryable = (q: { query: pg.Pool["query"] }): SqlQueryable => ({
    query: async <R>(text: string, params?: readonly unknown[]) => ({ rows: (await q.query(text, params ? [...params] : [])).rows as R[] }),
  });
  return {
    kind: "postgres",
    description: `PostgreSQL at ${redactedUrl(url)}`,
    ...queryable(pool),
    async transaction(fn) {
      const conn = await pool.connect();
      // A connection that cannot even roll back is broken: it is destroyed, not pooled again.
      let broken = false;
      try {
        await conn.query("BEGIN");
        const value = await fn(queryable(conn));
        await conn.query("COMMIT");
        return value;
      } catch (e) {
        await conn.query("ROLLBACK").catch(() => (broken = true));
        throw e;
      } finally {
        conn.release(broken);
      }
    },
    async listen(channel, onNotify) {
      const listener = new Client({ connectionString: url });
      listener.on("error", (e) => console.error("postgres: the LISTEN connection failed", e.message));
      await listener.connect();
      listener.on("notification", (n) => {
        if (n.channel === channel) onNotify();
      });
      await listener.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      return async () => {
        await listener.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}
