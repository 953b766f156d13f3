import { Code } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flavours, startTestServer, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { SupportedModel } from "@gitpod-connect/schema/gitpod/v1/model";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
});
afterAll(() => server.close());

const id = "00000000-0000-4000-8000-000000000001";
const methods = RunnerConfigurationService.methods.map((m) => m.localName as keyof typeof RunnerConfigurationService.method);

/** A request each method would accept from an authenticated caller (valid by the buf.validate rules); the type requires one for every method. */
const requests: Record<keyof typeof RunnerConfigurationService.method, object> = {
  createHostAuthenticationToken: { runnerId: id, host: "github.com", token: "t" },
  getHostAuthenticationToken: { id },
  listHostAuthenticationTokens: {},
  updateHostAuthenticationToken: { id },
  deleteHostAuthenticationToken: { id },
  getRunnerConfigurationSchema: { runnerId: id },
  createSCMIntegration: { runnerId: id, scmId: "github", host: "github.com", pat: true },
  getSCMIntegration: { id },
  listSCMIntegrations: {},
  updateSCMIntegration: { id },
  deleteSCMIntegration: { id },
  createEnvironmentClass: { runnerId: id, displayName: "abc", description: "abc" },
  getEnvironmentClass: { environmentClassId: id },
  listEnvironmentClasses: {},
  updateEnvironmentClass: { environmentClassId: id },
  validateRunnerConfiguration: { runnerId: id },
  createLLMIntegration: { runnerId: id, models: [SupportedModel.SONNET_4] },
  getLLMIntegration: { id },
  listLLMIntegrations: {},
  updateLLMIntegration: { id },
  deleteLLMIntegration: { id },
};

describe.each(flavours)("over %s", (flavour) => {
  it.each([
    ["no token", undefined],
    ["an unknown token", "not-a-known-token"],
  ])("answers unauthenticated to every RPC called with %s", async (_label, token) => {
    const client = server.client(RunnerConfigurationService, token, flavour) as unknown as Record<string, (req: object) => Promise<unknown>>;
    for (const method of methods) {
      await expect(client[method]!(requests[method]), method).rejects.toMatchObject({ code: Code.Unauthenticated });
    }
  });
});
