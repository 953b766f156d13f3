// The behaviours every Store (store.ts) must have, as a vitest suite any implementation runs:
// `describeStoreContract("memory store", open)` in memory-store.spec.ts, the SQL stores in
// sql/sql-store.spec.ts. What only one implementation promises (the memory store's work counters)
// stays in that implementation's spec.
//
// Some stores answer a read outside a transaction from another connection, at once (memory,
// PostgreSQL); PGlite has one connection, so such a read waits until the running transaction
// ends. The tests of isolation accept both: a read must return committed state — what was
// committed before the transaction if it answered while the transaction was still running, else
// that or what the transaction committed — and never the transaction's uncommitted writes.
import { create, equals, isMessage } from "@bufbuild/protobuf";
import { timestampFromMs, TimestampSchema, type Timestamp } from "@bufbuild/protobuf/wkt";
import { EnvironmentPhase, EnvironmentSchema, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { afterEach, describe, expect, it } from "vitest";
import { messageCollection, plainCollection, StoreError, type Collection, type Store, type StoreChange, type Transaction } from "../store/store.js";

/** A store under test and how to dispose of it. */
export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

interface Item {
  n: number;
  tag?: string;
}
const items = plainCollection<Item>("items", "item");

/** How long a read outside a held transaction is given to answer before the transaction is let go. */
const answerWindowMs = 300;

/** Runs `before` in a transaction that then stops until `release()`, then runs `after` and commits. */
function heldTransaction(store: Store, before: (tx: Transaction) => Promise<void>, after?: (tx: Transaction) => Promise<void>) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let reached!: () => void;
  const midway = new Promise<void>((r) => (reached = r));
  const state = { released: false };
  const done = store.transaction(async (tx) => {
    await before(tx);
    reached();
    await gate;
    await after?.(tx);
  });
  return {
    midway,
    done,
    state,
    release() {
      state.released = true;
      open();
    },
  };
}

type Held = ReturnType<typeof heldTransaction>;

interface Observed<T> {
  value: T;
  /** It answered while the transaction was still held open. */
  early: boolean;
}

/**
 * Once `held` has made its first writes, starts `reads`, gives them answerWindowMs to answer,
 * then releases the transaction and waits for it to commit.
 */
async function readWhileHeld<T extends unknown[]>(held: Held, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<{ [K in keyof T]: Observed<T[K]> }> {
  await held.midway;
  const observed = reads.map((read: () => Promise<unknown>) => read().then((value) => ({ value, early: !held.state.released })));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(observed), new Promise((r) => (timer = setTimeout(r, answerWindowMs)))]);
  clearTimeout(timer);
  held.release();
  await held.done;
  return (await Promise.all(observed)) as { [K in keyof T]: Observed<T[K]> };
}

/** `seen` is committed state: `before` if it answered while the transaction was open, else `before` or `after`. */
function expectCommitted<T>(seen: Observed<T>, before: T, after: T): void {
  if (seen.early) expect(seen.value).toEqual(before);
  else expect([before, after]).toContainEqual(seen.value);
}

const ids = (page: { items: { id: string }[] }) => page.items.map((r) => r.id);
const nOf = (r: { value: Item } | undefined) => r?.value.n;

function sampleEnvironment(id: string, organizationId: string): Environment {
  return create(EnvironmentSchema, {
    id,
    metadata: {
      organizationId,
      name: `environment ${id}`,
      annotations: { team: "store" },
      createdAt: timestampFromMs(1_700_000_000_123),
      lastStartedAt: create(TimestampSchema, { seconds: 1_700_000_500n, nanos: 999_999_999 }),
    },
    // Above 2^53: survives only as a bigint.
    spec: { specVersion: 9_007_199_254_740_993n, desiredPhase: EnvironmentPhase.RUNNING },
    status: { statusVersion: 18_446_744_073_709_551_000n, phase: EnvironmentPhase.STARTING },
  });
}

/** A plain record holding messages and a bigint, as the server's own records do. */
interface EnvironmentNote {
  environment: Environment;
  seenAt: Timestamp;
  note: string;
  counter: bigint;
}

