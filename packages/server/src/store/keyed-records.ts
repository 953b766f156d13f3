// Records that are unique by a key other than their id (a name per parent, a host per runner, …):
// each record's key lives in a key collection (value = the record's id), written and removed in the
// same transaction as the record. A lookup by key is two `get`s, never a scan, and a duplicate is
// the store's own already_exists on insert — decided atomically, so of concurrent duplicates exactly
// one wins. Call the writers inside a transaction, so that record and key change together.
import type { ConnectError } from "@connectrpc/connect";
import { deleteWhere } from "./scan.js";
import { StoreError, type CollectionSpec, type StoredRecord, type Transaction } from "./store.js";

export interface KeyedRecords<T> {
  /** The record whose key is `key`, or undefined. */
  find(tx: Transaction, organizationId: string, key: string): Promise<T | undefined>;
  /** Adds a record and its key; throws `duplicate(value)` when the key is taken. */
  insert(tx: Transaction, organizationId: string, id: string, value: T): Promise<void>;
  /** Replaces a record, moving its key when it changed (`duplicate` when the new key is taken). */
  update(tx: Transaction, organizationId: string, id: string, value: T): Promise<void>;
  /** Removes a record and its key; returns the removed record. */
  delete(tx: Transaction, organizationId: string, id: string): Promise<StoredRecord<T> | undefined>;
  /** Removes every record of the organization `match` selects, with their keys; returns how many. */
  deleteWhere(tx: Transaction, organizationId: string, match: (value: T) => boolean): Promise<number>;
}

export function keyedRecords<T>(
  spec: CollectionSpec<T>,
  keys: CollectionSpec<string>,
  keyOf: (value: T) => string,
  duplicate: (value: T) => ConnectError,
): KeyedRecords<T> {
  const insertKey = async (tx: Transaction, organizationId: string, id: string, value: T) => {
    try {
      await tx.collection(keys).insert({ id: keyOf(value), organizationId, value: id });
    } catch (e) {
      throw e instanceof StoreError && e.reason === "already_exists" ? duplicate(value) : e;
    }
  };
  return {
    async find(tx, organizationId, key) {
      const found = await tx.collection(keys).get(key, { organizationId });
      return found && (await tx.collection(spec).get(found.value, { organizationId }))?.value;
    },
    async insert(tx, organizationId, id, value) {
      await insertKey(tx, organizationId, id, value);
      await tx.collection(spec).insert({ id, organizationId, value });
    },
    async update(tx, organizationId, id, value) {
      const current = await tx.collection(spec).get(id, { organizationId });
      if (!current) throw new StoreError("not_found", spec.kind, id);
      if (keyOf(current.value) !== keyOf(value)) {
        await insertKey(tx, organizationId, id, value);
        await tx.collection(keys).delete(keyOf(current.value), { organizationId });
      }
      await tx.collection(spec).update(id, value, { organizationId });
    },
    async delete(tx, organizationId, id) {
      const removed = await tx.collection(spec).delete(id, { organizationId });
      if (removed) await tx.collection(keys).delete(keyOf(removed.value), { organizationId });
      return removed;
    },
    async deleteWhere(tx, organizationId, match) {
      const removed = await deleteWhere(tx, spec, organizationId, match);
      for (const r of removed) await tx.collection(keys).delete(keyOf(r.value), { organizationId });
      return removed.length;
    },
  };
}
