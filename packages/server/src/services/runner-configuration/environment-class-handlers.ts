// CreateEnvironmentClass, GetEnvironmentClass, ListEnvironmentClasses, UpdateEnvironmentClass.
import { create } from "@bufbuild/protobuf";
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, invalidArgument, notFound, paginate, recordsWhere } from "../../rpc/index.js";
import { assertNoProblems, descriptionProblem, displayNameProblem, environmentClasses, environmentClassProblems } from "../../domain/environment-classes/index.js";
import { findUsableRunner, isGoingAway, mayActOn, ownRunnerOnly, runners } from "../../domain/runners/index.js";
import type { HandlerGroup } from "./handler-group.js";

const kind = "environment class";

export const environmentClassHandlers: HandlerGroup = (deps) => ({
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

  async getEnvironmentClass(req, ctx) {
    const caller = callerOf(ctx);
    const record = await deps.store.collection(environmentClasses).get(req.environmentClassId, { organizationId: caller.organizationId });
    if (!record || !mayActOn(caller, record.value.runnerId)) throw notFound(kind, req.environmentClassId);
    return { environmentClass: record.value };
  },

  async listEnvironmentClasses(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    const f = req.filter;
    const onlyRunner = ownRunnerOnly(caller);
    const runnerIds = new Set(f?.runnerIds ?? []);
    const kinds = new Set(f?.runnerKinds ?? []);
    const providers = new Set(f?.runnerProviders ?? []);
    const usableOnly = f?.canCreateEnvironments === true;
    const needRunners = kinds.size > 0 || providers.size > 0 || usableOnly;
    // A list filter by runner kind/provider needs the runners.
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
        return !usableOnly || (c.enabled && !isGoingAway(runner));
      },
    });
    return { environmentClasses: page.values, pagination: page.pagination };
  },

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
});
