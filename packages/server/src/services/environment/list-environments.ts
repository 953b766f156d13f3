// ListEnvironments: the environments matching the filter (domain/environments/environment-listing.ts),
// newest first by default, with verified page tokens and an optional bounded count.
import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  EnvironmentService,
  ListEnvironmentsRequest_SortField as SortField,
  type Environment,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { CountResponseRelation, CountResponseSchema } from "@gitpod-connect/schema/gitpod/v1/count";
import type { RunnerKind } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { SortOrder } from "@gitpod-connect/schema/gitpod/v1/pagination";
import { countLimit, environmentMatcher, environmentScopeOf, environments, type EnvironmentRecord } from "../../domain/environments/index.js";
import { runners } from "../../domain/runners/index.js";
import { callerOf, defineHandlers, paginate, paginateArray, recordsWhere, type Store } from "../../rpc/index.js";

export const listEnvironments = defineHandlers(EnvironmentService, (deps) => ({
  async listEnvironments(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    const scope = environmentScopeOf(caller);
    const runnerKinds =
      (req.filter?.runnerKinds.length ?? 0) > 0
        ? new Map<string, RunnerKind>((await recordsWhere(deps.store, runners, organizationId)).map((r) => [r.id, r.value.kind]))
        : undefined;
    const matches = environmentMatcher(req.filter, { scope, ...(runnerKinds ? { runnerKinds } : {}) });
    const ascending = req.sort?.order === SortOrder.ASC;
    const binding = { filter: req.filter, sort: req.sort, scope };

    let environmentsOnPage: Environment[];
    let pagination;
    if (req.sort?.field === SortField.ARCHIVED_AT) {
      // Archival time is not the store's order: sort the matches (archived ones first in their order).
      const all = (await recordsWhere(deps.store, environments, organizationId, matches)).map((r) => r.value.environment);
      const at = (e: Environment) => (e.metadata?.archivedAt ? timestampMs(e.metadata.archivedAt) : Number.NEGATIVE_INFINITY);
      all.sort((a, b) => (ascending ? at(a) - at(b) : at(b) - at(a)));
      const page = paginateArray(deps.pageTokens, { name: "ListEnvironments", organizationId, pagination: req.pagination, filter: binding, items: all });
      environmentsOnPage = page.values;
      pagination = page.pagination;
    } else {
      const page = await paginate(deps.pageTokens, {
        collection: deps.store.collection(environments),
        organizationId,
        pagination: req.pagination,
        filter: binding,
        where: matches,
        order: ascending ? "asc" : "desc",
        readOnly: true,
      });
      environmentsOnPage = page.values.map((r: EnvironmentRecord) => r.environment);
      pagination = page.pagination;
    }

    const firstPage = (req.pagination?.token ?? "") === "";
    const count = firstPage && req.count?.include ? await countMatches(deps, organizationId, matches) : undefined;
    return { environments: environmentsOnPage, pagination, ...(count ? { count } : {}) };
  },
}));

async function countMatches(
  deps: { store: Store },
  organizationId: string,
  matches: (r: EnvironmentRecord) => boolean,
) {
  const page = await deps.store.collection(environments).list({ organizationId, limit: countLimit, where: matches });
  return create(CountResponseSchema, {
    value: page.items.length,
    relation: page.next === undefined ? CountResponseRelation.EQ : CountResponseRelation.GTE,
  });
}
