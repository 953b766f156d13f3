// Scenarios that prove the kit's own machinery against the target before anyone relies on it: the
// testing controls it reaches reach the protocol under test, and `waitFor` moves a clock a scenario
// froze. They are reported under "Kit.TestingControls" and need the testing controls.
import { Code } from "@connectrpc/connect";
import { EnvironmentPhase, EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import assert from "node:assert/strict";
import { expectCode } from "../expect.js";
import type { Scenario, ScenarioContext } from "../scenario.js";

function controlsOf(ctx: ScenarioContext) {
  if (!ctx.controls) throw new Error("the kit gave a testing-controls scenario no controls");
  return ctx.controls;
}

export const kitSelfCheckScenarios: Scenario[] = [
  {
    id: "Kit.TestingControls/injected-rpc-failure",
    service: "Kit",
    rpc: "TestingControls",
    title: "an RPC failure injected through the testing controls reaches the next call on this protocol, once",
    needs: ["testing-controls"],
    async run(ctx) {
      const controls = controlsOf(ctx);
      const identity = ctx.client(IdentityService);
      await controls.injectRpcFailure({ procedure: "gitpod.v1.IdentityService/GetAuthenticatedIdentity", code: "unavailable", count: 1 });
      await expectCode(identity.getAuthenticatedIdentity({}), Code.Unavailable);
      const after = await identity.getAuthenticatedIdentity({});
      assert.equal(after.organizationId, ctx.fixtures.organizationId, "the call after the injected failure answers the caller's organization");
    },
  },
  {
    id: "Kit.TestingControls/frozen-clock-wait",
    service: "Kit",
    rpc: "TestingControls",
    title: "with the clock frozen, an environment stays CREATING until waitFor advances the clock",
    needs: ["testing-controls"],
    timeoutMs: 60_000,
    async run(ctx) {
      const controls = controlsOf(ctx);
      const environments = ctx.client(EnvironmentService);
      await controls.freezeClock();
      const { environment } = await environments.createEnvironment({
        name: ctx.uniqueName("kit-clock"),
        spec: {
          machine: { class: ctx.fixtures.environmentClassId },
          content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url: "https://github.com/gitpod-io/gitpod" } } }] } },
        },
      });
      assert.ok(environment, "CreateEnvironment answers the environment");
      ctx.cleanup(() => environments.deleteEnvironment({ environmentId: environment.id, force: true }));
      // Real time passes, the target's does not: nothing moves.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const still = await environments.getEnvironment({ environmentId: environment.id });
      assert.equal(still.environment?.status?.phase, EnvironmentPhase.CREATING, "a frozen clock stops the lifecycle");
      const running = await ctx.waitFor(
        "the environment RUNNING on the advancing clock",
        () => environments.getEnvironment({ environmentId: environment.id }),
        (r) => r.environment?.status?.phase === EnvironmentPhase.RUNNING,
        { timeoutMs: 40_000 },
      );
      assert.equal(running.environment?.status?.phase, EnvironmentPhase.RUNNING);
    },
  },
];
