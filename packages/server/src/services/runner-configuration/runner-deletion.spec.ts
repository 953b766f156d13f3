// A runner's deletion looks the same from RunnerConfigurationService as from RunnerService: while
// it is DELETING nothing new may be configured on it, and once its grace period has passed it is
// not_found everywhere at the same moment.
import { Code } from "@connectrpc/connect";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { deletionGraceMs } from "../runner/runner-lifecycle.js";
import { runnerService } from "../runner/runner-service.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { addRunner, expectFailure } from "./test-fixtures.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerService, runnerConfigurationService] });
});
afterAll(() => server.close());

it("refuses new configuration while the runner is DELETING, then answers not_found with RunnerService once it is gone", async () => {
  const runners = server.client(RunnerService, testTokens.admin);
  const configuration = server.client(RunnerConfigurationService, testTokens.admin);
  const runnerId = await addRunner(server);
  await runners.deleteRunner({ runnerId });

  await expectFailure(
    configuration.createEnvironmentClass({ runnerId, displayName: "Large", description: "8 cores", configuration: [] }),
    Code.FailedPrecondition,
    "being deleted",
  );

  server.clock.advance(deletionGraceMs);
  await expectFailure(configuration.getRunnerConfigurationSchema({ runnerId }), Code.NotFound, "runner");
  await expectFailure(runners.getRunner({ runnerId }), Code.NotFound, "runner");
  expect((await runners.listRunners({})).runners.map((r) => r.runnerId)).not.toContain(runnerId);
});
