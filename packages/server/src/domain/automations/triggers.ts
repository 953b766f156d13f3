// Triggers and roles in their two spellings — the API's AutomationTrigger oneof / ServiceRole enum,
// and the YAML names of automations files — and which triggers fire at which point of an
// environment's start.
import { create } from "@bufbuild/protobuf";
import { AutomationTriggerSchema, type AutomationTrigger } from "@gitpod-connect/schema/gitpod/v1/automation_trigger";
import { EnvironmentRole, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ServiceRole } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { invalidArgument } from "../../errors.js";
import type { LifecyclePoint } from "../environments/index.js";

export type TriggerKind = NonNullable<AutomationTrigger["trigger"]["case"]>;

/** The YAML name of each trigger (also what TaskExecution.metadata.started_by says for it). */
const yamlNames: Record<TriggerKind, string> = {
  manual: "manual",
  postMachineStart: "postMachineStart",
  postEnvironmentStart: "postEnvironmentStart",
  postDevcontainerStart: "postDevcontainerStart",
  prebuild: "prebuild",
  beforeSnapshot: "beforeSnapshot",
};

/** The triggers an automations file may name (the proto's `in` rule), by YAML name. */
const fileTriggers: Record<string, TriggerKind> = {
  manual: "manual",
  postEnvironmentStart: "postEnvironmentStart",
  postDevcontainerStart: "postDevcontainerStart",
  prebuild: "prebuild",
};

const fileRoles: Record<string, ServiceRole> = {
  "": ServiceRole.UNSPECIFIED,
  default: ServiceRole.DEFAULT,
  editor: ServiceRole.EDITOR,
  "ai-agent": ServiceRole.AI_AGENT,
};

export const triggerName = (kind: TriggerKind): string => yamlNames[kind];

/** The kind of a trigger that is set (to true); undefined for an empty or `false` one. */
export function triggerKind(trigger: AutomationTrigger): TriggerKind | undefined {
  return trigger.trigger.case !== undefined && trigger.trigger.value ? trigger.trigger.case : undefined;
}

/** Checks a trigger list of a request: every entry must set exactly one trigger to true. */
export function checkTriggers(triggers: readonly AutomationTrigger[], field: string): void {
  triggers.forEach((t, i) => {
    if (!triggerKind(t)) throw invalidArgument(`${field}[${i}]`, "must set one trigger to true (e.g. manual, post_environment_start)");
  });
}

/** The AutomationTrigger of a YAML trigger name (the request's validation already admitted it). */
export function triggerFromFile(name: string, field: string): AutomationTrigger {
  const kind = fileTriggers[name];
  if (!kind) throw invalidArgument(field, `unknown trigger ${JSON.stringify(name)}`);
  return create(AutomationTriggerSchema, { trigger: { case: kind, value: true } });
}

export function roleFromFile(name: string, field: string): ServiceRole {
  const role = fileRoles[name];
  if (role === undefined) throw invalidArgument(field, `unknown role ${JSON.stringify(name)}`);
  return role;
}

/**
 * The triggers that fire at a point of the environment's start, before the trigger filter. A
 * prebuild environment runs `prebuild` automations (at environment_started) and, as the Gitpod docs
 * say, no `postDevcontainerStart` ones; a user environment never runs `prebuild` ones. `manual` and
 * `beforeSnapshot` (no snapshots here) never fire by themselves.
 */
export function triggersAt(point: LifecyclePoint, env: Environment): TriggerKind[] {
  const prebuild = env.metadata?.role === EnvironmentRole.PREBUILD;
  switch (point) {
    case "machine_started":
      return ["postMachineStart"];
    case "devcontainer_started":
      return prebuild ? [] : ["postDevcontainerStart"];
    case "environment_started":
      return prebuild ? ["postEnvironmentStart", "prebuild"] : ["postEnvironmentStart"];
    default:
      return [];
  }
}

/**
 * The first of `firing` that `triggers` contain and the environment's trigger filter lets through
 * (`spec.automations_file.trigger_filter`: when not empty, only those kinds of trigger fire).
 */
export function firingTrigger(triggers: readonly AutomationTrigger[], firing: readonly TriggerKind[], env: Environment): TriggerKind | undefined {
  const filter = (env.spec?.automationsFile?.triggerFilter ?? []).map(triggerKind).filter((k) => k !== undefined);
  const kinds = new Set(triggers.map(triggerKind));
  return firing.find((k) => kinds.has(k) && (filter.length === 0 || filter.includes(k)));
}
