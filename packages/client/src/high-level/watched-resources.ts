// The three resources a caller waits for, each described by how to read it, where it stands,
// when it has failed and which phases it never comes back from.
import { clone, create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { EnvironmentPhase, EnvironmentSchema, EnvironmentStatusSchema, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import {
  ServicePhase,
  ServiceSchema,
  ServiceStatusSchema,
  TaskExecutionPhase,
  type Service,
  type TaskExecution,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import type { GitpodCallOptions } from "../behaviour/call-options.js";
import type { Services } from "./services.js";

export interface WatchedResource<R, P extends number> {
  kind: string;
  resourceType: ResourceType;
  /** The phase enum, for names in errors. */
  phases: Record<number, string>;
  get(services: Services, id: string, options: GitpodCallOptions): Promise<R>;
  /** The environment whose event stream reports changes of the resource. */
  environmentId(resource: R): string;
  phase(resource: R): P;
  /** Why it failed, or undefined while it has not. */
  failure(resource: R): string | undefined;
  /** Whether a resource in `phase` can never reach any of `wanted`. */
  cannotReach(phase: P, wanted: ReadonlySet<P>): boolean;
  /**
   * For resources the server removes after their last phase: that phase, and how a removed
   * resource is reported — its last state read in that phase (a copy), or, if it was gone before
   * the first read, a resource with only its id and that phase.
   */
  gone?: { phase: P; report(id: string, last: R | undefined): R };
}

/** `gone` for a resource with an id and a status phase: copies of the last read, in `phase`. */
function goneAs<R extends Message & { id: string }, P extends number>(
  schema: GenMessage<R>,
  statusSchema: DescMessage,
  phase: P,
): { phase: P; report(id: string, last: R | undefined): R } {
  return {
    phase,
    report: (id, last) => {
      const copy = last ? clone(schema, last) : create(schema, { id } as MessageInitShape<GenMessage<R>>);
      const withStatus = copy as unknown as { status?: object };
      withStatus.status = { ...(withStatus.status ?? create(statusSchema)), phase };
      return copy;
    },
  };
}

export const environmentResource: WatchedResource<Environment, EnvironmentPhase> = {
  kind: "environment",
  resourceType: ResourceType.ENVIRONMENT,
  phases: EnvironmentPhase,
  get: async (services, id, options) => (await services.environment.getEnvironment({ environmentId: id }, options)).environment!,
  environmentId: (env) => env.id,
  phase: (env) => env.status?.phase ?? EnvironmentPhase.UNSPECIFIED,
  // A failure counts only for the spec the runner last acknowledged: after a new start, the old
  // failure message stays until the runner takes up the new spec.
  failure: (env) => {
    const messages = env.status?.failureMessage ?? [];
    if (messages.length === 0 || env.status?.runnerAck?.specVersion !== env.spec?.specVersion) return undefined;
    return messages.join("; ");
  },
  cannotReach: (phase, wanted) => {
    if (phase === EnvironmentPhase.DELETED) return !wanted.has(EnvironmentPhase.DELETED);
    if (phase === EnvironmentPhase.DELETING) return !wanted.has(EnvironmentPhase.DELETING) && !wanted.has(EnvironmentPhase.DELETED);
    return false;
  },
  gone: goneAs(EnvironmentSchema, EnvironmentStatusSchema, EnvironmentPhase.DELETED),
};

export const serviceResource: WatchedResource<Service, ServicePhase> = {
  kind: "service",
  resourceType: ResourceType.SERVICE,
  phases: ServicePhase,
  get: async (services, id, options) => (await services.automation.getService({ id }, options)).service!,
  environmentId: (service) => service.environmentId,
  phase: (service) => service.status?.phase ?? ServicePhase.UNSPECIFIED,
  failure: (service) => (service.status?.phase === ServicePhase.FAILED ? service.status.failureMessage || "the service failed" : undefined),
  cannotReach: (phase, wanted) => phase === ServicePhase.DELETED && !wanted.has(ServicePhase.DELETED),
  gone: goneAs(ServiceSchema, ServiceStatusSchema, ServicePhase.DELETED),
};

const finalExecutionPhases: ReadonlySet<TaskExecutionPhase> = new Set([TaskExecutionPhase.SUCCEEDED, TaskExecutionPhase.FAILED, TaskExecutionPhase.STOPPED]);

export const taskExecutionResource: WatchedResource<TaskExecution, TaskExecutionPhase> = {
  kind: "task execution",
  resourceType: ResourceType.TASK_EXECUTION,
  phases: TaskExecutionPhase,
  get: async (services, id, options) => (await services.automation.getTaskExecution({ id }, options)).taskExecution!,
  environmentId: (execution) => execution.metadata?.environmentId ?? "",
  phase: (execution) => execution.status?.phase ?? TaskExecutionPhase.UNSPECIFIED,
  failure: (execution) =>
    execution.status?.phase === TaskExecutionPhase.FAILED ? execution.status.failureMessage || "the task execution failed" : undefined,
  cannotReach: (phase, wanted) => finalExecutionPhases.has(phase) && !wanted.has(phase),
};
