// The Store (store.ts) on Postgres — PGlite embedded or a PostgreSQL server — written once for both.
//
// Rows: one table for every collection (migrations.ts), values as JSON text (value-codec.ts). The
// semantics are the memory store's: transactions run one after another — in this process behind a
// promise lock, across processes behind a transaction-level advisory lock — so a transaction sees
// no concurrent writer and commits in the order it took the lock; a read outside a transaction sees
// the last committed state (on a pool, from another connection, without waiting; PGlite has one
// connection, where it waits for the running transaction). A page is an index range:
// (collection, sequence) or (collection, organization_id, sequence), O(page size) however many
// rows there are; a `where` predicate is applied to rows read in batches along that range.
//
// Other processes on the same database (replicas) learn of commits through the outbox: each
// transaction that wrote adds its changes as one row of `changes` (in commit order, since writers
// hold the lock until they commit) and NOTIFYs; the others read the rows they have not seen and
// hand them to their own listeners, as if they had been committed here.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { decodeValue, encodeValue, type JsonValue } from "../value-codec.js";
import {
  StoreError,
  type Collection,
  type CollectionSpec,
  type ListQuery,
  type ListResult,
  type Scope,
  type Store,
  type StoreChange,
  type StoredRecord,
} from "../store.js";
import { migrate, quoteIdent } from "./migrations.js";
import type { SqlClient, SqlQueryable } from "./sql-client.js";
import { createChangeFeed } from "../change-feed.js";

export interface SqlStoreOptions {
  client: SqlClient;
  /** The Postgres schema the store's tables live in (default "gitpod"); one database can hold several stores. */
  schema?: string;
  /**
   * Share commits with other processes on the database through the outbox (default: on for
   * PostgreSQL, off for PGlite, which no other process opens).
   */
  replicated?: boolean;
  /** How often to look for other processes' commits when no NOTIFY came (ms; default 1000). */
  pollIntervalMs?: number;
  /** How long committed changes stay in the outbox for the others to read (ms; default 10 minutes), and how often it is pruned (ms; default 1 minute). */
  outbox?: { retentionMs?: number; pruneIntervalMs?: number };
}

export interface SqlStore extends Store {
  /** Resolves once migrations ran and (when replicated) the outbox is followed; rejects with why not. */
  readonly ready: Promise<void>;
  readonly client: SqlClient;
  readonly schema: string;
  /** Stops following the outbox and closes the client. */
  close(): Promise<void>;
}

interface Row {
  id: string;
  organization_id: string;
  version: number;
  sequence: string | number;
  value: string;
}

interface RunningTransaction {
  q: SqlQueryable;
  changes: StoreChange[];
  open: boolean;
}

/** Rows read per round trip while a `where` predicate filters a page. */
const filterBatch = 200;

/**
 * The SQL of one page read by `list`: parameters $1 collection, then the organization (when
 * `organization`), then the cursor (when `after`), then the limit. A page is an index range of
 * records_by_sequence or records_by_organization. Exported for the query-plan tests.
 */
export function listQuerySql(schemaQuoted: string, shape: { organization: boolean; after: boolean; desc: boolean }): string {
  let n = 1;
  let where = "collection = $1";
  if (shape.organization) where += ` AND organization_id = $${++n}`;
  if (shape.after) where += ` AND sequence ${shape.desc ? "<" : ">"} $${++n}`;
  return `SELECT id, organization_id, version, sequence, value FROM ${schemaQuoted}.records WHERE ${where} ORDER BY sequence ${shape.desc ? "DESC" : "ASC"} LIMIT $${n + 1}`;
}

