// Whole-collection scans of one organization, read page by page — for the few places that need
// every matching record (a runner's children, the SCM catalogue, a user's host tokens). Anything
// looked up by a key should be a `get` instead (see the key collections in collections.ts).
import type { CollectionSpec, StoredRecord, Transaction } from "./store.js";

const pageSize = 500;

/** Every record of the organization's collection for which `where` holds (all of them without it), in creation order. */
export async function recordsWhere<T>(
  tx: Transaction,
  spec: CollectionSpec<T>,
  organizationId: string,
  where?: (value: T) => boolean,
): Promise<StoredRecord<T>[]> {
  const records: StoredRecord<T>[] = [];
  let after: number | undefined;
  do {
    const page = await tx.collection(spec).list({
      organizationId,
      limit: pageSize,
      ...(after !== undefined ? { after } : {}),
      ...(where ? { where } : {}),
    });
    records.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return records;
}

/** Deletes every record of the organization's collection for which `match` holds; returns the removed records. */
export async function deleteWhere<T>(
  tx: Transaction,
  spec: CollectionSpec<T>,
  organizationId: string,
  match: (value: T) => boolean,
): Promise<StoredRecord<T>[]> {
  const removed: StoredRecord<T>[] = [];
  for (const r of await recordsWhere(tx, spec, organizationId, match)) {
    const gone = await tx.collection(spec).delete(r.id, { organizationId });
    if (gone) removed.push(gone);
  }
  return removed;
}

/**
 * Calls `visit` for every record of the collection, of every organization, in creation order, page
 * by page — for work that spans the whole store (the simulated runner resuming after a start).
 */
export async function forEachRecord<T>(
  tx: Transaction,
  spec: CollectionSpec<T>,
  visit: (record: StoredRecord<T>) => void | Promise<void>,
): Promise<void> {
  let after: number | undefined;
  do {
    const page = await tx.collection(spec).list({ limit: pageSize, ...(after !== undefined ? { after } : {}) });
    for (const r of page.items) await visit(r);
    after = page.next;
  } while (after !== undefined);
}
