// The in-memory Store. Records live in one Map per collection (get is O(1)); each collection
// keeps an OrderedIndex of all its records and one per organization (a page costs O(log n +
// page size)). Writers take turns on a single lock, but a transaction never touches the committed
// tables: its writes go to an overlay of its own (read through by its own calls), which commit
// applies in one synchronous step. So reads outside a transaction take no lock and see the last
// committed state, never part of a running transaction; a rollback just drops the overlay; and a
// commit reconsiders for compaction only the indexes it added tombstones to.
import { AsyncLocalStorage } from "node:async_hooks";
import { OrderedIndex, type IndexStats } from "./ordered-index.js";
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
  type Transaction,
} from "./store.js";
import { createChangeFeed } from "./change-feed.js";
import { frozenCompact } from "./frozen-values.js";

type Rec = StoredRecord<unknown>;

/** Records by id plus the indexes over them. */
interface Tables<R> {
  records: Map<string, R>;
  all: OrderedIndex;
  byOrganization: Map<string, OrderedIndex>;
}

/** A collection's committed state. */
type Table = Tables<Rec>;

/** A transaction's writes to one collection: records it set (`undefined`: deleted) and index entries it appended. */
type Pending = Tables<Rec | undefined>;

interface RunningTransaction {
  pending: Map<Table, Pending>;
  changes: StoreChange[];
  open: boolean;
}

export interface MemoryStore extends Store {
  /** Work counters, for tests that prove the cost of operations. */
  readonly stats: IndexStats & { gets: number };
}

