// Which events a WatchEvents call receives: those of its scope (the caller's organization, or one
// environment and what belongs to it), narrowed to what the caller may see (an environment token:
// its own environment; a runner: itself and the environments on it), and matching one of the
// resource-type filters when there are any.
import type { WatchEventsRequest } from "@gitpod-connect/schema/gitpod/v1/event";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Caller } from "../../auth/caller.js";
import { findEnvironment } from "../../domain/environments/index.js";
import type { ResourceEvent } from "../../events/resource-events.js";
import type { Transaction } from "../../store/store.js";
import { invalidArgument } from "../../rpc/index.js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Match = (event: ResourceEvent) => boolean;

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

/** The filter of a WatchEvents call; invalid_argument without a scope, not_found for an environment the caller cannot see. */
export async function eventFilter(tx: Transaction, caller: Caller, req: WatchEventsRequest): Promise<Match> {
  let inScope: Match;
  const scope = req.scope;
  if (scope.case === "organization" && scope.value) {
    inScope = () => true;
  } else if (scope.case === "environmentId") {
    if (!uuid.test(scope.value)) throw invalidArgument("environment_id", "must be the UUID of an environment");
    const environmentId = (await findEnvironment(tx, caller, scope.value)).value.environment.id;
    inScope = (e) => e.environmentId === environmentId;
  } else {
    throw invalidArgument("scope", "set organization: true, or environment_id to watch one environment");
  }
  const sees = callerSees(caller);
  const matchesFilters = filtersMatch(req);
  return (e) => e.organizationId === caller.organizationId && inScope(e) && sees(e) && matchesFilters(e);
}
