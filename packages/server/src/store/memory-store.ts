// The in-memory Store. Records live in one Map per collection (get is O(1)); each collection
// keeps an OrderedIndex of all its records and one per organization (a page costs O(log n +
// page size)). Writes are serialised by a single lock and recorded in an undo log, so a
// transaction that throws is rolled back whole and readers never see half of one.
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
  type ChangeListener,
  type StoreChange,
  type StoredRecord,
  type Transaction,
} from "./store.js";

interface Table {
  records: Map<string, StoredRecord<unknown>>;
  all: OrderedIndex;
  byOrganization: Map<string, OrderedIndex>;
}

type Undo = () => void;

interface RunningTransaction {
  undo: Undo[];
  changes: StoreChange[];
  open: boolean;
}

export interface MemoryStore extends Store {
  /** Work counters, for tests that prove the cost of operations. */
  readonly stats: IndexStats & { gets: number };
}

export function createMemoryStore(): MemoryStore {
  const stats = { searchSteps: 0, visited: 0, gets: 0 };
  const tables = new Map<string, Table>();
  const current = new AsyncLocalStorage<RunningTransaction>();
  let sequence = 0;
  let lock: Promise<unknown> = Promise.resolve();
  const listeners = new Set<ChangeListener>();

  function emit(changes: readonly StoreChange[]): void {
    if (changes.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(changes);
      } catch (e) {
        console.error("store change listener failed", e);
      }
    }
  }

  function table(name: string): Table {
    let t = tables.get(name);
    if (!t) {
      t = { records: new Map(), all: new OrderedIndex(stats), byOrganization: new Map() };
      tables.set(name, t);
    }
    return t;
  }

  function orgIndex(t: Table, organizationId: string): OrderedIndex {
    let index = t.byOrganization.get(organizationId);
    if (!index) {
      index = new OrderedIndex(stats);
      t.byOrganization.set(organizationId, index);
    }
    return index;
  }

  /** Runs `fn` inside the current transaction, or as a transaction of its own. */
  function run<R>(fn: (tx: RunningTransaction) => R | Promise<R>): Promise<R> {
    const tx = current.getStore();
    if (tx?.open) return Promise.resolve().then(() => fn(tx));
    const result = lock.then(async () => {
      const own: RunningTransaction = { undo: [], changes: [], open: true };
      let committed = false;
      try {
        const value = await current.run(own, () => fn(own));
        committed = true;
        return value;
      } catch (e) {
        for (const undo of own.undo.reverse()) undo();
        throw e;
      } finally {
        own.open = false;
        compactAll();
        if (committed) emit(own.changes);
      }
    });
    lock = result.catch(() => undefined);
    return result;
  }

  function compactAll(): void {
    for (const t of tables.values()) {
      const isLive = (seq: number, id: string) => t.records.get(id)?.sequence === seq;
      t.all.maybeCompact(isLive);
      for (const index of t.byOrganization.values()) index.maybeCompact(isLive);
    }
  }

  function inScope(record: StoredRecord<unknown> | undefined, scope: Scope | undefined) {
    if (!record) return undefined;
    if (scope?.organizationId !== undefined && record.organizationId !== scope.organizationId) return undefined;
    return record;
  }

  function collection<T>(spec: CollectionSpec<T>): Collection<T> {
    const t = table(spec.name);
    const records = t.records as Map<string, StoredRecord<T>>;
    const copyOut = (r: StoredRecord<T>): StoredRecord<T> => ({ ...r, value: spec.copy(r.value) });

    return {
      spec,
      get(id, scope) {
        return run(() => {
          stats.gets += 1;
          const r = inScope(records.get(id), scope) as StoredRecord<T> | undefined;
          return r && copyOut(r);
        });
      },

      list(query: ListQuery<T>): Promise<ListResult<T>> {
        return run(() => {
          const index =
            query.organizationId === undefined ? t.all : t.byOrganization.get(query.organizationId);
          const items: StoredRecord<T>[] = [];
          let more = false;
          index?.walk(query.after, (seq, id) => {
            const r = records.get(id);
            if (!r || r.sequence !== seq) return true; // a tombstone
            if (query.where && !query.where(r.value, r)) return true;
            if (items.length === query.limit) {
              more = true;
              return false;
            }
            items.push(copyOut(r));
            return true;
          });
          const last = items[items.length - 1];
          return { items, next: more && last ? last.sequence : undefined };
        });
      },

      insert({ id, organizationId, value }) {
        return run((tx) => {
          if (records.has(id)) throw new StoreError("already_exists", spec.kind, id);
          sequence += 1;
          const r: StoredRecord<T> = { id, organizationId, version: 1, sequence, value: spec.copy(value) };
          records.set(id, r);
          t.all.append(r.sequence, id);
          const index = orgIndex(t, organizationId);
          index.append(r.sequence, id);
          tx.undo.push(() => {
            records.delete(id);
            t.all.popLast();
            index.popLast();
          });
          if (listeners.size > 0) tx.changes.push({ collection: spec.name, op: "insert", record: copyOut(r) });
          return copyOut(r);
        });
      },

      update(id, next, options) {
        return run((tx) => {
          const prev = inScope(records.get(id), options) as StoredRecord<T> | undefined;
          if (!prev) throw new StoreError("not_found", spec.kind, id);
          if (options?.expectVersion !== undefined && options.expectVersion !== prev.version) {
            throw new StoreError("version_conflict", spec.kind, id);
          }
          const value =
            typeof next === "function"
              ? (next as (current: T, record: StoredRecord<T>) => T)(spec.copy(prev.value), copyOut(prev))
              : next;
          const r: StoredRecord<T> = { ...prev, version: prev.version + 1, value: spec.copy(value) };
          records.set(id, r);
          tx.undo.push(() => records.set(id, prev));
          if (listeners.size > 0) tx.changes.push({ collection: spec.name, op: "update", record: copyOut(r), previous: copyOut(prev) });
          return copyOut(r);
        });
      },

      delete(id, options) {
        return run((tx) => {
          const prev = inScope(records.get(id), options) as StoredRecord<T> | undefined;
          if (!prev) return undefined;
          if (options?.expectVersion !== undefined && options.expectVersion !== prev.version) {
            throw new StoreError("version_conflict", spec.kind, id);
          }
          records.delete(id);
          const index = orgIndex(t, prev.organizationId);
          t.all.markDead();
          index.markDead();
          tx.undo.push(() => {
            records.set(id, prev);
            t.all.markAlive();
            index.markAlive();
          });
          if (listeners.size > 0) tx.changes.push({ collection: spec.name, op: "delete", record: copyOut(prev) });
          return copyOut(prev);
        });
      },
    };
  }

  const store: MemoryStore = {
    stats,
    collection,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
      return run(() => fn({ collection }));
    },
  };
  return store;
}
