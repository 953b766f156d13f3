// What the EnvironmentService and EnvironmentAutomationService scenarios share: environments made
// for one scenario (and force-deleted after it), waiting for the phases the README's lifecycle
// model documents, and the error scenarios every RPC that names a resource has in common — an
// unknown id, a malformed one, no token, another organization's caller.
import { scenarioFactory as defineScenarioOf } from "../scenario-factory.js";
import type { DescMessage, DescService, Message, MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import {
  EnvironmentPhase,
  EnvironmentService,
  type CreateEnvironmentRequestSchema,
  type Environment,
  type EnvironmentSpecSchema,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import {
  EnvironmentAutomationService,
  ServicePhase,
  TaskExecutionPhase,
  type CreateServiceRequestSchema,
  type CreateTaskRequestSchema,
  type ServiceSpec_CommandsSchema,
  type Service,
  type Task,
  type TaskExecution,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { expectCode } from "../expect.js";
import { ScenarioFailure, type Need, type Scenario, type ScenarioContext } from "../scenario.js";

/** How long one documented transition may take on a target (ours takes ~1 s at the default step delay). */
export const waitMs = 20_000;
/** The time a scenario that waits for transitions may take in all. */
export const lifecycleScenarioMs = 90_000;

/** A UUID no target has issued. */
export function unknownId(): string {
  return globalThis.crypto.randomUUID();
}

/** A message's plain init object (not the message itself), so that it can be spread. */
export type Init<D extends DescMessage> = Exclude<MessageInitShape<D>, Message>;

export type EnvironmentClient = Client<typeof EnvironmentService>;
export type AutomationClient = Client<typeof EnvironmentAutomationService>;
export type EnvironmentSpecInit = Init<typeof EnvironmentSpecSchema>;
type CreateEnvironmentInit = Init<typeof CreateEnvironmentRequestSchema>;

export const environments = (ctx: ScenarioContext): EnvironmentClient => ctx.client(EnvironmentService);
export const automations = (ctx: ScenarioContext): AutomationClient => ctx.client(EnvironmentAutomationService);

/** A spec on the discovered environment class, from a GitHub context URL, with the given ports. */
export function contextSpec(
  ctx: ScenarioContext,
  url = "https://github.com/gitpod-io/gitpod",
  extra: Partial<EnvironmentSpecInit> = {},
): EnvironmentSpecInit {
  return {
    machine: { class: ctx.fixtures.environmentClassId },
    content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url } } }] } },
    ...extra,
  };
}

/** Resolves `call`, and treats not_found as done: what cleanup of already removed resources needs. */
export async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (ConnectError.from(error).code !== Code.NotFound) throw error;
  }
}

/**
 * Creates an environment (a context-URL spec on the discovered class, a unique name unless `init`
 * says otherwise) and registers its forced deletion as cleanup.
 */
export async function createEnvironment(ctx: ScenarioContext, init: Partial<CreateEnvironmentInit> = {}): Promise<Environment> {
  const client = environments(ctx);
  const { environment } = await client.createEnvironment({ name: ctx.uniqueName("conformance"), spec: contextSpec(ctx), ...init });
  if (!environment) throw new Error("CreateEnvironment answered without an environment");
  ctx.cleanup(() => ignoreNotFound(client.deleteEnvironment({ environmentId: environment.id, force: true })));
  return environment;
}

/** Reads an environment; undefined once it is not_found. */
export async function findEnvironment(ctx: ScenarioContext, id: string): Promise<Environment | undefined> {
  try {
    return (await environments(ctx).getEnvironment({ environmentId: id })).environment;
  } catch (error) {
    if (ConnectError.from(error).code === Code.NotFound) return undefined;
    throw error;
  }
}

export async function getEnvironment(ctx: ScenarioContext, id: string): Promise<Environment> {
  const { environment } = await environments(ctx).getEnvironment({ environmentId: id });
  if (!environment) throw new Error(`GetEnvironment ${id} answered without an environment`);
  return environment;
}

/** Polls the environment until `until` holds (failing after `waitMs`). */
export async function waitForEnvironment(ctx: ScenarioContext, id: string, what: string, until: (environment: Environment) => boolean): Promise<Environment> {
  const found = await ctx.waitFor(
    `environment ${id} ${what}`,
    () => findEnvironment(ctx, id),
    (environment) => environment !== undefined && until(environment),
    { timeoutMs: waitMs },
  );
  return found!;
}

export function waitForPhase(ctx: ScenarioContext, id: string, phase: EnvironmentPhase): Promise<Environment> {
  return waitForEnvironment(ctx, id, `to be ${EnvironmentPhase[phase]}`, (e) => e.status?.phase === phase);
}

