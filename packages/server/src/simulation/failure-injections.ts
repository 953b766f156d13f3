// Failures the testing controls ask the simulated runner to produce: "when environment/service/task
// X reaches step S, fail it with message M". Each injection is used once, by the step that applies
// it, in that step's transaction (so a step that rolls back does not use it up).
import { plainCollection, type Transaction } from "../store/store.js";

/** The steps a failure can be injected at, per kind of target. */
export const failureSteps = {
  environment: ["machine", "content", "devcontainer", "automations_file"],
  service: ["start", "ready", "stop"],
  task: ["run"],
} as const;

export type FailureTargetKind = keyof typeof failureSteps;

export interface FailureInjection {
  kind: FailureTargetKind;
  /** The id of the environment, service or task. */
  targetId: string;
  step: string;
  message: string;
}

/** Keyed by `${targetId}/${step}`; organizationId = the target's organization. */
export const failureInjections = plainCollection<FailureInjection>("failure_injections", "failure injection");

export const failureKey = (targetId: string, step: string) => `${targetId}/${step}`;

/**
 * The message of the failure injected for `targetId` at `step`, removing the injection; undefined
 * when none is waiting. Call it inside the step's transaction.
 */
export async function takeFailure(tx: Transaction, organizationId: string, targetId: string, step: string): Promise<string | undefined> {
  const removed = await tx.collection(failureInjections).delete(failureKey(targetId, step), { organizationId });
  return removed?.value.message;
}
