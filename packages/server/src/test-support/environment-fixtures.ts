// Environments for tests of what lives in them (automations), put straight into the store and
// moved by the simulated runner's environment driver, one step delay at a time — no
// EnvironmentService implementation needed.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  EnvironmentPhase,
  EnvironmentRole,
  EnvironmentSchema,
  type EnvironmentSpecSchema,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { environments, type EnvironmentRecord } from "../domain/environments/index.js";
import type { TestServer } from "./test-server.js";

export interface EnvironmentOptions {
  /** Default: the bootstrap organization. */
  organizationId?: string;
  /** Default: the bootstrap admin (in the bootstrap organization), else a made-up user. */
  creatorId?: string;
  role?: EnvironmentRole;
  /** Merged into the spec (e.g. `automationsFile: { triggerFilter: [...] }`). */
  spec?: MessageInitShape<typeof EnvironmentSpecSchema>;
  /** gitpod.v1.AutomationsFile as proto JSON: the project's file, applied while the environment starts. */
  projectAutomationsFile?: unknown;
}

/** Most steps an environment takes to get from one phase to the next settled one. */
const maxSteps = 40;

/** The environment's record as stored now (undefined once it is removed). */
export async function environmentRecord(server: TestServer, environmentId: string): Promise<EnvironmentRecord | undefined> {
  return (await server.deps.store.collection(environments).get(environmentId))?.value;
}

/** The environment's status phase now (UNSPECIFIED once it is removed). */
export async function environmentPhase(server: TestServer, environmentId: string): Promise<EnvironmentPhase> {
  return (await environmentRecord(server, environmentId))?.environment.status?.phase ?? EnvironmentPhase.UNSPECIFIED;
}

/** Advances the clock one step delay at a time until `done` holds (at most maxSteps steps). */
export async function stepUntil(server: TestServer, done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (await done()) return;
    await server.clock.advance(server.simulation.options.stepDelayMs);
  }
  if (!(await done())) throw new Error(`not ${what} after ${maxSteps} steps`);
}

/** Adds an environment (desired RUNNING, status CREATING) without letting it start; returns its id. */
export async function addEnvironment(server: TestServer, options: EnvironmentOptions = {}): Promise<string> {
  const id = server.deps.ids.newId();
  const organizationId = options.organizationId ?? server.bootstrap.organizationId;
  const creatorId = options.creatorId ?? (organizationId === server.bootstrap.organizationId ? server.bootstrap.adminUserId : server.deps.ids.newId());
  const environment = create(EnvironmentSchema, {
    id,
    metadata: {
      organizationId,
      creator: { id: creatorId, principal: Principal.USER },
      createdAt: server.clock.now(),
      runnerId: server.bootstrap.runnerId,
      role: options.role ?? EnvironmentRole.UNSPECIFIED,
    },
    spec: { specVersion: 1n, desiredPhase: EnvironmentPhase.RUNNING, ...options.spec },
    status: { phase: EnvironmentPhase.CREATING },
  });
  const value: EnvironmentRecord = {
    environment,
    ...(options.projectAutomationsFile !== undefined ? { projectAutomationsFile: options.projectAutomationsFile } : {}),
  };
  await server.deps.store.collection(environments).insert({ id, organizationId, value });
  return id;
}

/** Adds an environment and steps the clock until it runs; returns its id. */
export async function addRunningEnvironment(server: TestServer, options: EnvironmentOptions = {}): Promise<string> {
  const id = await addEnvironment(server, options);
  await stepUntil(server, async () => (await environmentPhase(server, id)) === EnvironmentPhase.RUNNING, "running");
  return id;
}

/** Sets the environment's desired phase (a new spec version), as StartEnvironment/StopEnvironment would. */
export async function setDesiredPhase(server: TestServer, environmentId: string, desiredPhase: EnvironmentPhase): Promise<void> {
  await server.deps.store.collection(environments).update(environmentId, (r) => {
    const spec = r.environment.spec!;
    spec.desiredPhase = desiredPhase;
    spec.specVersion += 1n;
    return r;
  });
}

/** Asks the environment to stop and steps the clock until it is stopped. */
export async function stopEnvironment(server: TestServer, environmentId: string): Promise<void> {
  await setDesiredPhase(server, environmentId, EnvironmentPhase.STOPPED);
  await stepUntil(server, async () => (await environmentPhase(server, environmentId)) === EnvironmentPhase.STOPPED, "stopped");
}

/** Asks the stopped environment to start again and steps the clock until it runs. */
export async function startEnvironment(server: TestServer, environmentId: string): Promise<void> {
  await setDesiredPhase(server, environmentId, EnvironmentPhase.RUNNING);
  await stepUntil(server, async () => (await environmentPhase(server, environmentId)) === EnvironmentPhase.RUNNING, "running");
}

/** Asks the environment to be deleted and steps the clock until it is removed from the store. */
export async function deleteEnvironment(server: TestServer, environmentId: string): Promise<void> {
  await setDesiredPhase(server, environmentId, EnvironmentPhase.DELETED);
  await stepUntil(server, async () => (await environmentRecord(server, environmentId)) === undefined, "removed");
}

/** A bearer token of the environment principal (what the environment's own supervisor calls with). */
export async function environmentToken(server: TestServer, environmentId: string, organizationId = server.bootstrap.organizationId): Promise<string> {
  const { token } = await server.deps.tokens.issue({ organizationId, subjectId: environmentId, principal: Principal.ENVIRONMENT });
  return token;
}
