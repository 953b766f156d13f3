// Helpers of this folder's tests: environment specs, driving the simulated runner step by step with
// the manual clock, and a compact view of where an environment stands.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import {
  EnvironmentPhase,
  type EnvironmentService,
  EnvironmentSpecSchema,
  EnvironmentStatus_ContentPhase as ContentPhase,
  EnvironmentStatus_DevContainer_Phase as DevContainerPhase,
  EnvironmentStatus_Machine_Phase as MachinePhase,
  type Environment,
  type EnvironmentSpec,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { defaultSimulationOptions } from "../../simulation/index.js";
import type { TestServer } from "../../test-support/test-server.js";

/** The test server's step delay (the default). */
export const stepMs = defaultSimulationOptions.stepDelayMs;

export type EnvironmentClient = Client<typeof EnvironmentService>;

/** A spec on the bootstrap environment class, from a GitHub context URL, with one port. */
export function contextSpec(server: TestServer, url = "https://github.com/gitpod-io/gitpod/tree/main", change?: (spec: EnvironmentSpec) => void): EnvironmentSpec {
  const spec = create(EnvironmentSpecSchema, {
    machine: { class: server.bootstrap.environmentClassId },
    content: { initializer: { specs: [{ spec: { case: "contextUrl", value: { url } } }] } },
    ports: [{ port: 3000, name: "web" }],
  });
  change?.(spec);
  return spec;
}

const name = <E extends Record<number, string>>(e: E, v: number | undefined) => (v === undefined ? "-" : (e[v] ?? String(v)));

/** "PHASE machine=… content=… devcontainer=…": where the environment stands, for comparing sequences. */
export function where(env: Environment): string {
  const s = env.status;
  return [
    name(EnvironmentPhase, s?.phase),
    `machine=${name(MachinePhase, s?.machine?.phase)}`,
    `content=${name(ContentPhase, s?.content?.phase)}`,
    `devcontainer=${name(DevContainerPhase, s?.devcontainer?.phase)}`,
    `automations=${name(ContentPhase, s?.automationsFile?.phase)}`,
  ].join(" ");
}

export async function get(client: EnvironmentClient, id: string): Promise<Environment> {
  return (await client.getEnvironment({ environmentId: id })).environment!;
}

/**
 * Moves the clock one step at a time until `done` holds (at most `maxSteps`); returns every state
 * seen after each step, starting with the state before the first.
 */
export async function stepUntil(
  server: TestServer,
  client: EnvironmentClient,
  id: string,
  done: (env: Environment) => boolean,
  maxSteps = 40,
): Promise<Environment[]> {
  const seen = [await get(client, id)];
  for (let i = 0; i < maxSteps && !done(seen[seen.length - 1]!); i++) {
    await server.clock.advance(stepMs);
    seen.push(await get(client, id));
  }
  if (!done(seen[seen.length - 1]!)) throw new Error(`not done after ${maxSteps} steps: ${where(seen[seen.length - 1]!)}`);
  return seen;
}

export const isPhase = (phase: EnvironmentPhase) => (env: Environment) => env.status?.phase === phase;

/** Creates an environment and steps it to RUNNING; returns it. */
export async function createRunning(
  server: TestServer,
  client: EnvironmentClient,
  spec: MessageInitShape<typeof EnvironmentSpecSchema> = contextSpec(server),
): Promise<Environment> {
  const { environment } = await client.createEnvironment({ spec });
  const seen = await stepUntil(server, client, environment!.id, isPhase(EnvironmentPhase.RUNNING));
  return seen[seen.length - 1]!;
}

/** Stops a running environment and steps it to STOPPED. */
export async function stopToStopped(server: TestServer, client: EnvironmentClient, id: string): Promise<Environment> {
  await client.stopEnvironment({ environmentId: id });
  const seen = await stepUntil(server, client, id, isPhase(EnvironmentPhase.STOPPED));
  return seen[seen.length - 1]!;
}
