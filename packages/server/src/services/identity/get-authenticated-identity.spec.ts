// GetAuthenticatedIdentity for every principal the server knows, over a real socket.
import { Code } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { IdentityService, Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectFailure } from "../../test-support/expectations.js";
import { runnerToken } from "../../test-support/store-fixtures.js";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { createRunning } from "../environment/environment-test-helpers.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const whoAmI = (token: string, flavour?: (typeof flavours)[number]) => server.client(IdentityService, token, flavour).getAuthenticatedIdentity({});

describe("GetAuthenticatedIdentity", () => {
  it.each(flavours)("names a user and its organization, over %s", async (flavour) => {
    expect(await whoAmI(testTokens.admin, flavour)).toMatchObject({
      subject: { id: server.bootstrap.adminUserId, principal: Principal.USER },
      organizationId: server.bootstrap.organizationId,
      organizationTier: "",
    });
  });

  it("names the user of another organization with that organization", async () => {
    const other = await whoAmI(testTokens.other);
    expect(other.organizationId).toBe(server.otherOrganizationId);
    expect(other.subject?.principal).toBe(Principal.USER);
    expect(other.subject?.id).not.toBe(server.bootstrap.adminUserId);
  });

  it("names a runner calling with its own token", async () => {
    expect(await whoAmI(await runnerToken(server, server.bootstrap.runnerId))).toMatchObject({
      subject: { id: server.bootstrap.runnerId, principal: Principal.RUNNER },
      organizationId: server.bootstrap.organizationId,
    });
  });

  it("names the environment behind an environment access token", async () => {
    const envs = server.client(EnvironmentService, testTokens.admin);
    const env = await createRunning(server, envs);
    const { accessToken } = await envs.createEnvironmentAccessToken({ environmentId: env.id });
    expect(await whoAmI(accessToken)).toMatchObject({
      subject: { id: env.id, principal: Principal.ENVIRONMENT },
      organizationId: server.bootstrap.organizationId,
    });
  });

  it("answers unauthenticated without valid credentials", async () => {
    await expectFailure(whoAmI("no-such-token"), Code.Unauthenticated);
    await expectFailure(server.client(IdentityService).getAuthenticatedIdentity({}), Code.Unauthenticated);
  });
});
