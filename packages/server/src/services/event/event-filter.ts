// Which events a WatchEvents call receives: those of its scope, narrowed to what the caller may see
// (an environment token: its own environment; a runner: itself and the environments on it), and
// matching one of the resource-type filters when there are any. As documented, the organization
// scope (also when the scope is left out) covers organization-wide resources — environments,
// runners, projects, … — but not the services, tasks and task executions inside environments; the
// environment scope covers one environment and exactly those.
import { ResourceType, type WatchEventsRequest } from "@gitpod-connect/schema/gitpod/v1/event";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Caller } from "../../auth/caller.js";
import { findEnvironment } from "../../domain/environments/index.js";
import type { ResourceEvent } from "../../events/resource-events.js";
import type { Transaction } from "../../store/store.js";
import { invalidArgument } from "../../rpc/index.js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Match = (event: ResourceEvent) => boolean;

/** The resources inside an environment: in its scope, not in the organization's. */
const insideEnvironments: ReadonlySet<ResourceType> = new Set([ResourceType.SERVICE, ResourceType.TASK, ResourceType.TASK_EXECUTION]);

function callerSees(caller: Caller): Match {
  const { principal, id } = caller.subject;
  if (principal === Principal.ENVIRONMENT) return (e) => e.environmentId === id;
  if (principal === Principal.RUNNER) return (e) => e.runnerId === id;
  return () => true;
}

function filtersMatch(req: WatchEventsRequest): Match {
  const filters = req.resourceTypeFilters.map((f) => ({
    type: f.resourceType,
    ids: new Set(f.resourceIds),
    creators: new Set(f.creatorIds),
  }));
  if (filters.length === 0) return () => true;
  return (e) =>
    filters.some(
      (f) => f.type === e.resourceType && (f.ids.size === 0 || f.ids.has(e.resourceId)) && (f.creators.size === 0 || f.creators.has(e.creatorId ?? "")),
    );
}

/** The filter of a WatchEvents call; not_found for an environment the caller cannot see. */
export async function eventFilter(tx: Transaction, caller: Caller, req: WatchEventsRequest): Promise<Match> {
  let inScope: Match;
  const scope = req.scope;
  if (scope.case === undefined || (scope.case === "organization" && scope.value)) {
    inScope = (e) => !insideEnvironments.has(e.resourceType);
  } else if (scope.case === "environmentId") {
    if (!uuid.test(scope.value)) throw invalidArgument("environment_id", "must be the UUID of an environment");
    const environmentId = (await findEnvironment(tx, caller, scope.value)).value.environment.id;
    inScope = (e) => e.environmentId === environmentId;
  } else {
    throw invalidArgument("organization", "must be true when set; leave the scope out or set environment_id instead");
  }
  const sees = callerSees(caller);
  const matchesFilters = filtersMatch(req);
  return (e) => e.organizationId === caller.organizationId && inScope(e) && sees(e) && matchesFilters(e);
}
