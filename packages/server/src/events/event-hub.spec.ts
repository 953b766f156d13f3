import { ResourceOperation, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { describe, expect, it } from "vitest";
import { users } from "../auth/identity-records.js";
import { createMemoryStore } from "../store/memory-store.js";
import { plainCollection } from "../store/store.js";
import { createEventHub } from "./event-hub.js";

const addUser = (store: ReturnType<typeof createMemoryStore>, id: string, organizationId = "org") =>
  store.collection(users).insert({ id, organizationId, value: { id, name: id, email: "", admin: false } });

describe("event hub", () => {
  it("delivers each committed write of an API resource to the subscriptions it matches, in write order", async () => {
    const store = createMemoryStore();
    const hub = createEventHub(store);
    const all = hub.subscribe(() => true);
    const onlyB = hub.subscribe((e) => e.resourceId === "b");
    await store.transaction(async (tx) => {
      await addUser(store, "a");
      await addUser(store, "b");
      await tx.collection(users).update("a", (u) => ({ ...u, name: "renamed" }));
      await tx.collection(users).delete("b");
    });
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const e = (await all.next())!;
      seen.push(`${ResourceOperation[e.operation]} ${ResourceType[e.resourceType]} ${e.resourceId}`);
    }
    expect(seen).toEqual(["CREATE USER a", "CREATE USER b", "UPDATE USER a", "DELETE USER b"]);
    expect([(await onlyB.next())!.operation, (await onlyB.next())!.operation]).toEqual([ResourceOperation.CREATE, ResourceOperation.DELETE]);
  });

  it("makes no events for collections that hold no API resources", async () => {
    const store = createMemoryStore();
    const hub = createEventHub(store);
    const sub = hub.subscribe(() => true);
    await store.collection(plainCollection<number>("keys", "key")).insert({ id: "k", organizationId: "org", value: 1 });
    await addUser(store, "u");
    expect((await sub.next())!.resourceId).toBe("u");
  });

  it("never makes a writer wait: a subscription that falls behind its bound ends with resource_exhausted after what it holds", async () => {
    const store = createMemoryStore();
    const hub = createEventHub(store, { bufferSize: 2 });
    const slow = hub.subscribe(() => true);
    const fast = hub.subscribe(() => true);
    for (const id of ["a", "b"]) await addUser(store, id);
    expect((await fast.next())!.resourceId).toBe("a");
    expect((await fast.next())!.resourceId).toBe("b");
    await addUser(store, "c"); // slow holds a, b already: it overflows; fast keeps up
    expect(hub.subscriptions).toBe(1);
    expect((await fast.next())!.resourceId).toBe("c");
    expect([(await slow.next())!.resourceId, (await slow.next())!.resourceId]).toEqual(["a", "b"]);
    await expect(slow.next()).rejects.toMatchObject({ rawMessage: expect.stringContaining("fell more than 2 events behind") });
  });

  it("ends a waiting subscription when it is closed, and every subscription when the hub closes", async () => {
    const store = createMemoryStore();
    const hub = createEventHub(store);
    const a = hub.subscribe(() => true);
    const b = hub.subscribe(() => true);
    const waiting = a.next();
    a.close();
    expect(await waiting).toBeUndefined();
    expect(hub.subscriptions).toBe(1);
    const waitingB = b.next();
    hub.close();
    expect(await waitingB).toBeUndefined();
    expect(hub.subscriptions).toBe(0);
    expect(await hub.subscribe(() => true).next()).toBeUndefined();
    expect(hub.subscriptions).toBe(0);
  });
});