/** Waits until GetEnvironment answers not_found. */
export async function waitUntilGone(ctx: ScenarioContext, id: string): Promise<void> {
  await ctx.waitFor(`environment ${id} to be removed`, () => findEnvironment(ctx, id), (e) => e === undefined, { timeoutMs: waitMs });
}

/** A new environment, once it is RUNNING. */
export async function createRunningEnvironment(ctx: ScenarioContext, init: Partial<CreateEnvironmentInit> = {}): Promise<Environment> {
  const created = await createEnvironment(ctx, init);
  return waitForPhase(ctx, created.id, EnvironmentPhase.RUNNING);
}

/** Stops the environment and waits until it is STOPPED. */
export async function stopToStopped(ctx: ScenarioContext, id: string): Promise<Environment> {
  await environments(ctx).stopEnvironment({ environmentId: id });
  return waitForPhase(ctx, id, EnvironmentPhase.STOPPED);
}

/** A new environment that ran and is STOPPED now. */
export async function createStoppedEnvironment(ctx: ScenarioContext, init: Partial<CreateEnvironmentInit> = {}): Promise<Environment> {
  const running = await createRunningEnvironment(ctx, init);
  return stopToStopped(ctx, running.id);
}

/** Ids of `items`, for comparing lists. */
export const idsOf = (items: readonly { id: string }[]): string[] => items.map((item) => item.id);

/** Follows next_token from the first page to the last, returning every page's ids. */
export async function collectPages(
  fetchPage: (token: string) => Promise<{ ids: string[]; nextToken: string }>,
  maxPages = 50,
): Promise<string[][]> {
  const pages: string[][] = [];
  let token = "";
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(token);
    pages.push(page.ids);
    if (page.nextToken === "") return pages;
    token = page.nextToken;
  }
  throw new Error(`still a next_token after ${maxPages} pages`);
}

