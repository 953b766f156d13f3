import { create } from "@bufbuild/protobuf";
import { HostAuthenticationTokenSchema, SCMIntegrationSchema } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { describe, expect, it } from "vitest";
import { hostAuthenticationTokens, scmIntegrations } from "../../collections.js";
import { createMemoryStore } from "../../store/memory-store.js";
import { findHostToken, findScmIntegration, hasScmIntegration } from "./scm-credentials.js";
import { sealSecret } from "./secret-box.js";

const org = "org-1";
const runnerId = "runner-1";

async function storeWithData() {
  const store = createMemoryStore();
  await store.collection(hostAuthenticationTokens).insert({
    id: "t1",
    organizationId: org,
    value: {
      token: create(HostAuthenticationTokenSchema, { id: "t1", runnerId, host: "github.com", subject: { id: "user-1", principal: Principal.USER } }),
      encryptedValue: sealSecret("v"),
    },
  });
  // A token recorded only with the deprecated user_id still has an owner.
  await store.collection(hostAuthenticationTokens).insert({
    id: "t2",
    organizationId: org,
    value: { token: create(HostAuthenticationTokenSchema, { id: "t2", runnerId, host: "gitlab.com", userId: "user-2" }), encryptedValue: sealSecret("v") },
  });
  await store.collection(scmIntegrations).insert({
    id: "i1",
    organizationId: org,
    value: { integration: create(SCMIntegrationSchema, { id: "i1", runnerId, host: "github.com", scmId: "github", pat: true }) },
  });
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
    expect(await hasScmIntegration(store, { organizationId: org, runnerId, host: "GITHUB.COM" })).toBe(true);
    expect((await findScmIntegration(store, { organizationId: org, runnerId, host: "github.com" }))?.scmId).toBe("github");
    expect(await hasScmIntegration(store, { organizationId: org, runnerId, host: "gitlab.com" })).toBe(false);
    expect(await hasScmIntegration(store, { organizationId: "org-2", runnerId, host: "github.com" })).toBe(false);
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
});
