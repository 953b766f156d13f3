// The organization of a failure's target (an injection is stored in its target's organization), or
// undefined when there is no such target.
import { services, tasks } from "../domain/automations/index.js";
import { environments } from "../domain/environments/index.js";
import type { HandlerDeps } from "../handler-deps.js";
import type { FailureTargetKind } from "../simulation/index.js";

export async function findFailureTarget(deps: HandlerDeps, kind: FailureTargetKind, id: string): Promise<string | undefined> {
  switch (kind) {
    case "environment":
      return (await deps.store.collection(environments).get(id))?.organizationId;
    case "service":
      return (await deps.store.collection(services).get(id))?.organizationId;
    case "task":
      return (await deps.store.collection(tasks).get(id))?.organizationId;
  }
}
