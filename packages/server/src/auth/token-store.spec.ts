import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { describe, expect, it } from "vitest";
import { manualClock } from "../clock.js";
import { createMemoryStore } from "../store/memory-store.js";
import { createTokenStore, hashToken, tokens as tokenRecords } from "./token-store.js";

describe("token store", () => {
  it("stores only the SHA-256 hash of a token", async () => {
    const store = createMemoryStore();
    const ts = createTokenStore(store, manualClock());
    const { token, tokenId } = await ts.issue({ organizationId: "o", subjectId: "u", principal: Principal.USER });
    expect(tokenId).toBe(hashToken(token));
    const all = await store.collection(tokenRecords).list({ limit: 10 });
    expect(JSON.stringify(all.items)).not.toContain(token);
  });

  it("authenticates a token registered for a runner as that runner", async () => {
    const ts = createTokenStore(createMemoryStore(), manualClock());
    await ts.register("runner-secret", { organizationId: "o", subjectId: "r1", principal: Principal.RUNNER });
    const caller = await ts.resolve("runner-secret");
    expect(caller?.organizationId).toBe("o");
    expect(caller?.subject.id).toBe("r1");
    expect(caller?.subject.principal).toBe(Principal.RUNNER);
  });

  it("stops accepting a token once it expired or was revoked", async () => {
    const clock = manualClock();
    const ts = createTokenStore(createMemoryStore(), clock);
    const a = await ts.issue({ organizationId: "o", subjectId: "u", principal: Principal.USER }, { ttlMs: 1_000 });
    const b = await ts.issue({ organizationId: "o", subjectId: "u", principal: Principal.USER });
    await clock.advance(999);
    expect(await ts.resolve(a.token)).toBeDefined();
    await clock.advance(1);
    expect(await ts.resolve(a.token)).toBeUndefined();
    await ts.revoke(b.tokenId);
    expect(await ts.resolve(b.token)).toBeUndefined();
    expect(await ts.resolve("unknown")).toBeUndefined();
  });

  it("revokes with an organization scope only that organization's token", async () => {
    const ts = createTokenStore(createMemoryStore(), manualClock());
    const { token, tokenId } = await ts.issue({ organizationId: "o", subjectId: "u", principal: Principal.USER });
    await ts.revoke(tokenId, { organizationId: "another" });
    expect(await ts.resolve(token)).toBeDefined();
    await ts.revoke(tokenId, { organizationId: "o" });
    expect(await ts.resolve(token)).toBeUndefined();
  });
});
