// ListEnvironments: which environments match a filter, in which order, and how many there are.
//
// Filters combine with AND, each list with OR. Archival status defaults to ACTIVE (archived
// environments are listed only when asked for). `search` matches id, name, repository URL and
// branch, case-insensitively. The default order is by id, descending; ids are time-ordered
// (UUIDv7), so that is newest first, as the store keeps them.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  ListEnvironmentsRequest_ArchivalStatus as ArchivalStatus,
  type ListEnvironmentsRequest_Filter,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import type { RunnerKind } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { contentSourceOf } from "./content-source.js";
import { isVisibleTo, type EnvironmentScope } from "./environment-lookup.js";
import { isArchived } from "./environment-phases.js";
import type { EnvironmentRecord } from "./records.js";

/** Counting stops here: a larger total is reported as "at least" (COUNT_RESPONSE_RELATION_GTE). */
export const countLimit = 1_000;

export interface FilterContext {
  scope: EnvironmentScope;
  /** The kinds of the organization's runners, when the filter asks for runner kinds. */
  runnerKinds?: ReadonlyMap<string, RunnerKind>;
}

export function environmentMatcher(filter: ListEnvironmentsRequest_Filter | undefined, ctx: FilterContext): (r: EnvironmentRecord) => boolean {
  const f = filter;
  const set = <T>(values: readonly T[] | undefined) => (values && values.length > 0 ? new Set(values) : undefined);
  const runnerIds = set(f?.runnerIds);
  const phases = set(f?.statusPhases);
  const creators = set(f?.creatorIds);
  const projects = set(f?.projectIds);
  const kinds = set(f?.runnerKinds);
  const roles = set(f?.roles);
  const sessions = set(f?.sessionIds);
  const archival = f?.archivalStatus ?? ArchivalStatus.UNSPECIFIED;
  const createdBefore = f?.createdBefore ? timestampMs(f.createdBefore) : undefined;
  const lockdownBefore = f?.lockdownBefore ? timestampMs(f.lockdownBefore) : undefined;
  const search = (f?.search ?? "").toLowerCase();

  return (record) => {
    const env = record.environment;
    const m = env.metadata;
    if (!isVisibleTo(ctx.scope, record)) return false;
    if (runnerIds && !runnerIds.has(m?.runnerId ?? "")) return false;
    if (phases && !phases.has(env.status?.phase ?? 0)) return false;
    if (creators && !creators.has(m?.creator?.id ?? "")) return false;
    if (projects && !projects.has(m?.projectId ?? "")) return false;
    if (kinds && !kinds.has(ctx.runnerKinds?.get(m?.runnerId ?? "") ?? 0)) return false;
    if (roles && !roles.has(m?.role ?? 0)) return false;
    if (sessions && !sessions.has(m?.sessionId ?? "")) return false;
    const archived = isArchived(env);
    if (archival === ArchivalStatus.ARCHIVED && !archived) return false;
    if ((archival === ArchivalStatus.ACTIVE || archival === ArchivalStatus.UNSPECIFIED) && archived) return false;
    if (createdBefore !== undefined && (!m?.createdAt || timestampMs(m.createdAt) >= createdBefore)) return false;
    if (lockdownBefore !== undefined && (!m?.lockdownAt || timestampMs(m.lockdownAt) >= lockdownBefore)) return false;
    if (search !== "") {
      const source = contentSourceOf(env.spec?.content?.initializer);
      const haystack = [env.id, m?.name ?? "", source.cloneUrl, source.contextUrl, source.branch].map((s) => s.toLowerCase());
      if (!haystack.some((s) => s.includes(search))) return false;
    }
    return true;
  };
}