export function createSqlStore(options: SqlStoreOptions): SqlStore {
  const { client } = options;
  const schema = options.schema ?? "gitpod";
  const s = quoteIdent(schema);
  const replicated = options.replicated ?? client.kind === "postgres";
  const origin = randomUUID();
  const writeLock = `${schema}.writes`;
  const current = new AsyncLocalStorage<RunningTransaction>();
  const feed = createChangeFeed();
  let lock: Promise<unknown> = Promise.resolve();
  let lastSeen = 0;
  let following: { stop: () => Promise<void> } | undefined;
  let closed = false;

  const ready = (async () => {
    await migrate(client, schema);
    if (replicated) following = await followOutbox();
  })();
  // A failed start is reported by whoever awaits `ready` or calls the store; not as an unhandled rejection.
  ready.catch(() => undefined);


  const toRecord = <T>(spec: CollectionSpec<T>, row: Row): StoredRecord<T> => ({
    id: row.id,
    organizationId: row.organization_id,
    version: row.version,
    sequence: Number(row.sequence),
    value: decodeValue(JSON.parse(row.value) as JsonValue) as T,
  });
  const text = (value: unknown) => JSON.stringify(encodeValue(value));

  function joined(): RunningTransaction | undefined {
    const tx = current.getStore();
    return tx?.open ? tx : undefined;
  }

  /** Runs `fn` in the current transaction, or as a transaction of its own after the ones before it. */
  async function transact<R>(fn: (tx: RunningTransaction) => Promise<R>): Promise<R> {
    const running = joined();
    if (running) return fn(running);
    await ready;
    const result = lock.then(async () => {
      const tx: RunningTransaction = { q: client, changes: [], open: true };
      try {
        const value = await client.transaction(async (q) => {
          tx.q = q;
          if (client.kind === "postgres") await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [writeLock]);
          const value = await current.run(tx, () => fn(tx));
          tx.open = false;
          if (replicated && tx.changes.length > 0) {
            await q.query(`INSERT INTO ${s}.changes (origin, payload) VALUES ($1, $2)`, [origin, text(tx.changes)]);
            await q.query("SELECT pg_notify($1, '')", [notifyChannel]);
          }
          return value;
        });
        feed.emit(tx.changes);
        return value;
      } finally {
        tx.open = false;
      }
    });
    lock = result.catch(() => undefined);
    return result;
  }

  /** A read: inside the running transaction when there is one, else on its own. */
  async function read<R>(fn: (q: SqlQueryable) => Promise<R>): Promise<R> {
    const running = joined();
    if (running) return fn(running.q);
    await ready;
    return fn(client);
  }

  const notifyChannel = `${schema}_changes`;

  /** Follows other processes' commits: on NOTIFY, and every pollIntervalMs in case one was missed. */
  async function followOutbox(): Promise<{ stop: () => Promise<void> }> {
    const { rows } = await client.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM ${s}.changes`);
    lastSeen = Number(rows[0]?.seq ?? 0);
    let reading: Promise<void> = Promise.resolve();
    const readNew = () => {
      reading = reading.then(async () => {
        if (closed) return;
        try {
          const news = await client.query<{ seq: string; origin: string; payload: string }>(
            `SELECT seq, origin, payload FROM ${s}.changes WHERE seq > $1 ORDER BY seq`,
            [lastSeen],
          );
          for (const row of news.rows) {
            lastSeen = Number(row.seq);
            if (row.origin !== origin) feed.emit(decodeValue(JSON.parse(row.payload) as JsonValue) as StoreChange[]);
          }
        } catch (e) {
          if (!closed) console.error("store: reading other replicas' changes failed", e);
        }
      });
    };
    const unlisten = client.listen ? await client.listen(notifyChannel, readNew) : undefined;
    const timer = setInterval(readNew, options.pollIntervalMs ?? 1000);
    timer.unref();
    // The outbox only bridges the moment between a commit and the others reading it: rows older than
    // the retention are deleted (a replica down that long resumes from the records, not the outbox).
    const prune = setInterval(() => {
      if (closed) return;
      client
        .query(`DELETE FROM ${s}.changes WHERE committed_at < now() - make_interval(secs => $1)`, [(options.outbox?.retentionMs ?? 600_000) / 1000])
        .catch((e: unknown) => console.error("store: pruning the outbox failed", e));
    }, options.outbox?.pruneIntervalMs ?? 60_000);
    prune.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        clearInterval(prune);
        await unlisten?.();
        await reading;
      },
    };
  }

  function collection<T>(spec: CollectionSpec<T>): Collection<T> {
    const name = spec.name;
    const selectOne = async (q: SqlQueryable, id: string, forUpdate: boolean): Promise<Row | undefined> =>
      (
        await q.query<Row>(
          `SELECT id, organization_id, version, sequence, value FROM ${s}.records WHERE collection = $1 AND id = $2${forUpdate ? " FOR UPDATE" : ""}`,
          [name, id],
        )
      ).rows[0];
    const inScope = (row: Row | undefined, scope: Scope | undefined) =>
      row && (scope?.organizationId === undefined || row.organization_id === scope.organizationId) ? row : undefined;

    return {
      spec,
      get: (id, scope) =>
        read(async (q) => {
          const row = inScope(await selectOne(q, id, false), scope);
          return row && toRecord(spec, row);
        }),

      list: (query: ListQuery<T>): Promise<ListResult<T>> =>
        read(async (q) => {
          const desc = query.order === "desc";
          const params: unknown[] = [name];
          if (query.organizationId !== undefined) params.push(query.organizationId);
          let after = query.after;
          const wanted = query.limit + 1; // one more tells whether a next page exists
          const items: StoredRecord<T>[] = [];
          for (;;) {
            const batch = query.where ? Math.max(filterBatch, wanted) : wanted;
            const args = [...params];
            if (after !== undefined) args.push(after);
            args.push(batch);
            const { rows } = await q.query<Row>(
              listQuerySql(s, { organization: query.organizationId !== undefined, after: after !== undefined, desc }),
              args,
            );
            for (const row of rows) {
              const record = toRecord(spec, row);
              if (!query.where || query.where(record.value, record)) items.push(record);
              if (items.length === wanted) break;
            }
            if (items.length === wanted || rows.length < batch) break;
            after = Number(rows.at(-1)!.sequence);
          }
          const more = items.length > query.limit;
          if (more) items.pop();
          // With limit 0 there is no last item to continue after.
          const last = items.at(-1);
          return more && last ? { items, next: last.sequence } : { items };
        }),

      insert: (input) =>
        transact(async (tx) => {
          const value = spec.copy(input.value);
          const { rows } = await tx.q.query<{ sequence: string }>(
            `INSERT INTO ${s}.records (collection, id, organization_id, version, sequence, value)
             VALUES ($1, $2, $3, 1, nextval('${s}.record_sequence'), $4) ON CONFLICT (collection, id) DO NOTHING RETURNING sequence`,
            [name, input.id, input.organizationId, text(value)],
          );
          if (rows.length === 0) throw new StoreError("already_exists", spec.kind, input.id);
          const record: StoredRecord<T> = { id: input.id, organizationId: input.organizationId, version: 1, sequence: Number(rows[0]!.sequence), value };
          tx.changes.push({ collection: name, op: "insert", record: { ...record, value: spec.copy(value) } });
          return { ...record, value: spec.copy(value) };
        }),

      update: (id, next, options) =>
        transact(async (tx) => {
          const row = inScope(await selectOne(tx.q, id, true), options);
          if (!row) throw new StoreError("not_found", spec.kind, id);
          if (options?.expectVersion !== undefined && options.expectVersion !== row.version) throw new StoreError("version_conflict", spec.kind, id);
          const previous = toRecord(spec, row);
          // The function gets copies of its own: what it mutates is not the `previous` listeners see.
          const value = spec.copy(typeof next === "function" ? (next as (c: T, r: StoredRecord<T>) => T)(toRecord(spec, row).value, toRecord(spec, row)) : next);
          await tx.q.query(`UPDATE ${s}.records SET value = $3, version = version + 1 WHERE collection = $1 AND id = $2`, [name, id, text(value)]);
          const record: StoredRecord<T> = { ...previous, version: previous.version + 1, value };
          tx.changes.push({ collection: name, op: "update", record: { ...record, value: spec.copy(value) }, previous });
          return { ...record, value: spec.copy(value) };
        }),

      delete: (id, options) =>
        transact(async (tx) => {
          const row = inScope(await selectOne(tx.q, id, true), options);
          if (!row) return undefined;
          if (options?.expectVersion !== undefined && options.expectVersion !== row.version) throw new StoreError("version_conflict", spec.kind, id);
          await tx.q.query(`DELETE FROM ${s}.records WHERE collection = $1 AND id = $2`, [name, id]);
          const record = toRecord(spec, row);
          tx.changes.push({ collection: name, op: "delete", record });
          return { ...record, value: spec.copy(record.value) };
        }),
    };
  }

  return {
    ready,
    client,
    schema,
    shared: replicated,
    collection,
    onCommit: feed.onCommit,
    transaction: (fn) => transact(() => fn({ collection })),
    async clear() {
      if (joined()) throw new Error("store.clear() cannot run inside a transaction");
      await ready;
      const result = lock.then(() =>
        client.transaction(async (q) => {
          if (client.kind === "postgres") await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [writeLock]);
          await q.query(`DELETE FROM ${s}.records`);
        }),
      );
      lock = result.catch(() => undefined);
      await result;
    },
    async close() {
      closed = true;
      await ready.catch(() => undefined);
      await lock.catch(() => undefined);
      await following?.stop();
      await client.close();
    },
  };
}
