// Test helpers of this folder: automation clients, an environment to put automations in, and
// watching the simulated runner move a service or an execution one step delay at a time.
import type { Client } from "@connectrpc/connect";
import {
  type EnvironmentAutomationService,
  ServicePhase,
  TaskExecutionPhase,
  type CreateServiceRequest,
  type CreateTaskRequest,
} from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CreateServiceRequestSchema, CreateTaskRequestSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import type { TestServer } from "../../test-support/test-server.js";

export { addEnvironment, addRunningEnvironment, environmentToken, stopEnvironment, startEnvironment, deleteEnvironment, setDesiredPhase, environmentRecord, environmentPhase, stepUntil } from "../../test-support/environment-fixtures.js";
export { allPages, expectFailure, expectOneWinner, tamper } from "../../test-support/expectations.js";
export { runnerToken, addRunner } from "../../test-support/store-fixtures.js";

export type AutomationClient = Client<typeof EnvironmentAutomationService>;

/** One step of the simulated runner. */
export const step = (server: TestServer) => server.clock.advance(server.simulation.options.stepDelayMs);

let counter = 0;
/** A fresh reference (unique within the test run). */
export const ref = (prefix = "svc") => `${prefix}-${++counter}`;

export function serviceRequest(environmentId: string, init: Partial<MessageInitShape<typeof CreateServiceRequestSchema>> = {}): MessageInitShape<typeof CreateServiceRequestSchema> {
  return {
    environmentId,
    ...init,
    metadata: { reference: ref("svc"), name: "A service", ...init.metadata },
    spec: { ...init.spec, commands: { start: "npm run dev", ...init.spec?.commands } },
  } as CreateServiceRequest;
}

export function taskRequest(environmentId: string, init: Partial<MessageInitShape<typeof CreateTaskRequestSchema>> = {}): MessageInitShape<typeof CreateTaskRequestSchema> {
  return {
    environmentId,
    ...init,
    metadata: { reference: ref("task"), name: "A task", ...init.metadata },
    spec: { command: "npm test", ...init.spec },
  } as CreateTaskRequest;
}

export const servicePhase = (p: ServicePhase) => ServicePhase[p];
export const executionPhase = (p: TaskExecutionPhase) => TaskExecutionPhase[p];

/** The service's phase after each of `steps` steps (the first entry: before any). */
export async function servicePhases(server: TestServer, client: AutomationClient, id: string, steps: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i <= steps; i++) {
    if (i > 0) await step(server);
    const { service } = await client.getService({ id });
    seen.push(servicePhase(service!.status!.phase));
  }
  return seen;
}

/** The execution's phase after each of `steps` steps (the first entry: before any). */
export async function executionPhases(server: TestServer, client: AutomationClient, id: string, steps: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i <= steps; i++) {
    if (i > 0) await step(server);
    const { taskExecution } = await client.getTaskExecution({ id });
    seen.push(executionPhase(taskExecution!.status!.phase));
  }
  return seen;
}

/** Steps until the service is in `phase` (at most 40 steps). */
export async function untilServicePhase(server: TestServer, client: AutomationClient, id: string, phase: ServicePhase): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const { service } = await client.getService({ id });
    if (service!.status!.phase === phase) return;
    await step(server);
  }
  throw new Error(`service ${id} never reached ${ServicePhase[phase]}`);
}

/** Steps until the execution has finished (at most 40 steps); returns it. */
export async function untilFinished(server: TestServer, client: AutomationClient, id: string) {
  for (let i = 0; i < 40; i++) {
    const { taskExecution } = await client.getTaskExecution({ id });
    const phase = taskExecution!.status!.phase;
    if (phase === TaskExecutionPhase.SUCCEEDED || phase === TaskExecutionPhase.FAILED || phase === TaskExecutionPhase.STOPPED) return taskExecution!;
    await step(server);
  }
  throw new Error(`execution ${id} never finished`);
}
