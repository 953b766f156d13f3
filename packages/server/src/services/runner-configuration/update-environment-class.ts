// UpdateEnvironmentClass: changes the display name, description or enabled flag of an
// environment class.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, invalidArgument, notFound } from "../../rpc/index.js";
import { descriptionProblem, displayNameProblem, environmentClasses } from "../../domain/environment-classes/index.js";
import { mayActOn } from "../../domain/runners/index.js";

const kind = "environment class";

export const updateEnvironmentClass = defineHandlers(RunnerConfigurationService, (deps) => ({
  async updateEnvironmentClass(req, ctx) {
    const caller = callerOf(ctx);
    const nameProblem = req.displayName === undefined ? undefined : displayNameProblem(req.displayName);
    if (nameProblem) throw invalidArgument("display_name", nameProblem);
    const descProblem = req.description === undefined ? undefined : descriptionProblem(req.description);
    if (descProblem) throw invalidArgument("description", descProblem);
    // Absent, in another organization or another runner's: the store's not_found or ours, same message.
    await deps.store.collection(environmentClasses).update(
      req.environmentClassId,
      (current) => {
        if (!mayActOn(caller, current.runnerId)) throw notFound(kind, req.environmentClassId);
        if (req.displayName !== undefined) current.displayName = req.displayName;
        if (req.description !== undefined) current.description = req.description;
        if (req.enabled !== undefined) current.enabled = req.enabled;
        return current;
      },
      { organizationId: caller.organizationId },
    );
    return {};
  },
}));
