// ListRunners: the organization's runners not yet gone, filtered by creator, kind and provider
// (a runner principal sees only itself).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";
import { isGone, ownRunnerOnly, runners } from "../../domain/runners/index.js";
import { runnerView } from "./runner-view.js";

export const listRunners = defineHandlers(RunnerService, (deps) => ({
  async listRunners(req, ctx) {
    const caller = callerOf(ctx);
    const nowMs = deps.clock.nowMs();
    const creators = req.filter?.creatorIds ?? [];
    const kinds = req.filter?.kinds ?? [];
    const providers = req.filter?.providers ?? [];
    const onlySelf = ownRunnerOnly(caller);
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(runners),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: req.filter, onlySelf },
      where: (r) =>
        !isGone(r, nowMs) &&
        (onlySelf === undefined || r.runnerId === onlySelf) &&
        (creators.length === 0 || creators.includes(r.creator?.id ?? "")) &&
        (kinds.length === 0 || kinds.includes(r.kind)) &&
        (providers.length === 0 || providers.includes(r.provider)),
    });
    return { runners: page.values.map(runnerView), pagination: page.pagination };
  },
}));
