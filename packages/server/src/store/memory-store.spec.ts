import { describe, expect, it } from "vitest";
import { createMemoryStore, type MemoryStore } from "./memory-store.js";
import { describeStoreContract } from "../test-support/store-contract.js";
import { create } from "@bufbuild/protobuf";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { messageCollection, plainCollection, type Transaction } from "./store.js";

// Every behaviour a Store must have is in the contract; this file adds what only the memory
// store promises: the work its indexes do (store.stats), reads that never wait for a writer, and
// read-only reads that hand out the stored (frozen) record.
describeStoreContract("memory store", () => Promise.resolve({ store: createMemoryStore(), close: () => Promise.resolve() }));

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

describe("memory store: read-only reads", () => {
  it("hand out the stored record itself, frozen to its leaves, instead of a copy", async () => {
    const c = createMemoryStore().collection(messageCollection("environments", "environment", EnvironmentSchema));
    await c.insert({ id: "e1", organizationId: "org", value: create(EnvironmentSchema, { id: "e1", metadata: { name: "one" } }) });
    const first = await c.get("e1", { readOnly: true });
    const again = (await c.list({ limit: 1, readOnly: true })).items[0];
    expect(again).toBe(first);
    expect(Object.isFrozen(first!.value.metadata)).toBe(true);
    expect(() => {
      first!.value.metadata!.name = "changed";
    }).toThrow(TypeError);
    expect((await c.get("e1"))!.value.metadata?.name).toBe("one");
    expect(await c.get("e1")).not.toBe(first);
  });
});

describe("memory store: work and waiting", () => {
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

  it("continues a newest-first page from its cursor visiting only the page, one tombstone and one look-ahead entry", async () => {
    const { store, c } = await filled(10);
    const first = await c.list({ order: "desc", limit: 4 });
    await c.delete("id-5");
    const before = { ...store.stats };
    const second = await c.list({ order: "desc", after: first.next!, limit: 4 });
    expect(second.items.map((r) => r.id)).toEqual(["id-4", "id-3", "id-2", "id-1"]);
    expect(store.stats.visited - before.visited).toBe(6);
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

  it("answers get and list outside a transaction at once, without waiting, while another transaction is held open", async () => {
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
  });
});
