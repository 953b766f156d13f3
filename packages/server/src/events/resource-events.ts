// Which store writes are resource events, and what an event says about the resource. A write to a
// collection listed here is an event: insert → CREATE, delete → DELETE, update → UPDATE, or
// UPDATE_STATUS when nothing but the resource's status changed; an update that leaves the API
// message as it was (bookkeeping such as idle time or a started command) is no event, since a
// watcher could see no change. Other collections (tokens, keys, logs, failure injections, …) hold
// no API resources and make no events.
import { equals, type DescMessage, type Message } from "@bufbuild/protobuf";
import { EnvironmentSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { ServiceSchema, TaskExecutionSchema, TaskSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { ResourceOperation, ResourceType } from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { organizations, users } from "../auth/identity-records.js";
import { services, taskExecutions, tasks, type ServiceRecord, type TaskExecutionRecord, type TaskRecord } from "../domain/automations/index.js";
import { environmentClasses } from "../domain/environment-classes/index.js";
import { environments, projects, type EnvironmentRecord } from "../domain/environments/index.js";
import { llmIntegrations, type LlmIntegrationRecord } from "../domain/llm-integrations/index.js";
import { runners } from "../domain/runners/index.js";
import { hostAuthenticationTokens, scmIntegrations, tokenOwnerId, type HostTokenRecord, type ScmIntegrationRecord } from "../domain/scm/index.js";
import type { StoreChange } from "../store/store.js";

/** One change to one resource, with what subscriptions filter on. */
export interface ResourceEvent {
  organizationId: string;
  operation: ResourceOperation;
  resourceType: ResourceType;
  resourceId: string;
  /** The environment the resource is or belongs to (environments, their services, tasks, executions). */
  environmentId?: string;
  /** The runner the resource is or belongs to. */
  runnerId?: string;
  /** The subject that created the resource, where it records one. */
  creatorId?: string;
}

interface Source<T> {
  type: ResourceType;
  /** The API message whose status is told apart from the rest, if the resource has a status. */
  message?: { schema: DescMessage; of: (value: T) => Message & { status?: unknown } };
  environmentId?: (value: T) => string | undefined;
  runnerId?: (value: T) => string | undefined;
  creatorId?: (value: T) => string | undefined;
}

const source = <T>(s: Source<T>) => s as Source<unknown>;

/** The event sources, by collection name. */
const sources = new Map<string, Source<unknown>>([
  [
    environments.name,
    source<EnvironmentRecord>({
      type: ResourceType.ENVIRONMENT,
      message: { schema: EnvironmentSchema, of: (r) => r.environment },
      environmentId: (r) => r.environment.id,
      runnerId: (r) => r.environment.metadata?.runnerId,
      creatorId: (r) => r.environment.metadata?.creator?.id,
    }),
  ],
  [
    services.name,
    source<ServiceRecord>({
      type: ResourceType.SERVICE,
      message: { schema: ServiceSchema, of: (r) => r.service },
      environmentId: (r) => r.service.environmentId,
      runnerId: (r) => r.runnerId,
      creatorId: (r) => r.service.metadata?.creator?.id,
    }),
  ],
  [
    tasks.name,
    source<TaskRecord>({
      type: ResourceType.TASK,
      message: { schema: TaskSchema, of: (r) => r.task },
      environmentId: (r) => r.task.environmentId,
      runnerId: (r) => r.runnerId,
      creatorId: (r) => r.task.metadata?.creator?.id,
    }),
  ],
  [
    taskExecutions.name,
    source<TaskExecutionRecord>({
      type: ResourceType.TASK_EXECUTION,
      message: { schema: TaskExecutionSchema, of: (r) => r.execution },
      environmentId: (r) => r.execution.metadata?.environmentId,
      runnerId: (r) => r.runnerId,
      creatorId: (r) => r.execution.metadata?.creator?.id,
    }),
  ],
  [
    runners.name,
    source<ReturnType<typeof runners.copy>>({
      type: ResourceType.RUNNER,
      message: { schema: RunnerSchema, of: (r) => r },
      runnerId: (r) => r.runnerId,
      creatorId: (r) => r.creator?.id,
    }),
  ],
  [environmentClasses.name, source<ReturnType<typeof environmentClasses.copy>>({ type: ResourceType.ENVIRONMENT_CLASS, runnerId: (c) => c.runnerId })],
  [scmIntegrations.name, source<ScmIntegrationRecord>({ type: ResourceType.RUNNER_SCM_INTEGRATION, runnerId: (r) => r.integration.runnerId })],
  [llmIntegrations.name, source<LlmIntegrationRecord>({ type: ResourceType.RUNNER_LLM_INTEGRATION, runnerId: (r) => r.integration.runnerId })],
  [
    hostAuthenticationTokens.name,
    source<HostTokenRecord>({
      type: ResourceType.HOST_AUTHENTICATION_TOKEN,
      runnerId: (r) => r.token.runnerId,
      creatorId: (r) => tokenOwnerId(r.token),
    }),
  ],
  [projects.name, source({ type: ResourceType.PROJECT })],
  [organizations.name, source({ type: ResourceType.ORGANIZATION })],
  [users.name, source({ type: ResourceType.USER })],
]);

/** What an update changed in the API message: nothing, only its status, or more (unknown without a message). */
function updateOf(s: Source<unknown>, before: unknown, after: unknown): "none" | "status" | "more" {
  if (!s.message) return "more";
  const { schema, of } = s.message;
  const a = of(before);
  const b = of(after);
  if (equals(schema, a, b)) return "none";
  const withoutStatus = (m: Message & { status?: unknown }) => ({ ...m, status: undefined }) as Message;
  return equals(schema, withoutStatus(a), withoutStatus(b)) ? "status" : "more";
}

/** The resource event a committed write is, or undefined when it touches no API resource. */
export function resourceEventOf(change: StoreChange): ResourceEvent | undefined {
  const s = sources.get(change.collection);
  if (!s) return undefined;
  const value = change.record.value;
  const update = change.op === "update" && change.previous ? updateOf(s, change.previous.value, value) : "more";
  if (update === "none") return undefined;
  const operation =
    change.op === "insert"
      ? ResourceOperation.CREATE
      : change.op === "delete"
        ? ResourceOperation.DELETE
        : update === "status"
          ? ResourceOperation.UPDATE_STATUS
          : ResourceOperation.UPDATE;
  const event: ResourceEvent = { organizationId: change.record.organizationId, operation, resourceType: s.type, resourceId: change.record.id };
  const environmentId = s.environmentId?.(value);
  const runnerId = s.runnerId?.(value);
  const creatorId = s.creatorId?.(value);
  if (environmentId) event.environmentId = environmentId;
  if (runnerId) event.runnerId = runnerId;
  if (creatorId) event.creatorId = creatorId;
  return event;
}
