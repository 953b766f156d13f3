// A minimal, test-only implementation of two RunnerConfigurationService RPCs, so the protocol
// and hardening tests can exercise a full round trip before the real handlers exist. It is not
// registered in services/index.ts; the real implementation replaces nothing here.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { environmentClasses } from "../domain/environment-classes/index.js";
import { callerOf } from "../auth/caller.js";
import { notFound } from "../errors.js";
import { paginate } from "../pagination/index.js";
import { defineService } from "../rpc/define-service.js";

export interface SampleHooks {
  /** Awaited inside GetEnvironmentClass before it answers (lets tests hold a call in flight). */
  beforeGet?: () => Promise<void>;
}

export function sampleService(hooks: SampleHooks = {}) {
  return defineService(RunnerConfigurationService, (deps) => ({
    async listEnvironmentClasses(req, ctx) {
      const { organizationId } = callerOf(ctx);
      const runnerIds = req.filter?.runnerIds ?? [];
      const page = await paginate(deps.pageTokens, {
        collection: deps.store.collection(environmentClasses),
        organizationId,
        pagination: req.pagination,
        filter: req.filter,
        where: (c) => (runnerIds.length === 0 || runnerIds.includes(c.runnerId)) && (req.filter?.enabled === undefined || c.enabled === req.filter.enabled),
      });
      return { environmentClasses: page.values, pagination: page.pagination };
    },
    async getEnvironmentClass(req, ctx) {
      await hooks.beforeGet?.();
      const { organizationId } = callerOf(ctx);
      const record = await deps.store.collection(environmentClasses).get(req.environmentClassId, { organizationId });
      if (!record) throw notFound("environment class", req.environmentClassId);
      return { environmentClass: record.value };
    },
  }));
}
