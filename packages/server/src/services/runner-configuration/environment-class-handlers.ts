// CreateEnvironmentClass, GetEnvironmentClass, ListEnvironmentClasses, UpdateEnvironmentClass.
import { create } from "@bufbuild/protobuf";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, environmentClasses, invalidArgument, notFound, paginate, runners } from "../../kit.js";
import type { Transaction } from "../../store/store.js";
import { assertNoProblems, descriptionProblem, displayNameProblem, environmentClassProblems } from "./environment-class-rules.js";
import type { HandlerGroup } from "./handler-group.js";
import { assertRunnerConfigurable, isRunnerGoingAway, requireRunner } from "./runner-access.js";

/** All runners of an organization by id (a list filter by runner kind/provider needs them). */
async function runnersById(store: Transaction, organizationId: string): Promise<Map<string, Runner>> {
  const byId = new Map<string, Runner>();
  let after: number | undefined;
  do {
    const page = await store.collection(runners).list({ organizationId, limit: 500, ...(after !== undefined ? { after } : {}) });
    for (const r of page.items) byId.set(r.id, r.value);
    after = page.next;
  } while (after !== undefined);
  return byId;
}

export const environmentClassHandlers: HandlerGroup = (deps) => ({
  async createEnvironmentClass(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const runner = await requireRunner(deps.store, deps.clock.nowMs(), organizationId, req.runnerId);
    assertRunnerConfigurable(runner);
    assertNoProblems(environmentClassProblems(runner, req));
    const id = deps.ids.newId();
    const environmentClass = create(EnvironmentClassSchema, {
      id,
      runnerId: runner.runnerId,
      displayName: req.displayName,
      description: req.description,
      configuration: req.configuration.map(({ key, value }) => ({ key, value })),
      enabled: true,
    });
    await deps.store.collection(environmentClasses).insert({ id, organizationId, value: environmentClass });
    return { id };
  },

  async getEnvironmentClass(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const record = await deps.store.collection(environmentClasses).get(req.environmentClassId, { organizationId });
    if (!record) throw notFound("environment class", req.environmentClassId);
    return { environmentClass: record.value };
  },

  async listEnvironmentClasses(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const f = req.filter;
    const runnerIds = new Set(f?.runnerIds ?? []);
    const kinds = new Set(f?.runnerKinds ?? []);
    const providers = new Set(f?.runnerProviders ?? []);
    const usableOnly = f?.canCreateEnvironments === true;
    const needRunners = kinds.size > 0 || providers.size > 0 || usableOnly;
    const byId = needRunners ? await runnersById(deps.store, organizationId) : new Map<string, Runner>();
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(environmentClasses),
      organizationId,
      pagination: req.pagination,
      filter: f,
      where: (c) => {
        if (runnerIds.size > 0 && !runnerIds.has(c.runnerId)) return false;
        if (f?.enabled !== undefined && c.enabled !== f.enabled) return false;
        if (!needRunners) return true;
        const runner = byId.get(c.runnerId);
        if (!runner) return false;
        if (kinds.size > 0 && !kinds.has(runner.kind)) return false;
        if (providers.size > 0 && !providers.has(runner.provider)) return false;
        return !usableOnly || (c.enabled && !isRunnerGoingAway(runner));
      },
    });
    return { environmentClasses: page.values, pagination: page.pagination };
  },

  async updateEnvironmentClass(req, ctx) {
    const { organizationId } = callerOf(ctx);
    const nameProblem = req.displayName === undefined ? undefined : displayNameProblem(req.displayName);
    if (nameProblem) throw invalidArgument("display_name", nameProblem);
    const descProblem = req.description === undefined ? undefined : descriptionProblem(req.description);
    if (descProblem) throw invalidArgument("description", descProblem);
    const collection = deps.store.collection(environmentClasses);
    if (!(await collection.get(req.environmentClassId, { organizationId }))) throw notFound("environment class", req.environmentClassId);
    await collection.update(
      req.environmentClassId,
      (current) => {
        if (req.displayName !== undefined) current.displayName = req.displayName;
        if (req.description !== undefined) current.description = req.description;
        if (req.enabled !== undefined) current.enabled = req.enabled;
        return current;
      },
      { organizationId },
    );
    return {};
  },
});
