// Questions about where an environment stands, asked by handlers and the simulated runner alike.
import { EnvironmentPhase, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";

const deletionPhases: ReadonlySet<EnvironmentPhase> = new Set([EnvironmentPhase.DELETING, EnvironmentPhase.DELETED]);

/** Whether the environment is being deleted (asked for or under way): nothing new may be done with it. */
export function isGoingAway(env: Environment): boolean {
  return env.spec?.desiredPhase === EnvironmentPhase.DELETED || deletionPhases.has(env.status?.phase ?? EnvironmentPhase.UNSPECIFIED);
}

/** Whether the environment is stopped (and not on its way anywhere else). */
export function isStopped(env: Environment): boolean {
  return env.status?.phase === EnvironmentPhase.STOPPED && env.spec?.desiredPhase === EnvironmentPhase.STOPPED;
}

/** Whether the runner has reported a failure for the current spec (then it stops and stays stopped). */
export function hasFailed(env: Environment): boolean {
  return (env.status?.failureMessage.length ?? 0) > 0 && env.status?.runnerAck?.specVersion === env.spec?.specVersion;
}

/**
 * The phase the runner works towards: the desired phase, except that an environment whose current
 * spec failed goes to STOPPED (and waits there for a new spec, e.g. from StartEnvironment).
 */
export function targetPhase(env: Environment): EnvironmentPhase {
  const desired = env.spec?.desiredPhase ?? EnvironmentPhase.UNSPECIFIED;
  if (desired === EnvironmentPhase.RUNNING && hasFailed(env)) return EnvironmentPhase.STOPPED;
  return desired === EnvironmentPhase.UNSPECIFIED ? EnvironmentPhase.RUNNING : desired;
}

/** Whether the environment has been archived. */
export function isArchived(env: Environment): boolean {
  return env.metadata?.archivedAt !== undefined;
}
