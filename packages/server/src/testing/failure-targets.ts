// The organization of a failure's target (an injection is stored in its target's organization), or
// undefined when there is no such target.
import { environments } from "../domain/environments/index.js";
import type { HandlerDeps } from "../handler-deps.js";
import type { FailureTargetKind } from "../simulation/index.js";

export async function findFailureTarget(deps: HandlerDeps, kind: FailureTargetKind, id: string): Promise<string | undefined> {
  switch (kind) {
    case "environment":
      return (await deps.store.collection(environments).get(id))?.organizationId;
    default:
      return undefined; // services and tasks: wired when the automations domain lands
  }
}
