// The storage interface every handler uses. It is small and async on purpose: the in-memory
// implementation (memory-store.ts) is the only one today, and a SQL store can implement the same
// interface later without any service code changing.
//
// Model: a store holds named collections; a collection holds records. A record is one resource
// (usually a generated protobuf message, e.g. a Runner) plus what the store keeps about it: its id,
// the organization it belongs to, a version (1 on insert, +1 on every update) and a sequence
// number (creation order across the whole store, the order lists return).
import { clone, type DescMessage, type MessageShape } from "@bufbuild/protobuf";

/** Describes one collection: its name and how to copy its values (the store never shares objects with callers). */
export interface CollectionSpec<T> {
  /** Unique name of the collection, e.g. "runners". */
  readonly name: string;
  /** What a record is called in error messages, e.g. "runner". */
  readonly kind: string;
  /** Deep copy of a value. */
  copy(value: T): T;
}

/** A collection of protobuf messages, e.g. `messageCollection("runners", "runner", RunnerSchema)`. */
export function messageCollection<Desc extends DescMessage>(
  name: string,
  kind: string,
  schema: Desc,
): CollectionSpec<MessageShape<Desc>> {
  return { name, kind, copy: (value) => clone(schema, value) };
}

/** A collection of plain data (structured-cloneable objects). */
export function plainCollection<T>(name: string, kind: string): CollectionSpec<T> {
  return { name, kind, copy: (value) => structuredClone(value) };
}

/** One stored resource and the store's bookkeeping about it. */
export interface StoredRecord<T> {
  readonly id: string;
  /** The organization the resource belongs to. Callers of other organizations must not see it. */
  readonly organizationId: string;
  /** 1 after insert, incremented by every update: use it for compare-and-swap (`expectVersion`). */
  readonly version: number;
  /** Creation order, unique and increasing across the store: lists are ordered by it. */
  readonly sequence: number;
  readonly value: T;
}

/** Restricts a single-record operation to one organization: a record of another one is treated as absent. */
export interface Scope {
  organizationId?: string;
}

/**
 * How a read may hand out values. `readOnly`: the caller only reads (e.g. to answer with it) and
 * never changes the value, so a store may hand out the value it holds, frozen, instead of a copy —
 * the memory store does; a SQL store decodes a fresh value either way.
 */
export interface ReadOptions extends Scope {
  readOnly?: boolean;
}

export interface ListQuery<T> {
  /** Only records of this organization (served from that organization's own index). */
  organizationId?: string;
  /** Cursor: the `sequence` of the last record of the previous page; omitted for the first page. */
  after?: number;
  /** "desc": newest first (the cursor then continues with older records). Default "asc". */
  order?: "asc" | "desc";
  /** At most this many records. */
  limit: number;
  /** The values are only read: see ReadOptions. */
  readOnly?: boolean;
  /**
   * Keeps only matching records. Records are visited in order until `limit` match, so a selective
   * filter visits more records than it returns.
   */
  where?: (value: T, record: StoredRecord<T>) => boolean;
}

export interface ListResult<T> {
  items: StoredRecord<T>[];
  /** The cursor for the next page (the last item's sequence) when more matching records follow; else undefined. */
  next?: number;
}

export interface Collection<T> {
  /** The collection's spec (name, kind). */
  readonly spec: CollectionSpec<T>;
  /** The record with this id, or undefined (also when it belongs to another organization than `scope`'s). */
  get(id: string, options?: ReadOptions): Promise<StoredRecord<T> | undefined>;
  /** One page of records in creation order, starting after `query.after`. */
  list(query: ListQuery<T>): Promise<ListResult<T>>;
  /** Adds a record. Throws StoreError "already_exists" if the id is taken. */
  insert(input: { id: string; organizationId: string; value: T }): Promise<StoredRecord<T>>;
  /**
   * Replaces a record's value, given either the new value or a function of the current one
   * (read-modify-write, atomic). Throws StoreError "not_found" when absent (or out of `scope`),
   * "version_conflict" when `expectVersion` is given and differs.
   */
  update(
    id: string,
    next: T | ((current: T, record: StoredRecord<T>) => T),
    options?: Scope & { expectVersion?: number },
  ): Promise<StoredRecord<T>>;
  /** Removes a record; returns the removed record, or undefined when there was none (in scope). */
  delete(id: string, options?: Scope & { expectVersion?: number }): Promise<StoredRecord<T> | undefined>;
}

/** The collections as seen inside a transaction. */
export interface Transaction {
  collection<T>(spec: CollectionSpec<T>): Collection<T>;
}

/** One write of a committed transaction, as change listeners see it. */
export interface StoreChange<T = unknown> {
  /** The collection's name (CollectionSpec.name). */
  readonly collection: string;
  readonly op: "insert" | "update" | "delete";
  /** The record after an insert or update; the removed record for a delete. */
  readonly record: StoredRecord<T>;
  /** The record before an update. */
  readonly previous?: StoredRecord<T>;
}

/** Called after each commit with its writes in the order they were made. Must not mutate them. */
export type ChangeListener = (changes: readonly StoreChange[]) => void;

export interface Store extends Transaction {
  /**
   * Whether other processes write the same data (a SQL store's replicas, whose commits arrive
   * through onCommit as well): what reacts to writes must then expect records to have moved on.
   */
  readonly shared?: boolean;

  /**
   * The change feed: `listener` is called after every committed transaction (or single write) with
   * its writes, in commit order; rolled-back writes are never reported. Everything that reacts to
   * writes (the simulated runner, event streams) listens here, so no write can be missed.
   * Returns a function that unsubscribes.
   */
  onCommit(listener: ChangeListener): () => void;

  /**
   * Runs `fn` atomically: either all its writes happen or, when it throws, none do; transactions
   * (and single writes) run one after another, never interleaved. Each operation called through
   * `store.collection(...)` outside a transaction is its own small transaction; reads there never
   * wait for a running transaction: they see the last committed state. Inside `fn`, use `tx`
   * (calls through `store` join the running transaction too and see its uncommitted writes). Do
   * not await unrelated slow work inside `fn`: it holds up every other writer.
   */
  transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R>;
  /**
   * Removes every record of every collection, after the running transaction (never inside one);
   * not reported to change listeners. The testing controls' reset uses it.
   */
  clear(): Promise<void>;
}

export type StoreErrorReason = "not_found" | "already_exists" | "version_conflict";

/**
 * What a store operation fails with. The server maps it to a ConnectError automatically
 * (not_found, already_exists, aborted), so handlers may let it propagate.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly reason: StoreErrorReason,
    readonly kind: string,
    readonly id: string,
  ) {
    super(
      reason === "not_found"
        ? `${kind} ${JSON.stringify(id)} not found`
        : reason === "already_exists"
          ? `${kind} ${JSON.stringify(id)} already exists`
          : `${kind} ${JSON.stringify(id)} was changed concurrently; re-read and retry`,
    );
  }
}