/** A page token changed in one character: still well-formed, no longer the one issued. */
export function tamper(token: string): string {
  const index = Math.floor(token.length / 2);
  const replacement = token[index] === "A" ? "B" : "A";
  return `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
}

// ---- automations ------------------------------------------------------------------------------

type CreateServiceInit = Init<typeof CreateServiceRequestSchema>;
type CreateTaskInit = Init<typeof CreateTaskRequestSchema>;

/** A reference no other scenario uses (references allow [a-zA-Z0-9_-]). */
export function uniqueReference(ctx: ScenarioContext, prefix: string): string {
  return ctx.uniqueName(prefix).replace(/[^a-zA-Z0-9_-]/g, "-").slice(0, 128);
}

/** Creates a service in the environment: a unique reference, a start command, desired phase as given. */
export async function createService(
  ctx: ScenarioContext,
  environmentId: string,
  init: {
    metadata?: Exclude<CreateServiceInit["metadata"], Message>;
    spec?: Omit<Exclude<CreateServiceInit["spec"], Message | undefined>, "commands"> & { commands?: Init<typeof ServiceSpec_CommandsSchema> };
  } = {},
): Promise<Service> {
  const { service } = await automations(ctx).createService({
    environmentId,
    metadata: { reference: uniqueReference(ctx, "svc"), name: "Conformance service", ...init.metadata },
    spec: { ...init.spec, commands: { start: "npm run dev", ...init.spec?.commands } },
  });
  if (!service) throw new Error("CreateService answered without a service");
  return service;
}

/** Creates a task in the environment: a unique reference and a command that succeeds. */
export async function createTask(
  ctx: ScenarioContext,
  environmentId: string,
  init: { metadata?: Exclude<CreateTaskInit["metadata"], Message>; spec?: Exclude<CreateTaskInit["spec"], Message>; dependsOn?: string[] } = {},
): Promise<Task> {
  const { task } = await automations(ctx).createTask({
    environmentId,
    metadata: { reference: uniqueReference(ctx, "task"), name: "Conformance task", ...init.metadata },
    spec: { command: "npm test", ...init.spec },
    dependsOn: init.dependsOn ?? [],
  });
  if (!task) throw new Error("CreateTask answered without a task");
  return task;
}

export async function getService(ctx: ScenarioContext, id: string): Promise<Service> {
  const { service } = await automations(ctx).getService({ id });
  if (!service) throw new Error(`GetService ${id} answered without a service`);
  return service;
}

export async function findService(ctx: ScenarioContext, id: string): Promise<Service | undefined> {
  try {
    return (await automations(ctx).getService({ id })).service;
  } catch (error) {
    if (ConnectError.from(error).code === Code.NotFound) return undefined;
    throw error;
  }
}

export async function waitForService(ctx: ScenarioContext, id: string, what: string, until: (service: Service) => boolean): Promise<Service> {
  const found = await ctx.waitFor(`service ${id} ${what}`, () => findService(ctx, id), (s) => s !== undefined && until(s), { timeoutMs: waitMs });
  return found!;
}

export function waitForServicePhase(ctx: ScenarioContext, id: string, phase: ServicePhase): Promise<Service> {
  return waitForService(ctx, id, `to be ${ServicePhase[phase]}`, (s) => s.status?.phase === phase);
}

/** A service that was started and is RUNNING. */
export async function createRunningService(
  ctx: ScenarioContext,
  environmentId: string,
  init: Parameters<typeof createService>[2] = {},
): Promise<Service> {
  const service = await createService(ctx, environmentId, init);
  await automations(ctx).startService({ id: service.id });
  return waitForServicePhase(ctx, service.id, ServicePhase.RUNNING);
}

export async function getExecution(ctx: ScenarioContext, id: string): Promise<TaskExecution> {
  const { taskExecution } = await automations(ctx).getTaskExecution({ id });
  if (!taskExecution) throw new Error(`GetTaskExecution ${id} answered without an execution`);
  return taskExecution;
}

const finished = new Set([TaskExecutionPhase.SUCCEEDED, TaskExecutionPhase.FAILED, TaskExecutionPhase.STOPPED]);

export function waitForExecution(ctx: ScenarioContext, id: string, what: string, until: (execution: TaskExecution) => boolean): Promise<TaskExecution> {
  return ctx.waitFor(`task execution ${id} ${what}`, () => getExecution(ctx, id), until, { timeoutMs: waitMs });
}

/** Waits until the execution is SUCCEEDED, FAILED or STOPPED. */
export function waitForExecutionFinished(ctx: ScenarioContext, id: string): Promise<TaskExecution> {
  return waitForExecution(ctx, id, "to finish", (x) => finished.has(x.status?.phase ?? TaskExecutionPhase.UNSPECIFIED));
}

// ---- building scenarios -----------------------------------------------------------------------

export { uuidPattern } from "../scenario-factory.js";
export const needsTestingControls: readonly Need[] = ["testing-controls"];
export const needsSecondOrganization: readonly Need[] = ["second-organization"];

export interface ScenarioOptions {
  readonly needs?: readonly Need[];
  /** Waits for lifecycle transitions (true: the longer timeout); unset: the service's default. */
  readonly slow?: boolean;
}

/** A scenario factory for one service (ids `${service}.${rpc}/${behaviour}`), with `slow` for the lifecycle time limit. */
export function scenarioFactory(service: "EnvironmentService" | "EnvironmentAutomationService", slowByDefault: boolean) {
  const define = defineScenarioOf(service);
  return (rpc: string, behaviour: string, title: string, run: (ctx: ScenarioContext) => Promise<void>, options: ScenarioOptions = {}): Scenario =>
    define(rpc, behaviour, title, run, {
      ...(options.needs ? { needs: options.needs } : {}),
      ...((options.slow ?? slowByDefault) ? { timeoutMs: lifecycleScenarioMs } : {}),
    });
}

/**
 * How a "being deleted" scenario keeps the environment from being removed before its call:
 * `frozen` — with the testing controls, the clock is frozen from before the delete until the call
 * has answered, so no step of the deletion runs in between (deterministic on any machine load);
 * `live` — the portable variant: the clock runs, and an environment already gone when the call
 * failed proves nothing either way, so the scenario is skipped, saying so.
 */
export type DeletionClock = "frozen" | "live";

/**
 * Asks for the deletion of `environmentId` (without force) and runs `check` while the environment
 * is being deleted (see {@link DeletionClock}). The clock, if frozen here, runs again afterwards.
 */
export async function whileBeingDeleted(ctx: ScenarioContext, environmentId: string, clock: DeletionClock, check: () => Promise<void>): Promise<void> {
  if (clock === "live") {
    await environments(ctx).deleteEnvironment({ environmentId });
    try {
      await check();
    } catch (error) {
      if ((await findEnvironment(ctx, environmentId)) === undefined) {
        ctx.skip(`environment ${environmentId} was removed before the call could see it being deleted (the variant with testing controls freezes the clock to check this)`);
      }
      throw error;
    }
    return;
  }
  const controls = ctx.controls ?? ctx.skip("no testing controls");
  await controls.freezeClock();
  try {
    await environments(ctx).deleteEnvironment({ environmentId });
    await check();
  } finally {
    await controls.resumeClock();
  }
}

/**
 * Both variants of a scenario whose `check` runs while a running environment is being deleted:
 * `${behaviour}` with the testing controls (frozen clock) and `${behaviour}-live-clock` without.
 */
export function beingDeletedScenarios(
  scenario: ReturnType<typeof scenarioFactory>,
  rpc: string,
  behaviour: string,
  title: string,
  check: (ctx: ScenarioContext, environmentId: string, clock: DeletionClock) => Promise<void>,
  options: ScenarioOptions = {},
): Scenario[] {
  const variant = (clock: DeletionClock) => async (ctx: ScenarioContext) => {
    const running = await createRunningEnvironment(ctx);
    await whileBeingDeleted(ctx, running.id, clock, () => check(ctx, running.id, clock));
  };
  return [
    scenario(rpc, behaviour, `${title} (the clock frozen from the delete until the call answers)`, variant("frozen"), {
      ...options,
      needs: [...(options.needs ?? []), ...needsTestingControls],
    }),
    scenario(rpc, `${behaviour}-live-clock`, `${title} (portable: the clock runs; skipped if the environment is gone first)`, variant("live"), options),
  ];
}

/** The id of the calling subject (GetAuthenticatedIdentity). */
export async function callerId(ctx: ScenarioContext): Promise<string> {
  const { subject } = await ctx.client(IdentityService).getAuthenticatedIdentity({});
  if (!subject?.id) throw new ScenarioFailure("GetAuthenticatedIdentity names no subject");
  return subject.id;
}

// ---- the error scenarios every RPC that names a resource shares --------------------------------

/** A client factory for one caller: ours, none, or another organization's. */
export type Caller = <S extends DescService>(service: S) => Client<S>;

export interface IdRpc {
  readonly service: "EnvironmentService" | "EnvironmentAutomationService";
  readonly rpc: string;
  /** The request field holding the id ("environment_id", "id", "project_id"). */
  readonly field: string;
  /** What the id names, for titles: "environment", "service", … */
  readonly noun: string;
  /** The field a not_found must name, where the README says it does. */
  readonly notFoundNames?: string;
  /** The RPC called as `caller` with `id` in `field`, everything else valid. */
  readonly call: (caller: Caller, id: string) => Promise<unknown>;
  /**
   * Our resource for the isolation scenario (its id), and afterwards a check that the other
   * organization's call changed nothing. Without it there is no isolation scenario.
   */
  readonly target?: (ctx: ScenarioContext) => Promise<{ id: string; unchanged?: () => Promise<void> }>;
}

/**
 * unknown-id-not-found, malformed-id-invalid-argument, empty-id-invalid-argument,
 * unauthenticated-without-token and (given a target) other-organization-not-found.
 */
export function idErrorScenarios(rpc: IdRpc): Scenario[] {
  const base = { service: rpc.service, rpc: rpc.rpc };
  const id = (behaviour: string) => `${rpc.service}.${rpc.rpc}/${behaviour}`;
  const scenarios: Scenario[] = [
    {
      ...base,
      id: id("unknown-id-not-found"),
      title: `an unknown ${rpc.noun} id is not_found${rpc.notFoundNames ? ` naming ${rpc.notFoundNames}` : ""}`,
      async run(ctx) {
        await expectCode(rpc.call((s) => ctx.client(s), unknownId()), Code.NotFound, rpc.notFoundNames ? { field: rpc.notFoundNames } : {});
      },
    },
    {
      ...base,
      id: id("malformed-id-invalid-argument"),
      title: `a ${rpc.field} that is no UUID is invalid_argument naming ${rpc.field}`,
      async run(ctx) {
        await expectCode(rpc.call((s) => ctx.client(s), "not-a-uuid"), Code.InvalidArgument, { field: rpc.field });
      },
    },
    {
      ...base,
      id: id("empty-id-invalid-argument"),
      title: `an empty ${rpc.field} is invalid_argument naming ${rpc.field}`,
      async run(ctx) {
        await expectCode(rpc.call((s) => ctx.client(s), ""), Code.InvalidArgument, { field: rpc.field });
      },
    },
    {
      ...base,
      id: id("unauthenticated-without-token"),
      title: "a call without a bearer token is unauthenticated",
      async run(ctx) {
        await expectCode(rpc.call((s) => ctx.clientWithToken(s, undefined), unknownId()), Code.Unauthenticated);
      },
    },
  ];
  const target = rpc.target;
  if (target) {
    scenarios.push({
      ...base,
      id: id("other-organization-not-found"),
      title: `another organization's caller gets not_found for our ${rpc.noun}, and changes nothing`,
      needs: needsSecondOrganization,
      timeoutMs: lifecycleScenarioMs,
      async run(ctx) {
        const other = ctx.otherOrganization ?? ctx.skip("no second organization");
        const ours = await target(ctx);
        await expectCode(rpc.call((s) => other.client(s), ours.id), Code.NotFound);
        await ours.unchanged?.();
      },
    });
  }
  return scenarios;
}
