// Test helpers of this folder: SCM state (host tokens, SCM integrations, catalogue entries) put
// straight into the store, and a runner created through the API. The generic helpers (expected
// failures, page walking, tampering, users) are shared with RunnerConfigurationService's tests.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { type CreateRunnerRequestSchema, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import {
  HostAuthenticationTokenSchema,
  HostAuthenticationTokenSource,
  SCMIntegrationSchema,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { addUser } from "../../test-support/store-fixtures.js";
import { insertHostToken, insertScmIntegration } from "../../domain/scm/index.js";
import { sealSecret } from "../../domain/secrets/index.js";

export { addRunner, addUser, runnerToken } from "../../test-support/store-fixtures.js";
export { allPages, expectFailure, expectOneWinner, tamper } from "../../test-support/expectations.js";

export type RunnerClient = Client<typeof RunnerService>;

export interface RunnerTestSetup {
  server: TestServer;
  /** The bootstrap organization's admin. */
  admin: RunnerClient;
  /** A user of the second organization. */
  other: RunnerClient;
  /** A user (not admin) of the bootstrap organization. */
  member: RunnerClient;
  memberId: string;
}

/** A test server with RunnerService clients for the admin, a member and a user of the other organization. */
export async function startRunnerTestServer(): Promise<RunnerTestSetup> {
  const server = await startTestServer();
  const memberId = await addUser(server, { token: "member-token", name: "member" });
  return {
    server,
    admin: server.client(RunnerService, testTokens.admin),
    other: server.client(RunnerService, testTokens.other),
    member: server.client(RunnerService, "member-token"),
    memberId,
  };
}

/** Creates a runner through the API (an AWS EC2 runner unless `init` says otherwise); returns its id and exchange token. */
export async function createRunner(
  client: RunnerClient,
  init: MessageInitShape<typeof CreateRunnerRequestSchema> = {},
): Promise<{ runnerId: string; exchangeToken: string }> {
  const res = await client.createRunner({ name: "test runner", provider: RunnerProvider.AWS_EC2, ...init });
  return { runnerId: res.runner!.runnerId, exchangeToken: res.exchangeToken };
}

/** Gives `userId` a host token for (runner, host); `expiresAtMs` unset means it never expires. */
export async function addHostToken(
  server: TestServer,
  options: { runnerId: string; userId: string; host: string; expiresAtMs?: number; organizationId?: string },
): Promise<string> {
  const id = server.deps.ids.newId();
  await server.deps.store.transaction((tx) =>
    insertHostToken(tx, options.organizationId ?? server.bootstrap.organizationId, {
      token: create(HostAuthenticationTokenSchema, {
        id,
        runnerId: options.runnerId,
        host: options.host,
        source: HostAuthenticationTokenSource.PAT,
        subject: { id: options.userId, principal: Principal.USER },
        ...(options.expiresAtMs !== undefined ? { expiresAt: timestampFromMs(options.expiresAtMs) } : {}),
      }),
      encryptedValue: sealSecret("ghp_test_token"),
    }),
  );
  return id;
}

/** Adds an SCM integration for (runner, host). */
export async function addScmIntegration(
  server: TestServer,
  options: { runnerId: string; host: string; scmId: string; oauthClientId?: string; issuerUrl?: string; pat?: boolean; organizationId?: string },
): Promise<string> {
  const id = server.deps.ids.newId();
  await server.deps.store.transaction((tx) =>
    insertScmIntegration(
      tx,
      options.organizationId ?? server.bootstrap.organizationId,
      create(SCMIntegrationSchema, {
        id,
        runnerId: options.runnerId,
        host: options.host,
        scmId: options.scmId,
        pat: options.pat ?? true,
        ...(options.oauthClientId
          ? { oauth: { clientId: options.oauthClientId, encryptedClientSecret: sealSecret("secret"), issuerUrl: options.issuerUrl ?? "" } }
          : {}),
      }),
    ),
  );
  return id;
}
