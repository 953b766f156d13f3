// ListEnvironmentClasses, as both EnvironmentService and RunnerConfigurationService serve it (the
// same RPC messages): the organization's environment classes in creation order, filtered by runner,
// runner kind and provider, enabled, and whether environments can be created with them; a runner
// caller sees only its own runner's classes.
import type { EnvironmentClass } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { PaginationResponse } from "@gitpod-connect/schema/gitpod/v1/pagination";
import type { ListEnvironmentClassesRequest } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { Caller } from "../../auth/caller.js";
import type { HandlerDeps } from "../../handler-deps.js";
import { paginate } from "../../pagination/index.js";
import { recordsWhere } from "../../store/scan.js";
import { isGoingAway, ownRunnerOnly, runners } from "../runners/index.js";
import { environmentClasses } from "./records.js";

/** Whether environments can be created with the class: it is enabled and its runner is not being deleted. */
export function canCreateEnvironments(environmentClass: EnvironmentClass, runner: Runner): boolean {
  return environmentClass.enabled && !isGoingAway(runner);
}

export async function listEnvironmentClasses(
  deps: HandlerDeps,
  caller: Caller,
  req: ListEnvironmentClassesRequest,
): Promise<{ environmentClasses: EnvironmentClass[]; pagination: PaginationResponse }> {
  const { organizationId } = caller;
  const f = req.filter;
  const onlyRunner = ownRunnerOnly(caller);
  const runnerIds = new Set(f?.runnerIds ?? []);
  const kinds = new Set(f?.runnerKinds ?? []);
  const providers = new Set(f?.runnerProviders ?? []);
  const usableOnly = f?.canCreateEnvironments === true;
  const needRunners = kinds.size > 0 || providers.size > 0 || usableOnly;
  // A filter by runner kind, provider or usability needs the runners.
  const byId = new Map<string, Runner>(needRunners ? (await recordsWhere(deps.store, runners, organizationId)).map((r) => [r.id, r.value]) : []);
  const page = await paginate(deps.pageTokens, {
    collection: deps.store.collection(environmentClasses),
    organizationId,
    pagination: req.pagination,
    filter: { filter: f, onlyRunner },
    where: (c) => {
      if (onlyRunner !== undefined && c.runnerId !== onlyRunner) return false;
      if (runnerIds.size > 0 && !runnerIds.has(c.runnerId)) return false;
      if (f?.enabled !== undefined && c.enabled !== f.enabled) return false;
      if (!needRunners) return true;
      const runner = byId.get(c.runnerId);
      if (!runner) return false;
      if (kinds.size > 0 && !kinds.has(runner.kind)) return false;
      if (providers.size > 0 && !providers.has(runner.provider)) return false;
      return !usableOnly || canCreateEnvironments(c, runner);
    },
  });
  return { environmentClasses: page.values, pagination: page.pagination };
}
