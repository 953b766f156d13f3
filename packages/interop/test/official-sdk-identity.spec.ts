// The official JSON client, @gitpod/sdk 0.6.0, asks the reference server who it is. Its
// `empty` parameter is a field the current API no longer has: the server ignores it, as it ignores
// every unknown JSON key.
import { describe, expect, it } from "vitest";
import { usePeer } from "./sdk-expectations.js";

describe("client.identity.getAuthenticatedIdentity", () => {
  const peer = usePeer();

  it("names the bootstrap admin and its organization, with or without the old `empty` parameter", async () => {
    const { sdk, server } = peer();
    for (const body of [{}, { empty: true }]) {
      const identity = await sdk.identity.getAuthenticatedIdentity(body);
      expect(identity).toMatchObject({
        subject: { id: server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        organizationId: server.bootstrap.organizationId,
      });
    }
  });
});
