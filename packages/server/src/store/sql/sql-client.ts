// What the SQL store needs of a database connection, met by PGlite (pglite-client.ts, embedded,
// one connection) and by PostgreSQL through `pg` (pg-client.ts, a pool). One dialect: Postgres.

export interface SqlQueryable {
  /** Runs one statement with $1, $2, … parameters. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

export interface SqlClient extends SqlQueryable {
  /** "pglite": one embedded connection, this process only; "postgres": a pool, shared with other processes. */
  readonly kind: "pglite" | "postgres";
  /** Where the data is, for the log line: a data directory or a URL without its password. */
  readonly description: string;
  /** Runs `fn` between BEGIN and COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T>;
  /** LISTEN on `channel` (postgres only): `onNotify` for each NOTIFY; resolves with a function that stops listening. */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
