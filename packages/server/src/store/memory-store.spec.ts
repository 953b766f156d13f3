import { describe, expect, it } from "vitest";
import { createMemoryStore, type MemoryStore } from "./memory-store.js";
import { plainCollection, StoreError, type Transaction } from "./store.js";

interface Item {
  n: number;
  tag?: string;
}
const items = plainCollection<Item>("items", "item");

async function filled(count: number, organizations = ["org-a"]) {
  const store = createMemoryStore();
  const c = store.collection(items);
  for (let i = 0; i < count; i++) {
    await c.insert({ id: `id-${i}`, organizationId: organizations[i % organizations.length]!, value: { n: i } });
  }
  return { store, c };
}

/** The promise's value if it settles before the event loop's next turn (i.e. without waiting on anything), else "blocked". */
function withoutWaiting<T>(p: Promise<T>): Promise<T | "blocked"> {
  return Promise.race([p, new Promise<"blocked">((r) => setImmediate(() => r("blocked")))]);
}

/** Runs `body` in a transaction that stops mid-way: resolves `midway` once `body` is done, commits after `release()`. */
function heldTransaction(store: MemoryStore, body: (tx: Transaction) => Promise<void>) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const midway = new Promise<void>((r) => (reached = r));
  const done = store.transaction(async (tx) => {
    await body(tx);
    reached();
    await gate;
  });
  return { midway, release, done };
}

const ids = (page: { items: { id: string }[] } | "blocked") => (page === "blocked" ? page : page.items.map((r) => r.id));

