// Every record of an organization's collection that matches, read page by page — for the few
// places that need all of them (a runner's children, the SCM catalogue, a user's host tokens).
import type { CollectionSpec, StoredRecord, Transaction } from "../../store/store.js";

const pageSize = 500;

export async function recordsWhere<T>(
  tx: Transaction,
  spec: CollectionSpec<T>,
  organizationId: string,
  where: (value: T) => boolean,
): Promise<StoredRecord<T>[]> {
  const records: StoredRecord<T>[] = [];
  let after: number | undefined;
  do {
    const page = await tx.collection(spec).list({ organizationId, limit: pageSize, ...(after !== undefined ? { after } : {}), where });
    records.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return records;
}