export function describeStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(name, () => {
    const opened: OpenedStore[] = [];
    afterEach(async () => {
      for (const o of opened.splice(0)) await o.close();
    });

    async function fresh(): Promise<Store> {
      const o = await open();
      opened.push(o);
      return o.store;
    }

    /** A store whose `items` hold id-0 … id-(count-1), `n` = index, spread round-robin over `organizations`. */
    async function filled(count: number, organizations = ["org-a"]): Promise<{ store: Store; c: Collection<Item> }> {
      const store = await fresh();
      const c = store.collection(items);
      for (let i = 0; i < count; i++) {
        await c.insert({ id: `id-${i}`, organizationId: organizations[i % organizations.length]!, value: { n: i } });
      }
      return { store, c };
    }

    describe("lists", () => {
      it("returns records in creation order, stably across updates and with a cursor that survives deletions", async () => {
        const { c } = await filled(10);
        await c.update("id-3", { n: 300 });
        const first = await c.list({ limit: 4 });
        expect(ids(first)).toEqual(["id-0", "id-1", "id-2", "id-3"]);
        await c.delete("id-3");
        await c.delete("id-4");
        const second = await c.list({ after: first.next!, limit: 4 });
        expect(ids(second)).toEqual(["id-5", "id-6", "id-7", "id-8"]);
        const third = await c.list({ after: second.next!, limit: 4 });
        expect(ids(third)).toEqual(["id-9"]);
        expect(third.next).toBeUndefined();
      });

      it("pages through stably while other writers insert and delete concurrently: each surviving record once, in order, none deleted before its page", async () => {
        const { c } = await filled(120, ["org-a", "org-b"]);
        const deleted = new Set<string>();
        let writes = 0;
        let paging = true;
        // A writer that keeps inserting new records and deleting old ones while the reader pages.
        const writer = (async () => {
          for (let i = 0; paging && i < 400; i++) {
            await c.insert({ id: `new-${i}`, organizationId: "org-a", value: { n: 1000 + i } });
            const victim = `id-${(i * 7) % 120}`;
            if (!deleted.has(victim) && (await c.delete(victim))) deleted.add(victim);
            writes += 2;
          }
        })();
        const seen: string[] = [];
        let after: number | undefined;
        let lastSequence = 0;
        do {
          const page = await c.list({ organizationId: "org-a", limit: 7, ...(after !== undefined ? { after } : {}) });
          for (const r of page.items) {
            expect(r.sequence).toBeGreaterThan(lastSequence);
            lastSequence = r.sequence;
            seen.push(r.id);
          }
          after = page.next;
          await new Promise((r) => setImmediate(r));
        } while (after !== undefined && seen.filter((id) => id.startsWith("id-")).length < 60);
        paging = false;
        await writer;
        expect(writes).toBeGreaterThan(0);
        expect(new Set(seen).size).toBe(seen.length);
        // Every original org-a record that was never deleted was seen (they all precede the new ones).
        const originals = Array.from({ length: 120 }, (_, i) => `id-${i}`).filter((id, i) => i % 2 === 0 && !deleted.has(id));
        expect(seen.filter((id) => id.startsWith("id-"))).toEqual(expect.arrayContaining(originals));
      });

      it("gives each record a sequence that increases in creation order and a page's next equal to its last item's sequence", async () => {
        const { c } = await filled(5);
        const page = await c.list({ limit: 3 });
        const sequences = page.items.map((r) => r.sequence);
        expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
        expect(new Set(sequences).size).toBe(3);
        expect(page.next).toBe(sequences[2]);
        const exact = await c.list({ limit: 5 });
        expect(exact.items).toHaveLength(5);
        expect(exact.next).toBeUndefined();
      });

      it("lists newest first when asked, with a cursor that continues with older records across a deletion", async () => {
        const { c } = await filled(10);
        const first = await c.list({ order: "desc", limit: 4 });
        expect(ids(first)).toEqual(["id-9", "id-8", "id-7", "id-6"]);
        await c.delete("id-5");
        const second = await c.list({ order: "desc", after: first.next!, limit: 4 });
        expect(ids(second)).toEqual(["id-4", "id-3", "id-2", "id-1"]);
        const third = await c.list({ order: "desc", after: second.next!, limit: 4 });
        expect(ids(third)).toEqual(["id-0"]);
        expect(third.next).toBeUndefined();
      });

      it("lists only one organization's records, in creation order, with cursors, both directions", async () => {
        const { c } = await filled(9, ["org-a", "org-b", "org-c"]);
        const first = await c.list({ organizationId: "org-b", limit: 2 });
        expect(ids(first)).toEqual(["id-1", "id-4"]);
        expect(ids(await c.list({ organizationId: "org-b", after: first.next!, limit: 2 }))).toEqual(["id-7"]);
        expect(ids(await c.list({ organizationId: "org-b", order: "desc", limit: 5 }))).toEqual(["id-7", "id-4", "id-1"]);
        expect((await c.list({ organizationId: "org-none", limit: 5 })).items).toEqual([]);
      });

      it("returns no items and no next page for a limit of 0", async () => {
        const { c } = await filled(3);
        for (const order of ["asc", "desc"] as const) {
          const page = await c.list({ limit: 0, order });
          expect(page.items).toEqual([]);
          expect(page.next).toBeUndefined();
          expect((await c.list({ limit: 0, order, where: () => true })).items).toEqual([]);
        }
      });

      it("keeps listing correct after most records are deleted", async () => {
        const { store, c } = await filled(0);
        await store.transaction(async (tx) => {
          const t = tx.collection(items);
          for (let i = 0; i < 300; i++) await t.insert({ id: `id-${i}`, organizationId: "org-a", value: { n: i } });
        });
        await store.transaction(async (tx) => {
          for (let i = 0; i < 300; i++) if (i % 10 !== 0) await tx.collection(items).delete(`id-${i}`);
        });
        const all = await c.list({ limit: 300 });
        expect(all.items.map((r) => r.value.n)).toEqual(Array.from({ length: 30 }, (_, i) => i * 10));
        expect(all.next).toBeUndefined();
        const page = await c.list({ organizationId: "org-a", after: all.items[4]!.sequence, limit: 3 });
        expect(page.items.map((r) => r.value.n)).toEqual([50, 60, 70]);
      });

      it("with a where predicate across many rows returns exactly `limit` matches and a next that continues after the last", async () => {
        const { store, c } = await filled(0);
        await store.transaction(async (tx) => {
          const t = tx.collection(items);
          for (let i = 0; i < 1_000; i++) {
            await t.insert({ id: `id-${i}`, organizationId: i % 2 === 0 ? "org-a" : "org-b", value: { n: i, tag: i % 50 === 0 ? "rare" : "common" } });
          }
        });
        const rare = (v: Item) => v.tag === "rare";
        // 7 matches lie within the first 351 records: more than one batch of a store that reads in batches.
        const first = await c.list({ limit: 7, where: rare });
        expect(first.items.map((r) => r.value.n)).toEqual([0, 50, 100, 150, 200, 250, 300]);
        expect(first.next).toBe(first.items[6]!.sequence);
        const second = await c.list({ limit: 7, after: first.next!, where: rare });
        expect(second.items.map((r) => r.value.n)).toEqual([350, 400, 450, 500, 550, 600, 650]);
        const last = await c.list({ limit: 7, after: second.next!, where: rare });
        expect(last.items.map((r) => r.value.n)).toEqual([700, 750, 800, 850, 900, 950]);
        expect(last.next).toBeUndefined();
        // Exactly `limit` matches remaining: no next page.
        const exact = await c.list({ limit: 6, after: second.next!, where: rare });
        expect(exact.items).toHaveLength(6);
        expect(exact.next).toBeUndefined();

        // The predicate also sees the record; combined with an organization and newest first.
        const desc = await c.list({ organizationId: "org-a", order: "desc", limit: 4, where: (v, r) => v.n % 100 === 0 && r.id !== "id-900" });
        expect(desc.items.map((r) => r.value.n)).toEqual([800, 700, 600, 500]);
        expect(desc.next).toBe(desc.items[3]!.sequence);
        const none = await c.list({ limit: 5, where: () => false });
        expect(none).toEqual({ items: [] });
      });
    });

    describe("single-record operations", () => {
      it("hides records of another organization from scoped get, update and delete", async () => {
        const { c } = await filled(1);
        expect(await c.get("id-0", { organizationId: "org-b" })).toBeUndefined();
        await expect(c.update("id-0", { n: 1 }, { organizationId: "org-b" })).rejects.toMatchObject({ reason: "not_found" });
        expect(await c.delete("id-0", { organizationId: "org-b" })).toBeUndefined();
        expect((await c.get("id-0", { organizationId: "org-a" }))?.value.n).toBe(0);
        expect(await c.get("id-0")).toMatchObject({ id: "id-0", organizationId: "org-a", version: 1, value: { n: 0 } });
      });

      it("refuses a second record with the same id with StoreError already_exists and keeps the first", async () => {
        const { c } = await filled(1);
        const refused = c.insert({ id: "id-0", organizationId: "org-b", value: { n: 9 } });
        await expect(refused).rejects.toBeInstanceOf(StoreError);
        await expect(refused).rejects.toMatchObject({ reason: "already_exists", id: "id-0" });
        expect(await c.get("id-0")).toMatchObject({ organizationId: "org-a", version: 1, value: { n: 0 } });
      });

      it("reports an absent record: get undefined, update not_found, delete undefined", async () => {
        const { c } = await filled(0);
        expect(await c.get("nope")).toBeUndefined();
        await expect(c.update("nope", { n: 1 })).rejects.toMatchObject({ reason: "not_found", kind: "item" });
        expect(await c.delete("nope")).toBeUndefined();
      });

      it("keeps collections apart", async () => {
        const { store, c } = await filled(1);
        const others = store.collection(plainCollection<Item>("others", "other"));
        expect(await others.get("id-0")).toBeUndefined();
        await others.insert({ id: "id-0", organizationId: "org-a", value: { n: 5 } });
        expect((await c.get("id-0"))?.value.n).toBe(0);
        expect(ids(await others.list({ limit: 10 }))).toEqual(["id-0"]);
      });

      it("copies values in and out so callers never share state with the store", async () => {
        const { c } = await filled(0);
        const value: Item = { n: 0 };
        const inserted = await c.insert({ id: "id-0", organizationId: "org-a", value });
        value.n = 1;
        inserted.value.n = 2;
        const r = await c.get("id-0");
        r!.value.n = 99;
        (await c.list({ limit: 1 })).items[0]!.value.n = 98;
        expect((await c.get("id-0"))?.value.n).toBe(0);
        const next: Item = { n: 3 };
        const updated = await c.update("id-0", next);
        next.n = 4;
        updated.value.n = 5;
        expect((await c.get("id-0"))?.value.n).toBe(3);
      });

      it("answers read-only reads with values nobody can change the stored record through", async () => {
        const { c } = await filled(0);
        await c.insert({ id: "id-0", organizationId: "org-a", value: { n: 0 } });
        const reads = [(await c.get("id-0", { readOnly: true }))!, (await c.list({ limit: 1, readOnly: true })).items[0]!];
        for (const r of reads) {
          expect(r.value.n).toBe(0);
          // A store may hand out its own value (frozen: the change throws) or a copy (the change is lost).
          try {
            r.value.n = 99;
          } catch (e) {
            expect(e).toBeInstanceOf(TypeError);
          }
        }
        expect((await c.get("id-0"))?.value.n).toBe(0);
        // An ordinary read is still a copy to change at will.
        const copy = (await c.get("id-0"))!;
        copy.value.n = 7;
        expect(copy.value.n).toBe(7);
        expect((await c.get("id-0", { readOnly: true }))?.value.n).toBe(0);
      });

      it("returns an update's new record with the version incremented, from a value or a function of the current one", async () => {
        const { c } = await filled(1);
        expect(await c.update("id-0", { n: 10 })).toMatchObject({ id: "id-0", organizationId: "org-a", version: 2, value: { n: 10 } });
        const seen: unknown[] = [];
        const r = await c.update("id-0", (cur, record) => {
          seen.push(cur.n, record.version);
          return { n: cur.n + 1 };
        });
        expect(seen).toEqual([10, 2]);
        expect(r).toMatchObject({ version: 3, value: { n: 11 } });
        const removed = await c.delete("id-0");
        expect(removed).toMatchObject({ id: "id-0", version: 3, value: { n: 11 } });
        expect(await c.get("id-0")).toBeUndefined();
      });

      it("gives an update function copies: mutating its arguments changes neither the store nor what listeners see as previous", async () => {
        const { store, c } = await filled(1);
        const changes: StoreChange[] = [];
        store.onCommit((batch) => changes.push(...batch));
        await c.update("id-0", (cur, record) => {
          record.value.n = 999;
          cur.n = 5;
          return cur;
        });
        expect((await c.get("id-0"))?.value.n).toBe(5);
        expect(changes[0]?.previous).toMatchObject({ version: 1, value: { n: 0 } });
      });

      it("serialises concurrent read-modify-write updates of one record", async () => {
        const { c } = await filled(1);
        await Promise.all(Array.from({ length: 200 }, () => c.update("id-0", (cur) => ({ n: cur.n + 1 }))));
        const r = await c.get("id-0");
        expect(r?.value.n).toBe(200);
        expect(r?.version).toBe(201);
      });

      it("rejects a compare-and-swap update or delete with a stale version with StoreError version_conflict", async () => {
        const { c } = await filled(1);
        const r = await c.get("id-0");
        await c.update("id-0", { n: 1 }, { expectVersion: r!.version });
        const stale = c.update("id-0", { n: 2 }, { expectVersion: r!.version });
        await expect(stale).rejects.toBeInstanceOf(StoreError);
        await expect(stale).rejects.toMatchObject({ reason: "version_conflict" });
        await expect(c.delete("id-0", { expectVersion: r!.version })).rejects.toMatchObject({ reason: "version_conflict" });
        expect(await c.get("id-0")).toMatchObject({ version: 2, value: { n: 1 } });
        expect(await c.delete("id-0", { expectVersion: 2 })).toMatchObject({ version: 2 });
      });
    });

    describe("transactions", () => {
      it("rolls back every write of a transaction that throws", async () => {
        const { store, c } = await filled(3);
        await expect(
          store.transaction(async (tx) => {
            const t = tx.collection(items);
            await t.insert({ id: "new", organizationId: "org-a", value: { n: 100 } });
            await t.update("id-0", { n: -1 });
            await t.delete("id-1");
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        expect(await c.get("new")).toBeUndefined();
        expect((await c.get("id-0"))?.value.n).toBe(0);
        expect((await c.get("id-1"))?.value.n).toBe(1);
        expect(ids(await c.list({ limit: 10 }))).toEqual(["id-0", "id-1", "id-2"]);
        expect((await c.list({ organizationId: "org-a", limit: 10 })).items).toHaveLength(3);
      });

      it("commits a transaction that caught a StoreError of its own and returns fn's value", async () => {
        const { store, c } = await filled(1);
        const result = await store.transaction(async (tx) => {
          const t = tx.collection(items);
          await t.insert({ id: "id-0", organizationId: "org-a", value: { n: 1 } }).catch((e: unknown) => e);
          await t.update("id-0", { n: 2 });
          return "done";
        });
        expect(result).toBe("done");
        expect((await c.get("id-0"))?.value.n).toBe(2);
      });

      it("never lets a reader outside a transaction see its uncommitted writes", async () => {
        const { store, c } = await filled(1);
        const held = heldTransaction(
          store,
          async (t) => void (await t.collection(items).update("id-0", { n: 1 })),
          async (t) => void (await t.collection(items).update("id-0", { n: 2 })),
        );
        const [read] = await readWhileHeld<[number | undefined]>(held, [() => c.get("id-0").then(nOf)]);
        // Answered while the transaction was open: 0. Waited for it (PGlite): 0 or 2. Never 1.
        expectCommitted(read, 0, 2);
        expect((await c.get("id-0"))?.value.n).toBe(2);
      });

      it("answers get and list outside a held-open transaction with committed values only", async () => {
        const { store, c } = await filled(3, ["org-a", "org-b"]);
        const held = heldTransaction(
          store,
          async (tx) => {
            const t = tx.collection(items);
            await t.update("id-0", { n: 100 });
            await t.insert({ id: "new", organizationId: "org-a", value: { n: 3 } });
            await t.delete("id-2");
          },
          async (tx) => {
            const t = tx.collection(items);
            await t.update("id-0", { n: 101 });
            await t.insert({ id: "late", organizationId: "org-a", value: { n: 4 } });
          },
        );
        const [id0, fresh, all, orgA] = await readWhileHeld<[number | undefined, number | undefined, string[], string[]]>(held, [
          () => c.get("id-0").then(nOf),
          () => c.get("new").then(nOf),
          () => c.list({ limit: 10 }).then(ids),
          () => c.list({ organizationId: "org-a", limit: 10 }).then(ids),
        ]);
        expectCommitted(id0, 0, 101);
        expectCommitted(fresh, undefined, 3);
        expectCommitted(all, ["id-0", "id-1", "id-2"], ["id-0", "id-1", "new", "late"]);
        expectCommitted(orgA, ["id-0", "id-2"], ["id-0", "new", "late"]);

        expect((await c.get("id-0"))?.value.n).toBe(101);
        expect(ids(await c.list({ limit: 10 }))).toEqual(["id-0", "id-1", "new", "late"]);
        expect(ids(await c.list({ organizationId: "org-a", limit: 10 }))).toEqual(["id-0", "new", "late"]);
      });

      it("lets reads inside a running transaction see its own uncommitted writes, through tx and through the store", async () => {
        const { store, c } = await filled(3);
        const held = heldTransaction(store, async (tx) => {
          const t = tx.collection(items);
          await t.update("id-0", { n: 100 });
          await t.insert({ id: "new", organizationId: "org-a", value: { n: 3 } });
          await t.delete("id-1");
          await c.insert({ id: "gone", organizationId: "org-a", value: { n: 4 } });
          await c.delete("gone");
          for (const view of [t, c]) {
            expect((await view.get("id-0"))?.value.n).toBe(100);
            expect((await view.get("new"))?.version).toBe(1);
            expect(await view.get("id-1")).toBeUndefined();
            expect(await view.get("gone")).toBeUndefined();
            expect(ids(await view.list({ limit: 10 }))).toEqual(["id-0", "id-2", "new"]);
            const first = await view.list({ organizationId: "org-a", limit: 2 });
            expect(ids(first)).toEqual(["id-0", "id-2"]);
            expect(ids(await view.list({ organizationId: "org-a", after: first.next!, limit: 2 }))).toEqual(["new"]);
          }
        });
        // Meanwhile, outside the transaction, none of it is visible.
        const [outside] = await readWhileHeld<[string[]]>(held, [() => c.list({ limit: 10 }).then(ids)]);
        expectCommitted(outside, ["id-0", "id-1", "id-2"], ["id-0", "id-2", "new"]);
        expect(ids(await c.list({ limit: 10 }))).toEqual(["id-0", "id-2", "new"]);
      });

      it("puts a transaction's own inserts first when listing newest first inside it", async () => {
        const { store } = await filled(2);
        const listed = await store.transaction(async (tx) => {
          await tx.collection(items).insert({ id: "new", organizationId: "org-a", value: { n: 9 } });
          return ids(await tx.collection(items).list({ order: "desc", limit: 10 }));
        });
        expect(listed).toEqual(["new", "id-1", "id-0"]);
      });

      it("serialises 200 concurrent transactions that read a record and write it back", async () => {
        const { store, c } = await filled(1);
        await Promise.all(
          Array.from({ length: 200 }, () =>
            store.transaction(async (tx) => {
              const t = tx.collection(items);
              const cur = await t.get("id-0");
              await Promise.resolve(); // yield mid-transaction: nothing may interleave here
              await t.update("id-0", { n: cur!.value.n + 1 }, { expectVersion: cur!.version });
            }),
          ),
        );
        const r = await c.get("id-0");
        expect(r?.value.n).toBe(200);
        expect(r?.version).toBe(201);
      });

      it("lets store calls inside a transaction join it instead of deadlocking", async () => {
        const { store, c } = await filled(1);
        await store.transaction(async () => {
          await c.update("id-0", { n: 5 });
          expect((await c.get("id-0"))?.value.n).toBe(5);
        });
        expect((await c.get("id-0"))?.value.n).toBe(5);
      });

      it("keeps serving after a failed transaction", async () => {
        const { store, c } = await filled(1);
        await expect(store.transaction(async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
        await expect(store.transaction((tx) => tx.collection(items).update("nope", { n: 1 }))).rejects.toMatchObject({ reason: "not_found" });
        await c.update("id-0", { n: 7 });
        expect((await c.get("id-0"))?.value.n).toBe(7);
      });
    });

    describe("change listeners", () => {
      it("reports each committed transaction's writes once, in write order", async () => {
        const { store, c } = await filled(2);
        const seen: string[][] = [];
        const stop = store.onCommit((changes) => seen.push(changes.map((ch) => `${ch.collection} ${ch.op} ${ch.record.id} ${JSON.stringify(ch.record.value)}`)));
        await store.transaction(async (tx) => {
          const t = tx.collection(items);
          await t.insert({ id: "new", organizationId: "org-a", value: { n: 100 } });
          await t.update("id-0", (v) => ({ n: v.n + 1 }));
          await t.delete("id-1");
        });
        await c.update("id-0", { n: 7 });
        stop();
        await c.update("id-0", { n: 8 });
        expect(seen).toEqual([
          ['items insert new {"n":100}', 'items update id-0 {"n":1}', 'items delete id-1 {"n":1}'],
          ['items update id-0 {"n":7}'],
        ]);
      });

      it("never reports the writes of a transaction that rolled back", async () => {
        const { store, c } = await filled(1);
        const seen: number[] = [];
        store.onCommit((changes) => seen.push(changes.length));
        await expect(
          store.transaction(async (tx) => {
            await tx.collection(items).update("id-0", { n: 5 });
            throw new Error("no");
          }),
        ).rejects.toThrow("no");
        await c.get("id-0");
        await store.transaction(async (tx) => void (await tx.collection(items).get("id-0")));
        expect(seen).toEqual([]);
      });

      it("gives an update's listener the record before and after", async () => {
        const { store, c } = await filled(1);
        const changes: StoreChange[] = [];
        store.onCommit((batch) => changes.push(...batch));
        await c.update("id-0", { n: 42 });
        expect(changes).toHaveLength(1);
        expect(changes[0]).toMatchObject({
          collection: "items",
          op: "update",
          previous: { id: "id-0", version: 1, value: { n: 0 } },
          record: { id: "id-0", version: 2, value: { n: 42 } },
        });
      });
    });

    describe("clear", () => {
      it("clears every collection, after the running transaction, without reporting changes", async () => {
        const { store, c } = await filled(3);
        const others = store.collection(plainCollection<Item>("others", "other"));
        await others.insert({ id: "o", organizationId: "org-a", value: { n: 1 } });
        const reported: number[] = [];
        store.onCommit((changes) => reported.push(changes.length));
        const held = heldTransaction(store, async (tx) => void (await tx.collection(items).insert({ id: "late", organizationId: "org-a", value: { n: 1 } })));
        await held.midway;
        const cleared = store.clear();
        held.release();
        await held.done;
        await cleared;
        expect((await c.list({ limit: 10 })).items).toEqual([]);
        expect(await c.get("late")).toBeUndefined();
        expect(await others.get("o")).toBeUndefined();
        expect(reported).toEqual([1]);
        await c.insert({ id: "again", organizationId: "org-a", value: { n: 2 } });
        expect(ids(await c.list({ organizationId: "org-a", limit: 10 }))).toEqual(["again"]);
      });

      it("refuses to clear inside a transaction", async () => {
        const { store, c } = await filled(1);
        await expect(store.transaction(() => store.clear())).rejects.toThrow();
        expect((await c.get("id-0"))?.value.n).toBe(0);
      });
    });

    describe("protobuf values", () => {
      const envs = messageCollection("environments", "environment", EnvironmentSchema);
      const notes = plainCollection<EnvironmentNote>("environment_notes", "environment note");

      it("gives back messages equal to the ones stored, 64-bit integers and nested Timestamps included", async () => {
        const store = await fresh();
        const c = store.collection(envs);
        const changes: StoreChange[] = [];
        store.onCommit((batch) => changes.push(...batch));
        const env = sampleEnvironment("e1", "org-a");
        const inserted = await c.insert({ id: "e1", organizationId: "org-a", value: env });
        expect(equals(EnvironmentSchema, inserted.value, env)).toBe(true);

        const got = (await c.get("e1"))!.value;
        expect(isMessage(got, EnvironmentSchema)).toBe(true);
        expect(equals(EnvironmentSchema, got, env)).toBe(true);
        expect(got.spec?.specVersion).toBe(9_007_199_254_740_993n);
        expect(got.status?.statusVersion).toBe(18_446_744_073_709_551_000n);
        expect(got.metadata?.lastStartedAt?.nanos).toBe(999_999_999);
        const listed = (await c.list({ organizationId: "org-a", limit: 5 })).items[0]!.value;
        expect(equals(EnvironmentSchema, listed, env)).toBe(true);

        const updated = await c.update("e1", (cur) => {
          expect(isMessage(cur, EnvironmentSchema)).toBe(true);
          cur.status!.statusVersion += 1n;
          return cur;
        });
        const expected = sampleEnvironment("e1", "org-a");
        expected.status!.statusVersion += 1n;
        expect(equals(EnvironmentSchema, updated.value, expected)).toBe(true);
        expect(equals(EnvironmentSchema, (await c.get("e1"))!.value, expected)).toBe(true);

        // The copy handed out is the caller's own.
        got.metadata!.name = "changed";
        expect((await c.get("e1"))!.value.metadata?.name).toBe("environment e1");

        const [insert, update] = changes;
        expect(equals(EnvironmentSchema, insert!.record.value as Environment, env)).toBe(true);
        expect(equals(EnvironmentSchema, update!.previous!.value as Environment, env)).toBe(true);
        expect(equals(EnvironmentSchema, update!.record.value as Environment, expected)).toBe(true);
      });

      it("gives back plain records holding messages and bigints equal to the ones stored", async () => {
        const store = await fresh();
        const c = store.collection(notes);
        const value: EnvironmentNote = {
          environment: sampleEnvironment("e2", "org-b"),
          seenAt: timestampFromMs(1_700_000_000_456),
          note: "first",
          counter: -(2n ** 63n),
        };
        await c.insert({ id: "n1", organizationId: "org-b", value });
        await c.insert({ id: "n2", organizationId: "org-b", value: { ...value, note: "second" } });
        const back = (await c.get("n1", { organizationId: "org-b" }))!.value;
        expect(isMessage(back.environment, EnvironmentSchema)).toBe(true);
        expect(equals(EnvironmentSchema, back.environment, value.environment)).toBe(true);
        expect(equals(TimestampSchema, back.seenAt, value.seenAt)).toBe(true);
        expect(back.counter).toBe(-(2n ** 63n));
        expect(back.note).toBe("first");

        const page = await c.list({ organizationId: "org-b", order: "desc", limit: 5 });
        expect(page.items.map((r) => r.value.note)).toEqual(["second", "first"]);
        for (const r of page.items) expect(equals(EnvironmentSchema, r.value.environment, value.environment)).toBe(true);

        const updated = await c.update("n1", (cur) => ({ ...cur, counter: cur.counter + 1n }));
        expect(updated.value.counter).toBe(-(2n ** 63n) + 1n);
        expect(equals(EnvironmentSchema, (await c.get("n1"))!.value.environment, value.environment)).toBe(true);
      });
    });
  });
}
