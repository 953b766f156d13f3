// CreateEnvironmentClass: a new, enabled environment class of a runner, checked against the
// runner's configuration schema.
import { create } from "@bufbuild/protobuf";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { assertNoProblems, environmentClasses, environmentClassProblems } from "../../domain/environment-classes/index.js";
import { findUsableRunner } from "../../domain/runners/index.js";

export const createEnvironmentClass = defineHandlers(RunnerConfigurationService, (deps) => ({
  async createEnvironmentClass(req, ctx) {
    const caller = callerOf(ctx);
    const id = deps.ids.newId();
    await deps.store.transaction(async (tx) => {
      const runner = await findUsableRunner(tx, deps.clock.nowMs(), caller, req.runnerId, "configure it any more");
      assertNoProblems(environmentClassProblems(runner, req));
      const environmentClass = create(EnvironmentClassSchema, {
        id,
        runnerId: runner.runnerId,
        displayName: req.displayName,
        description: req.description,
        configuration: req.configuration.map(({ key, value }) => ({ key, value })),
        enabled: true,
      });
      await tx.collection(environmentClasses).insert({ id, organizationId: caller.organizationId, value: environmentClass });
    });
    return { id };
  },
}));