export function createMemoryStore(): MemoryStore {
  const stats = { searchSteps: 0, visited: 0, compactionChecks: 0, compactionSteps: 0, gets: 0 };
  const tables = new Map<string, Table>();
  const current = new AsyncLocalStorage<RunningTransaction>();
  let sequence = 0;
  let lock: Promise<unknown> = Promise.resolve();
  const feed = createChangeFeed();


  function newTables<R>(): Tables<R> {
    return { records: new Map(), all: new OrderedIndex(stats), byOrganization: new Map() };
  }

  function table(name: string): Table {
    let t = tables.get(name);
    if (!t) {
      t = newTables();
      tables.set(name, t);
    }
    return t;
  }

  function orgIndex<R>(t: Tables<R>, organizationId: string): OrderedIndex {
    let index = t.byOrganization.get(organizationId);
    if (!index) {
      index = new OrderedIndex(stats);
      t.byOrganization.set(organizationId, index);
    }
    return index;
  }

  function pendingOf(tx: RunningTransaction, t: Table): Pending {
    let p = tx.pending.get(t);
    if (!p) {
      p = newTables();
      tx.pending.set(t, p);
    }
    return p;
  }

  /** The record as `tx` sees it: its own pending write if it made one, else the committed one. */
  function lookup(t: Table, id: string, tx: RunningTransaction | undefined): Rec | undefined {
    const p = tx?.pending.get(t);
    return p?.records.has(id) ? p.records.get(id) : t.records.get(id);
  }

  function joined(): RunningTransaction | undefined {
    const tx = current.getStore();
    return tx?.open ? tx : undefined;
  }

  /** Runs `fn` now (reads never wait for writers), turning a throw into a rejection. */
  function now<R>(fn: () => R | PromiseLike<R>): Promise<R> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on whatever fn threw, unchanged
      return Promise.reject(e);
    }
  }

  /** Runs `fn` inside the current transaction, or queues it as a transaction of its own. */
  function transact<R>(fn: (tx: RunningTransaction) => R | Promise<R>): Promise<R> {
    const running = joined();
    if (running) return now(() => fn(running));
    const result = lock.then(async () => {
      const tx: RunningTransaction = { pending: new Map(), changes: [], open: true };
      try {
        const value = await current.run(tx, () => fn(tx));
        tx.open = false;
        commit(tx);
        feed.emit(tx.changes);
        return value;
      } finally {
        tx.open = false; // on a throw nothing was applied: dropping the overlay is the rollback
      }
    });
    lock = result.catch(() => undefined);
    return result;
  }

  /** Applies a transaction's overlays to the committed tables, synchronously so readers see all of it or none. */
  function commit(tx: RunningTransaction): void {
    for (const [t, p] of tx.pending) {
      const tombstoned = new Set<OrderedIndex>();
      for (const [id, r] of p.records) {
        const prev = t.records.get(id);
        // A deleted (or deleted and re-inserted) record leaves tombstones in its committed indexes.
        if (prev && prev.sequence !== r?.sequence) {
          for (const index of [t.all, orgIndex(t, prev.organizationId)]) {
            index.markDead();
            tombstoned.add(index);
          }
        }
        if (r) t.records.set(id, r);
        else t.records.delete(id);
      }
      // The transaction's sequences are newer than every committed one, so appending keeps order;
      // records it inserted and deleted again are left out.
      p.all.forEach((seq, id) => {
        const r = t.records.get(id);
        if (r?.sequence !== seq) return;
        t.all.append(seq, id);
        orgIndex(t, r.organizationId).append(seq, id);
      });
      // Only indexes that gained tombstones can need compaction.
      const isLive = (seq: number, id: string) => t.records.get(id)?.sequence === seq;
      for (const index of tombstoned) index.maybeCompact(isLive);
    }
  }

  function inScope(record: Rec | undefined, scope: Scope | undefined) {
    if (!record) return undefined;
    if (scope?.organizationId !== undefined && record.organizationId !== scope.organizationId) return undefined;
    return record;
  }

  function collection<T>(spec: CollectionSpec<T>): Collection<T> {
    const t = table(spec.name);
    const copyOut = (r: StoredRecord<T>): StoredRecord<T> => ({ ...r, value: spec.copy(r.value) });
    // Stored values are frozen, compact copies (frozen-values.ts), so a read-only read can hand out
    // the stored record itself: nobody can change what is stored through it, and answering a read
    // costs no copy.
    const readOut = (r: StoredRecord<T>, readOnly: boolean | undefined): StoredRecord<T> => (readOnly ? r : copyOut(r));
    const copyIn = (value: T): T => frozenCompact(spec.copy(value));
    const find = (id: string, tx: RunningTransaction | undefined, scope?: Scope) =>
      inScope(lookup(t, id, tx), scope) as StoredRecord<T> | undefined;

    return {
      spec,
      get(id, options) {
        return now(() => {
          stats.gets += 1;
          const r = find(id, joined(), options);
          return r && readOut(r, options?.readOnly);
        });
      },

      list(query: ListQuery<T>): Promise<ListResult<T>> {
        return now(() => {
          const tx = joined();
          const indexOf = (x: Tables<unknown>) =>
            query.organizationId === undefined ? x.all : x.byOrganization.get(query.organizationId);
          const items: StoredRecord<T>[] = [];
          let more = false;
          const visit = (seq: number, id: string) => {
            const r = lookup(t, id, tx) as StoredRecord<T> | undefined;
            if (!r || r.sequence !== seq) return true; // a tombstone, or deleted by this transaction
            if (query.where && !query.where(r.value, r)) return true;
            if (items.length === query.limit) {
              more = true;
              return false;
            }
            items.push(readOut(r, query.readOnly));
            return true;
          };
          // A transaction's own inserts are newer than everything committed: they come after it in
          // creation order, before it newest first.
          const p = tx?.pending.get(t);
          if (query.order === "desc") {
            if (p) indexOf(p)?.walkBack(query.after, visit);
            if (!more) indexOf(t)?.walkBack(query.after, visit);
          } else {
            indexOf(t)?.walk(query.after, visit);
            if (p && !more) indexOf(p)?.walk(query.after, visit);
          }
          const last = items[items.length - 1];
          return { items, next: more && last ? last.sequence : undefined };
        });
      },

      insert({ id, organizationId, value }) {
        return transact((tx) => {
          if (lookup(t, id, tx)) throw new StoreError("already_exists", spec.kind, id);
          sequence += 1;
          const r: StoredRecord<T> = Object.freeze({ id, organizationId, version: 1, sequence, value: copyIn(value) });
          const p = pendingOf(tx, t);
          p.records.set(id, r);
          p.all.append(r.sequence, id);
          orgIndex(p, organizationId).append(r.sequence, id);
          if (feed.listening) tx.changes.push({ collection: spec.name, op: "insert", record: copyOut(r) });
          return copyOut(r);
        });
      },

      update(id, next, options) {
        return transact((tx) => {
          const prev = find(id, tx, options);
          if (!prev) throw new StoreError("not_found", spec.kind, id);
          if (options?.expectVersion !== undefined && options.expectVersion !== prev.version) {
            throw new StoreError("version_conflict", spec.kind, id);
          }
          const value =
            typeof next === "function"
              ? (next as (current: T, record: StoredRecord<T>) => T)(spec.copy(prev.value), copyOut(prev))
              : next;
          const r: StoredRecord<T> = Object.freeze({ ...prev, version: prev.version + 1, value: copyIn(value) });
          pendingOf(tx, t).records.set(id, r);
          if (feed.listening) tx.changes.push({ collection: spec.name, op: "update", record: copyOut(r), previous: copyOut(prev) });
          return copyOut(r);
        });
      },

      delete(id, options) {
        return transact((tx) => {
          const prev = find(id, tx, options);
          if (!prev) return undefined;
          if (options?.expectVersion !== undefined && options.expectVersion !== prev.version) {
            throw new StoreError("version_conflict", spec.kind, id);
          }
          pendingOf(tx, t).records.set(id, undefined);
          if (feed.listening) tx.changes.push({ collection: spec.name, op: "delete", record: copyOut(prev) });
          return copyOut(prev);
        });
      },
    };
  }

  const store: MemoryStore = {
    stats,
    collection,
    onCommit: feed.onCommit,
    transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
      return transact(() => fn({ collection }));
    },
    clear() {
      if (joined()) return Promise.reject(new Error("clear() cannot run inside a transaction"));
      // In place: collections handed out earlier keep their table objects.
      const result = lock.then(() => {
        for (const t of tables.values()) {
          t.records.clear();
          t.all = new OrderedIndex(stats);
          t.byOrganization.clear();
        }
      });
      lock = result.catch(() => undefined);
      return result;
    },
  };
  return store;
}

