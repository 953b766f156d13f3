import { create } from "@bufbuild/protobuf";
import { HostAuthenticationTokenSchema, SCMIntegrationSchema } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../store/memory-store.js";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  deleteHostToken,
  deleteHostTokensWhere,
  deleteScmIntegration,
  findHostToken,
  findScmIntegration,
  insertHostToken,
  insertScmIntegration,
} from "./credentials.js";
import { sealSecret } from "../secrets/index.js";

const org = "org-1";
const runnerId = "runner-1";

async function storeWithData() {
  const store = createMemoryStore();
  await insertHostToken(store, org, {
    token: create(HostAuthenticationTokenSchema, { id: "t1", runnerId, host: "github.com", subject: { id: "user-1", principal: Principal.USER } }),
    encryptedValue: sealSecret("v"),
  });
  // A token recorded only with the deprecated user_id still has an owner.
  await insertHostToken(store, org, {
    token: create(HostAuthenticationTokenSchema, { id: "t2", runnerId, host: "gitlab.com", userId: "user-2" }),
    encryptedValue: sealSecret("v"),
  });
  await insertScmIntegration(store, org, create(SCMIntegrationSchema, { id: "i1", runnerId, host: "github.com", scmId: "github", pat: true }));
  return store;
}

describe("SCM credential lookups shared with RunnerService", () => {
  it("find a user's host token by organization, runner and host in any letter case", async () => {
    const store = await storeWithData();
    expect((await findHostToken(store, { organizationId: org, runnerId, host: "GitHub.com", userId: "user-1" }))?.token.id).toBe("t1");
    expect((await findHostToken(store, { organizationId: org, runnerId, host: "gitlab.com", userId: "user-2" }))?.token.id).toBe("t2");
    expect(await findHostToken(store, { organizationId: org, runnerId, host: "github.com", userId: "user-2" })).toBeUndefined();
    expect(await findHostToken(store, { organizationId: "org-2", runnerId, host: "github.com", userId: "user-1" })).toBeUndefined();
    expect(await findHostToken(store, { organizationId: org, runnerId: "runner-2", host: "github.com", userId: "user-1" })).toBeUndefined();
  });

  it("tell whether an SCM integration exists for a runner and host", async () => {
    const store = await storeWithData();
    expect((await findScmIntegration(store, { organizationId: org, runnerId, host: "GITHUB.COM" }))?.id).toBe("i1");
    expect((await findScmIntegration(store, { organizationId: org, runnerId, host: "github.com" }))?.scmId).toBe("github");
    expect(await findScmIntegration(store, { organizationId: org, runnerId, host: "gitlab.com" })).toBeUndefined();
    expect(await findScmIntegration(store, { organizationId: "org-2", runnerId, host: "github.com" })).toBeUndefined();
  });

  it("return copies: changing a found record does not change the store", async () => {
    const store = await storeWithData();
    const found = await findHostToken(store, { organizationId: org, runnerId, host: "github.com", userId: "user-1" });
    found!.token.host = "changed";
    found!.encryptedValue[0] = 0;
    const again = await findHostToken(store, { organizationId: org, runnerId, host: "github.com", userId: "user-1" });
    expect(again?.token.host).toBe("github.com");
    expect(again?.encryptedValue[0]).toBe(1);
  });

  it("find a token and an integration with two gets each, visiting no other record of the organization", async () => {
    const store = await storeWithData();
    for (let i = 0; i < 300; i++) {
      const host = `h${i}.example.com`;
      await insertHostToken(store, org, {
        token: create(HostAuthenticationTokenSchema, { id: `x${i}`, runnerId, host, subject: { id: "user-1", principal: Principal.USER } }),
        encryptedValue: sealSecret("v"),
      });
      await insertScmIntegration(store, org, create(SCMIntegrationSchema, { id: `j${i}`, runnerId, host, scmId: "github", pat: true }));
    }
    const before = { ...store.stats };
    expect((await findHostToken(store, { organizationId: org, runnerId, host: "h0.example.com", userId: "user-1" }))?.token.id).toBe("x0");
    expect((await findScmIntegration(store, { organizationId: org, runnerId, host: "h0.example.com" }))?.id).toBe("j0");
    expect(await findHostToken(store, { organizationId: org, runnerId, host: "nowhere.example.com", userId: "user-1" })).toBeUndefined();
    expect(store.stats.visited - before.visited).toBe(0);
    expect(store.stats.gets - before.gets).toBe(5);
  });

  it("refuse a second token of (runner, owner, host) and a second integration of (runner, host) with already_exists, in any letter case", async () => {
    const store = await storeWithData();
    const duplicateToken = insertHostToken(store, org, {
      token: create(HostAuthenticationTokenSchema, { id: "t9", runnerId, host: "GitHub.com.", subject: { id: "user-1", principal: Principal.USER } }),
      encryptedValue: sealSecret("v"),
    });
    await expect(duplicateToken).rejects.toSatisfy((e) => e instanceof ConnectError && e.code === Code.AlreadyExists && e.rawMessage.includes("github.com"));
    const duplicateIntegration = insertScmIntegration(store, org, create(SCMIntegrationSchema, { id: "i9", runnerId, host: "GITHUB.COM", scmId: "github" }));
    await expect(duplicateIntegration).rejects.toSatisfy((e) => e instanceof ConnectError && e.code === Code.AlreadyExists);
  });

  it("forget deleted records, so the same (runner, owner, host) can be taken again", async () => {
    const store = await storeWithData();
    await deleteHostToken(store, org, "t1");
    await deleteScmIntegration(store, org, "i1");
    expect(await deleteHostTokensWhere(store, org, (t) => t.runnerId === runnerId)).toBe(1); // t2
    expect(await findHostToken(store, { organizationId: org, runnerId, host: "github.com", userId: "user-1" })).toBeUndefined();
    expect(await findHostToken(store, { organizationId: org, runnerId, host: "gitlab.com", userId: "user-2" })).toBeUndefined();
    expect(await findScmIntegration(store, { organizationId: org, runnerId, host: "github.com" })).toBeUndefined();
    await insertHostToken(store, org, {
      token: create(HostAuthenticationTokenSchema, { id: "t3", runnerId, host: "github.com", subject: { id: "user-1", principal: Principal.USER } }),
      encryptedValue: sealSecret("v"),
    });
    await insertScmIntegration(store, org, create(SCMIntegrationSchema, { id: "i3", runnerId, host: "github.com", scmId: "github" }));
    expect((await findHostToken(store, { organizationId: org, runnerId, host: "github.com", userId: "user-1" }))?.token.id).toBe("t3");
    expect((await findScmIntegration(store, { organizationId: org, runnerId, host: "github.com" }))?.id).toBe("i3");
  });
});
