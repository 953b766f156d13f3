// A runner's deletion looks the same from RunnerConfigurationService as from RunnerService: while
// it is DELETING nothing new may be configured on it, and once its grace period has passed it is
// not_found everywhere at the same moment.
import { Code } from "@connectrpc/connect";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentClasses } from "../../domain/environment-classes/index.js";
import { hostAuthenticationTokens, scmIntegrations } from "../../domain/scm/index.js";
import { hostTokenKeys, scmIntegrationKeys } from "../../domain/scm/records.js";
import { deletionGraceMs, runners as runnersCollection } from "../../domain/runners/index.js";
import { recordsWhere } from "../../store/scan.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
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

  await server.clock.advance(deletionGraceMs);
  await expectFailure(configuration.getRunnerConfigurationSchema({ runnerId }), Code.NotFound, "runner");
  await expectFailure(runners.getRunner({ runnerId }), Code.NotFound, "runner");
  expect((await runners.listRunners({})).runners.map((r) => r.runnerId)).not.toContain(runnerId);
});

describe("creates racing a forced DeleteRunner", () => {
  const org = () => server.bootstrap.organizationId;
  async function leftOf(runnerId: string): Promise<number> {
    const store = server.deps.store;
    const found = [
      ...(await recordsWhere(store, environmentClasses, org(), (c) => c.runnerId === runnerId)),
      ...(await recordsWhere(store, scmIntegrations, org(), (i) => i.integration.runnerId === runnerId)),
      ...(await recordsWhere(store, hostAuthenticationTokens, org(), (t) => t.token.runnerId === runnerId)),
      ...(await recordsWhere(store, hostTokenKeys, org(), (k) => k.startsWith(runnerId))),
      ...(await recordsWhere(store, scmIntegrationKeys, org(), (k) => k.startsWith(runnerId))),
    ];
    return found.length;
  }

  /**
   * Runs `create` with a forced DeleteRunner committed right after the create's first read of the
   * runner, if that read is a store call of its own (outside a transaction); else right after the
   * create. Either way nothing of the runner may be left.
   */
  async function raceForcedDelete(runnerId: string, create: () => Promise<unknown>): Promise<void> {
    const runnersClient = server.client(RunnerService, testTokens.admin);
    const store = server.deps.store as { collection: typeof server.deps.store.collection };
    const original = store.collection;
    let deleted: Promise<unknown> | undefined;
    store.collection = (spec) => {
      const collection = original(spec);
      if (spec !== runnersCollection) return collection;
      return {
        ...collection,
        get: async (id, scope) => {
          const record = await collection.get(id, scope);
          if (id === runnerId && !deleted) await (deleted = runnersClient.deleteRunner({ runnerId, force: true }));
          return record;
        },
      };
    };
    try {
      await create().catch(() => undefined);
    } finally {
      store.collection = original;
    }
    await (deleted ?? runnersClient.deleteRunner({ runnerId, force: true }));
  }

  it("leaves no environment class, SCM integration or host token (or key) of the deleted runner behind", async () => {
    const configuration = server.client(RunnerConfigurationService, testTokens.admin);
    const creates: ((runnerId: string) => Promise<unknown>)[] = [
      (runnerId) =>
        configuration.createEnvironmentClass({ runnerId, displayName: "Race", description: "racing", configuration: [{ key: "cpu", value: "2" }, { key: "memory", value: "8" }] }),
      (runnerId) => configuration.createSCMIntegration({ runnerId, scmId: "github", host: "race.example.com", pat: true }),
      (runnerId) => configuration.createHostAuthenticationToken({ runnerId, host: "race.example.com", token: "t" }),
    ];
    for (const [i, create] of creates.entries()) {
      const runnerId = await addRunner(server);
      await raceForcedDelete(runnerId, () => create(runnerId));
      expect(await leftOf(runnerId), `create #${i}`).toBe(0);
    }
  });
});