describe("memory store", () => {
  it("gets a record in constant work whatever the collection's size", async () => {
    const { store, c } = await filled(5_000);
    const before = { ...store.stats };
    const r = await c.get("id-4321");
    expect(r?.value.n).toBe(4321);
    expect(store.stats.visited - before.visited).toBe(0);
    expect(store.stats.searchSteps - before.searchSteps).toBe(0);
    expect(store.stats.gets - before.gets).toBe(1);
  });

  it("reads a page deep in a large collection with work proportional to the page, not the collection", async () => {
    const { store, c } = await filled(20_000);
    const first = await c.list({ limit: 10_001 });
    const cursor = first.next!;
    const before = { ...store.stats };
    const page = await c.list({ after: cursor, limit: 25 });
    expect(page.items.map((r) => r.value.n)).toEqual(Array.from({ length: 25 }, (_, i) => 10_001 + i));
    // 25 items plus one look-ahead entry; binary search costs ⌈log2(20 000)⌉ = 15 probes.
    expect(store.stats.visited - before.visited).toBe(26);
    expect(store.stats.searchSteps - before.searchSteps).toBeLessThanOrEqual(15);
  });

  it("lists one organization from its own index without visiting other organizations' records", async () => {
    const { store, c } = await filled(9_000, ["org-a", "org-b", "org-c"]);
    const before = { ...store.stats };
    const page = await c.list({ organizationId: "org-b", limit: 10 });
    expect(page.items.every((r) => r.organizationId === "org-b")).toBe(true);
    expect(store.stats.visited - before.visited).toBe(11);
  });

  it("returns records in creation order, stably across updates and with a cursor that survives deletions", async () => {
    const { c } = await filled(10);
    await c.update("id-3", { n: 300 });
    const first = await c.list({ limit: 4 });
    expect(first.items.map((r) => r.id)).toEqual(["id-0", "id-1", "id-2", "id-3"]);
    await c.delete("id-3");
    await c.delete("id-4");
    const second = await c.list({ after: first.next!, limit: 4 });
    expect(second.items.map((r) => r.id)).toEqual(["id-5", "id-6", "id-7", "id-8"]);
    const third = await c.list({ after: second.next!, limit: 4 });
    expect(third.items.map((r) => r.id)).toEqual(["id-9"]);
    expect(third.next).toBeUndefined();
  });

  it("keeps listing correct after mass deletion compacts the index", async () => {
    const { store, c } = await filled(1_000);
    for (let i = 0; i < 1_000; i++) if (i % 10 !== 0) await c.delete(`id-${i}`);
    const all = await c.list({ limit: 1_000 });
    expect(all.items.map((r) => r.value.n)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
    const before = { ...store.stats };
    await c.list({ limit: 10 });
    // Compaction removed the tombstones: the page walks only live entries.
    expect(store.stats.visited - before.visited).toBe(11);
  });

  it("hides records of another organization from scoped get, update and delete", async () => {
    const { c } = await filled(1);
    expect(await c.get("id-0", { organizationId: "org-b" })).toBeUndefined();
    await expect(c.update("id-0", { n: 1 }, { organizationId: "org-b" })).rejects.toMatchObject({ reason: "not_found" });
    expect(await c.delete("id-0", { organizationId: "org-b" })).toBeUndefined();
    expect((await c.get("id-0", { organizationId: "org-a" }))?.value.n).toBe(0);
  });

  it("refuses a second record with the same id", async () => {
    const { c } = await filled(1);
    await expect(c.insert({ id: "id-0", organizationId: "org-a", value: { n: 9 } })).rejects.toBeInstanceOf(StoreError);
  });

  it("copies values in and out so callers never share state with the store", async () => {
    const { c } = await filled(1);
    const r = await c.get("id-0");
    r!.value.n = 99;
    expect((await c.get("id-0"))?.value.n).toBe(0);
  });

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
    expect((await c.list({ limit: 10 })).items.map((r) => r.id)).toEqual(["id-0", "id-1", "id-2"]);
    expect((await c.list({ organizationId: "org-a", limit: 10 })).items).toHaveLength(3);
  });

  it("does not let readers see a transaction's writes before it commits", async () => {
    const { store, c } = await filled(1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.transaction(async (t) => {
      await t.collection(items).update("id-0", { n: 1 });
      await gate;
      await t.collection(items).update("id-0", { n: 2 });
    });
    const read = c.get("id-0");
    release();
    await tx;
    // Reads outside a transaction do not wait for it: this one saw the state committed before it.
    expect((await read)?.value.n).toBe(0);
    expect((await c.get("id-0"))?.value.n).toBe(2);
  });

  it("serialises concurrent read-modify-write updates of one record", async () => {
    const { c } = await filled(1);
    await Promise.all(
      Array.from({ length: 200 }, () => c.update("id-0", (cur) => ({ n: cur.n + 1 }))),
    );
    const r = await c.get("id-0");
    expect(r?.value.n).toBe(200);
    expect(r?.version).toBe(201);
  });

  it("rejects a compare-and-swap with a stale version", async () => {
    const { c } = await filled(1);
    const r = await c.get("id-0");
    await c.update("id-0", { n: 1 }, { expectVersion: r!.version });
    await expect(c.update("id-0", { n: 2 }, { expectVersion: r!.version })).rejects.toMatchObject({
      reason: "version_conflict",
    });
    expect((await c.get("id-0"))?.value.n).toBe(1);
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
    await expect(store.transaction(async () => Promise.reject(new Error("x")))).rejects.toThrow();
    await c.update("id-0", { n: 7 });
    expect((await c.get("id-0"))?.value.n).toBe(7);
  });

  it("reports each committed transaction's writes once, in write order, to change listeners", async () => {
    const { store, c } = await filled(2);
    const seen: string[][] = [];
    const stop = store.onCommit((changes) => seen.push(changes.map((ch) => `${ch.op} ${ch.record.id} ${JSON.stringify(ch.record.value)}`)));
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
      ['insert new {"n":100}', 'update id-0 {"n":1}', 'delete id-1 {"n":1}'],
      ['update id-0 {"n":7}'],
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
    expect(seen).toEqual([]);
  });

  it("gives an update's listener the record before and after", async () => {
    const { store, c } = await filled(1);
    let change: { before?: number; after?: number; version?: number } = {};
    store.onCommit(([ch]) => (change = { before: (ch!.previous?.value as Item).n, after: (ch!.record.value as Item).n, version: ch!.record.version }));
    await c.update("id-0", { n: 42 });
    expect(change).toEqual({ before: 0, after: 42, version: 2 });
  });

  it("answers get and list outside a transaction at once with the committed values while another transaction is held open", async () => {
    const { store, c } = await filled(3, ["org-a", "org-b"]);
    const held = heldTransaction(store, async (tx) => {
      const t = tx.collection(items);
      await t.update("id-0", { n: 100 });
      await t.insert({ id: "new", organizationId: "org-a", value: { n: 3 } });
      await t.delete("id-2");
    });
    await held.midway;
    expect(await withoutWaiting(c.get("id-0"))).toMatchObject({ value: { n: 0 }, version: 1 });
    expect(await withoutWaiting(c.get("new"))).toBeUndefined();
    expect(ids(await withoutWaiting(c.list({ limit: 10 })))).toEqual(["id-0", "id-1", "id-2"]);
    expect(ids(await withoutWaiting(c.list({ organizationId: "org-a", limit: 10 })))).toEqual(["id-0", "id-2"]);

    held.release();
    await held.done;
    expect((await c.get("id-0"))?.value.n).toBe(100);
    expect(ids(await c.list({ limit: 10 }))).toEqual(["id-0", "id-1", "new"]);
    expect(ids(await c.list({ organizationId: "org-a", limit: 10 }))).toEqual(["id-0", "new"]);
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
        expect(ids(await view.list({ limit: 10 }))).toEqual(["id-0", "id-2", "new"]);
        const first = await view.list({ organizationId: "org-a", limit: 2 });
        expect(ids(first)).toEqual(["id-0", "id-2"]);
        expect(ids(await view.list({ organizationId: "org-a", after: first.next!, limit: 2 }))).toEqual(["new"]);
      }
    });
    await held.midway;
    // Meanwhile, outside the transaction, none of it is visible.
    expect(ids(await withoutWaiting(c.list({ limit: 10 })))).toEqual(["id-0", "id-1", "id-2"]);
    held.release();
    await held.done;
    expect(ids(await c.list({ limit: 10 }))).toEqual(["id-0", "id-2", "new"]);
  });

  it("makes a write consider for compaction only the indexes it changed, not other collections' or organizations'", async () => {
    const store = createMemoryStore();
    const others = store.collection(plainCollection<Item>("others", "other"));
    const c = store.collection(items);
    // Many organizations whose indexes hold 40 tombstones each: above the 32 minimum, below half.
    for (const org of Array.from({ length: 20 }, (_, i) => `org-${i}`)) {
      for (let i = 0; i < 100; i++) await others.insert({ id: `${org}-${i}`, organizationId: org, value: { n: i } });
      for (let i = 0; i < 40; i++) await others.delete(`${org}-${i}`);
      await c.insert({ id: `${org}-item`, organizationId: org, value: { n: 0 } });
    }
    const before = { ...store.stats };
    await c.insert({ id: "x", organizationId: "org-1", value: { n: 1 } });
    await c.update("x", { n: 2 });
    expect(store.stats.compactionChecks - before.compactionChecks).toBe(0);
    await c.delete("x");
    // Only the collection's own index and org-1's gained a tombstone.
    expect(store.stats.compactionChecks - before.compactionChecks).toBe(2);
    expect(store.stats.compactionSteps - before.compactionSteps).toBe(0);
    expect(store.stats.visited - before.visited).toBe(0);
  });

  it("keeps compaction work proportional to the deletions", async () => {
    const { store, c } = await filled(2_000, ["org-a", "org-b"]);
    const before = { ...store.stats };
    for (let i = 0; i < 2_000; i++) await c.delete(`id-${i}`);
    // Each index compacts when its tombstones outnumber its live entries, so it examines at most
    // two entries per deletion it had; every deletion lands in two indexes.
    expect(store.stats.compactionSteps - before.compactionSteps).toBeLessThanOrEqual(4 * 2_000);
    expect(store.stats.compactionSteps - before.compactionSteps).toBeGreaterThan(0);
    expect((await c.list({ limit: 10 })).items).toEqual([]);
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

  it("lists newest first when asked, with a cursor that continues with older records", async () => {
    const { store, c } = await filled(10);
    const first = await c.list({ order: "desc", limit: 4 });
    expect(first.items.map((r) => r.id)).toEqual(["id-9", "id-8", "id-7", "id-6"]);
    await c.delete("id-5");
    const before = { ...store.stats };
    const second = await c.list({ order: "desc", after: first.next!, limit: 4 });
    expect(second.items.map((r) => r.id)).toEqual(["id-4", "id-3", "id-2", "id-1"]);
    // Binary search for the cursor, then the page, one tombstone and one look-ahead entry.
    expect(store.stats.visited - before.visited).toBe(6);
    const third = await c.list({ order: "desc", after: second.next!, limit: 4 });
    expect(third.items.map((r) => r.id)).toEqual(["id-0"]);
    expect(third.next).toBeUndefined();
  });

  it("puts a transaction's own inserts first when listing newest first inside it", async () => {
    const { store } = await filled(2);
    const ids = await store.transaction(async (tx) => {
      await tx.collection(items).insert({ id: "new", organizationId: "org-a", value: { n: 9 } });
      return (await tx.collection(items).list({ order: "desc", limit: 10 })).items.map((r) => r.id);
    });
    expect(ids).toEqual(["new", "id-1", "id-0"]);
  });

  it("clears every collection, after the transaction that holds the lock, without reporting changes", async () => {
    const { store, c } = await filled(3);
    const reported: number[] = [];
    store.onCommit((changes) => reported.push(changes.length));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = store.transaction(async (tx) => {
      await tx.collection(items).insert({ id: "late", organizationId: "org-a", value: { n: 1 } });
      await gate;
    });
    const cleared = store.clear();
    release();
    await held;
    await cleared;
    expect((await c.list({ limit: 10 })).items).toEqual([]);
    expect(await c.get("late")).toBeUndefined();
    expect(reported).toEqual([1]);
    await c.insert({ id: "again", organizationId: "org-a", value: { n: 2 } });
    expect((await c.list({ organizationId: "org-a", limit: 10 })).items.map((r) => r.id)).toEqual(["again"]);
  });
});
