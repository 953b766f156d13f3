// Firing triggers: at a point of the environment's start, every service whose triggers match is
// asked to start (as StartService does) and every such task gets a new execution, started by the
// environment itself and named after the trigger (metadata.started_by, e.g. "postEnvironmentStart").
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { Principal, SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { HandlerDeps } from "../../handler-deps.js";
import { recordsWhere } from "../../store/scan.js";
import type { Transaction } from "../../store/store.js";
import { startTaskRun } from "./automation-writes.js";
import { environmentGraph, type AutomationGraph } from "./execution-plan.js";
import { services, tasks } from "./records.js";
import { requestStart } from "./service-lifecycle.js";
import { firingTrigger, triggerName, type TriggerKind } from "./triggers.js";

/** The environment as the subject of what it starts by itself. */
export const environmentSubject = (env: Environment) => create(SubjectSchema, { id: env.id, principal: Principal.ENVIRONMENT });

/**
 * Starts the environment's automations that `firing` triggers (honouring the environment's trigger
 * filter); with `only`, just those ids.
 */
export async function fireTriggers(tx: Transaction, deps: HandlerDeps, env: Environment, firing: readonly TriggerKind[], only?: ReadonlySet<string>): Promise<void> {
  if (firing.length === 0) return;
  const organizationId = env.metadata?.organizationId ?? "";
  const mine = (environmentId: string, id: string) => environmentId === env.id && (!only || only.has(id));
  for (const { id, value } of await recordsWhere(tx, services, organizationId, (r) => mine(r.service.environmentId, r.service.id))) {
    if (!firingTrigger(value.service.metadata?.triggeredBy ?? [], firing, env)) continue;
    if (requestStart(value)) await tx.collection(services).update(id, value, { organizationId });
  }
  let graph: AutomationGraph | undefined;
  for (const { value } of await recordsWhere(tx, tasks, organizationId, (r) => mine(r.task.environmentId, r.task.id))) {
    const kind = firingTrigger(value.task.metadata?.triggeredBy ?? [], firing, env);
    if (!kind) continue;
    graph ??= await environmentGraph(tx, organizationId, env.id);
    try {
      await startTaskRun(tx, deps, { task: value, organizationId, creator: environmentSubject(env), startedBy: triggerName(kind), graph });
    } catch (e) {
      // A task whose dependencies cannot be planned is skipped: it must not hold up its environment.
      if (!(e instanceof ConnectError && e.code === Code.FailedPrecondition)) throw e;
    }
  }
}
