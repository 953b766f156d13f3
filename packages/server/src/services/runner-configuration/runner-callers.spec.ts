// A runner calling with its own token manages only its own runner's configuration, as in
// RunnerService: naming another runner is permission_denied, another runner's environment classes
// and SCM integrations are not_found and left out of lists.
import { Code } from "@connectrpc/connect";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { addRunner, expectFailure, runnerToken, userSubject } from "./test-fixtures.js";

let server: TestServer;
let own: string;
let foreign: string;
let runner: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
const client = (token: string) => server.client(RunnerConfigurationService, token);
const classOf = (runnerId: string) => ({ runnerId, displayName: "Small", description: "2 cores", configuration: [{ key: "cpu", value: "2" }, { key: "memory", value: "8" }] });
const integrationOf = (runnerId: string) => ({ runnerId, scmId: "github", host: "git.example.com", oauthClientId: "Iv1.x", oauthPlaintextClientSecret: "s3cret", pat: true });
let foreignClassId: string;
let foreignIntegrationId: string;
let ownClassId: string;
let ownIntegrationId: string;

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
  admin = client(testTokens.admin);
  own = await addRunner(server);
  foreign = await addRunner(server);
  runner = client(await runnerToken(server, own));
  foreignClassId = (await admin.createEnvironmentClass(classOf(foreign))).id;
  foreignIntegrationId = (await admin.createSCMIntegration(integrationOf(foreign))).id;
  ownClassId = (await runner.createEnvironmentClass(classOf(own))).id;
  ownIntegrationId = (await runner.createSCMIntegration(integrationOf(own))).id;
});
afterAll(() => server.close());

describe("a runner's token in RunnerConfigurationService", () => {
  it("may not create, validate or read the schema of another runner's configuration (permission_denied)", async () => {
    await expectFailure(runner.createEnvironmentClass(classOf(foreign)), Code.PermissionDenied, foreign);
    await expectFailure(runner.createSCMIntegration({ ...integrationOf(foreign), host: "other.example.com" }), Code.PermissionDenied, foreign);
    await expectFailure(
      runner.createHostAuthenticationToken({ runnerId: foreign, host: "git.example.com", token: "t", subject: userSubject(server.bootstrap.adminUserId), source: HostAuthenticationTokenSource.PAT }),
      Code.PermissionDenied,
      foreign,
    );
    await expectFailure(runner.getRunnerConfigurationSchema({ runnerId: foreign }), Code.PermissionDenied, foreign);
    await expectFailure(
      runner.validateRunnerConfiguration({ runnerId: foreign, config: { case: "environmentClass", value: classOf("") } }),
      Code.PermissionDenied,
      foreign,
    );
  });

  it("sees another runner's environment classes and SCM integrations as not_found, and cannot change or delete them", async () => {
    await expectFailure(runner.getEnvironmentClass({ environmentClassId: foreignClassId }), Code.NotFound, foreignClassId);
    await expectFailure(runner.updateEnvironmentClass({ environmentClassId: foreignClassId, enabled: false }), Code.NotFound, foreignClassId);
    await expectFailure(runner.getSCMIntegration({ id: foreignIntegrationId }), Code.NotFound, foreignIntegrationId);
    await expectFailure(runner.updateSCMIntegration({ id: foreignIntegrationId, pat: false }), Code.NotFound, foreignIntegrationId);
    await expectFailure(runner.deleteSCMIntegration({ id: foreignIntegrationId }), Code.NotFound, foreignIntegrationId);
    expect((await admin.getEnvironmentClass({ environmentClassId: foreignClassId })).environmentClass?.enabled).toBe(true);
    expect((await admin.getSCMIntegration({ id: foreignIntegrationId })).integration?.pat).toBe(true);
  });

  it("lists only its own runner's environment classes and SCM integrations, whatever the filter", async () => {
    expect((await runner.listEnvironmentClasses({})).environmentClasses.map((c) => c.id)).toEqual([ownClassId]);
    expect((await runner.listEnvironmentClasses({ filter: { runnerIds: [foreign] } })).environmentClasses).toEqual([]);
    expect((await runner.listSCMIntegrations({})).integrations.map((i) => i.id)).toEqual([ownIntegrationId]);
    expect((await runner.listSCMIntegrations({ filter: { runnerIds: [foreign] } })).integrations).toEqual([]);
    const all = (await admin.listSCMIntegrations({})).integrations.map((i) => i.id);
    expect(all).toEqual(expect.arrayContaining([ownIntegrationId, foreignIntegrationId]));
  });

  it("manages its own runner's configuration", async () => {
    await runner.updateEnvironmentClass({ environmentClassId: ownClassId, enabled: false });
    expect((await runner.getEnvironmentClass({ environmentClassId: ownClassId })).environmentClass?.enabled).toBe(false);
    await runner.updateSCMIntegration({ id: ownIntegrationId, pat: false });
    expect((await runner.getSCMIntegration({ id: ownIntegrationId })).integration?.pat).toBe(false);
    expect((await runner.getRunnerConfigurationSchema({ runnerId: own })).schema).toBeDefined();
  });
});
