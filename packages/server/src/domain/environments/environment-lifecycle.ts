// The state machine of an environment as its runner drives it: one call of stepEnvironment makes
// one transition of the status towards what the spec asks for, and says what happened. The
// simulated runner (simulation/environment-driver.ts) calls it once per step delay and writes the
// result; this module only computes.
//
//   towards RUNNING:  CREATING (first start) | STARTING  → machine CREATING → STARTING → RUNNING
//                     → content INITIALIZING → READY → automations file READY (read from the
//                     content) → dev container CREATING → RUNNING → RUNNING (URLs and ports set)
//   update while running: UPDATING → (re-initialize what the spec changed) → RUNNING
//   towards STOPPED:  STOPPING (URLs cleared) → STOPPED
//   towards DELETED:  (stop first) → DELETING → DELETED → removed
//
// Each new spec version is first acknowledged (status.runner_ack). A failure (injected by the
// testing controls) sets the failure messages; the environment then stops and stays stopped until
// a new spec version (e.g. StartEnvironment) makes the runner try again.
import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  EnvironmentPhase,
  EnvironmentStatus_AutomationsFile_Presence as AutomationsFilePresence,
  EnvironmentStatus_ContentPhase as ContentPhase,
  EnvironmentStatus_DevContainer_Phase as DevContainerPhase,
  EnvironmentStatus_DevContainer_Presence as DevContainerPresence,
  EnvironmentStatus_Machine_Phase as MachinePhase,
  EnvironmentStatus_RunnerACK_StatusCode as AckCode,
  EnvironmentStatusSchema,
  EnvironmentStatus_AutomationsFileSchema,
  EnvironmentStatus_ContentSchema,
  EnvironmentStatus_DevContainerSchema,
  EnvironmentStatus_MachineSchema,
  type Environment,
  type EnvironmentStatus,
  type EnvironmentStatus_EnvironmentURLs,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { contentSourceOf } from "./content-source.js";
import { targetPhase } from "./environment-phases.js";

/** A point in an environment's start or stop that automations and idle archiving react to. */
export type LifecyclePoint = "machine_started" | "devcontainer_started" | "environment_started" | "stopping" | "stopped";

/** The steps a failure can be injected at. */
export type EnvironmentFailureStep = "machine" | "content" | "devcontainer" | "automations_file";

export interface StepContext {
  now: Timestamp;
  /** The message of a failure injected at `step` for this environment (used up by asking), if any. */
  failure(step: EnvironmentFailureStep): Promise<string | undefined>;
  /** The URLs of the environment while it runs. */
  urls(env: Environment): EnvironmentStatus_EnvironmentURLs;
  /** Whether a project automations file waits to be applied (presence DISCOVERED). */
  hasProjectAutomationsFile: boolean;
}

export interface StepResult {
  /** What happened, in words, for the environment's log. */
  log: string;
  reached?: LifecyclePoint;
  /** The automations file was (re-)applied in this step. */
  appliedAutomationsFile?: boolean;
  /** The environment is deleted: remove it (and everything of it) for good. */
  remove?: boolean;
}

const runningLike: ReadonlySet<EnvironmentPhase> = new Set([
  EnvironmentPhase.CREATING,
  EnvironmentPhase.STARTING,
  EnvironmentPhase.RUNNING,
  EnvironmentPhase.UPDATING,
]);

/**
 * Makes one transition of `env` (a copy the caller writes back) towards its target; undefined when
 * it is already there (settled). Does not touch status_version: the caller bumps it per write.
 */
export async function stepEnvironment(env: Environment, ctx: StepContext): Promise<StepResult | undefined> {
  const status = (env.status ??= create(EnvironmentStatusSchema));
  const specVersion = env.spec?.specVersion ?? 0n;
  if (status.runnerAck?.specVersion !== specVersion) return acknowledge(env, status, specVersion);
  switch (targetPhase(env)) {
    case EnvironmentPhase.STOPPED:
      return towardsStopped(status);
    case EnvironmentPhase.DELETED:
      return towardsDeleted(status);
    default:
      return towardsRunning(env, status, ctx);
  }
}

function acknowledge(env: Environment, status: EnvironmentStatus, specVersion: bigint): StepResult {
  status.runnerAck = { $typeName: "gitpod.v1.EnvironmentStatus.RunnerACK", specVersion, statusCode: AckCode.OK, message: "" };
  // A new spec is a new attempt: earlier failures no longer apply.
  status.failureMessage = [];
  if (status.machine) status.machine.failureMessage = "";
  if (status.machine && targetPhase(env) === EnvironmentPhase.RUNNING) status.machine.timeout = "";
  if (status.content) status.content.failureMessage = "";
  if (status.devcontainer) status.devcontainer.failureMessage = "";
  const target = targetPhase(env);
  const phase = status.phase;
  if (target === EnvironmentPhase.RUNNING) {
    if (phase === EnvironmentPhase.UNSPECIFIED) status.phase = EnvironmentPhase.CREATING;
    else if (phase === EnvironmentPhase.STOPPED) status.phase = EnvironmentPhase.STARTING;
    else if (phase === EnvironmentPhase.RUNNING) status.phase = EnvironmentPhase.UPDATING;
  } else if (runningLike.has(phase)) {
    status.phase = EnvironmentPhase.STOPPING;
    return { log: `spec version ${specVersion} acknowledged; stopping`, ...stopping(status) };
  }
  return { log: `spec version ${specVersion} acknowledged` };
}

function stopping(status: EnvironmentStatus): { reached: LifecyclePoint } {
  delete status.environmentUrls;
  if (status.machine && status.machine.phase !== MachinePhase.STOPPED) status.machine.phase = MachinePhase.STOPPING;
  return { reached: "stopping" };
}

function towardsStopped(status: EnvironmentStatus): StepResult | undefined {
  switch (status.phase) {
    case EnvironmentPhase.UNSPECIFIED:
      status.phase = EnvironmentPhase.STOPPED;
      return { log: "stopped (never started)", reached: "stopped" };
    case EnvironmentPhase.STOPPING:
      if (status.machine) status.machine.phase = MachinePhase.STOPPED;
      if (status.devcontainer) status.devcontainer.phase = DevContainerPhase.STOPPED;
      status.phase = EnvironmentPhase.STOPPED;
      return { log: "stopped", reached: "stopped" };
    case EnvironmentPhase.STOPPED:
    case EnvironmentPhase.DELETING:
    case EnvironmentPhase.DELETED:
      return undefined;
    default:
      status.phase = EnvironmentPhase.STOPPING;
      return { log: "stopping", ...stopping(status) };
  }
}

function towardsDeleted(status: EnvironmentStatus): StepResult | undefined {
  switch (status.phase) {
    case EnvironmentPhase.UNSPECIFIED:
    case EnvironmentPhase.STOPPED:
      status.phase = EnvironmentPhase.DELETING;
      if (status.machine) status.machine.phase = MachinePhase.DELETING;
      return { log: "deleting" };
    case EnvironmentPhase.DELETING:
      status.phase = EnvironmentPhase.DELETED;
      if (status.machine) status.machine.phase = MachinePhase.DELETED;
      return { log: "deleted" };
    case EnvironmentPhase.DELETED:
      return { log: "removed", remove: true };
    default:
      return towardsStopped(status);
  }
}

function failed(status: EnvironmentStatus, step: EnvironmentFailureStep, message: string, setPart: () => void): StepResult {
  setPart();
  status.failureMessage = [`${step}: ${message}`];
  return { log: `${step} failed: ${message}` };
}

async function towardsRunning(env: Environment, status: EnvironmentStatus, ctx: StepContext): Promise<StepResult | undefined> {
  const spec = env.spec!;
  // A start while the environment still shuts down: finish stopping first.
  if (status.phase === EnvironmentPhase.STOPPING) return towardsStopped(status);
  if (status.phase === EnvironmentPhase.STOPPED) {
    status.phase = EnvironmentPhase.STARTING;
    return { log: "starting" };
  }

  const machine = (status.machine ??= create(EnvironmentStatus_MachineSchema));
  if (machine.phase === MachinePhase.UNSPECIFIED) {
    machine.phase = MachinePhase.CREATING;
    machine.session = spec.machine?.session ?? "";
    machine.dualDisk = false;
    return { log: "machine: creating" };
  }
  if (machine.phase === MachinePhase.CREATING || machine.phase === MachinePhase.STOPPED || machine.phase === MachinePhase.STOPPING) {
    const failure = await ctx.failure("machine");
    if (failure) return failed(status, "machine", failure, () => (machine.failureMessage = failure));
    machine.phase = MachinePhase.STARTING;
    if (status.phase === EnvironmentPhase.CREATING) status.phase = EnvironmentPhase.STARTING;
    return { log: "machine: starting" };
  }
  if (machine.phase === MachinePhase.STARTING) {
    machine.phase = MachinePhase.RUNNING;
    machine.versions = { $typeName: "gitpod.v1.EnvironmentStatus.Machine.Versions", supervisorVersion: "reference", supervisorCommit: "", amiId: "" };
    return { log: "machine: running", reached: "machine_started" };
  }

  const source = contentSourceOf(spec.content?.initializer);
  const content = (status.content ??= create(EnvironmentStatus_ContentSchema));
  const contentSession = spec.content?.session ?? "";
  if (content.phase !== ContentPhase.READY || content.session !== contentSession) {
    if (content.phase !== ContentPhase.INITIALIZING && content.phase !== ContentPhase.UPDATING) {
      content.phase = content.phase === ContentPhase.READY ? ContentPhase.UPDATING : ContentPhase.INITIALIZING;
      return { log: source.cloneUrl ? `content: cloning ${source.cloneUrl}` : "content: initializing" };
    }
    const failure = await ctx.failure("content");
    if (failure) return failed(status, "content", failure, () => ((content.phase = ContentPhase.FAILED), (content.failureMessage = failure)));
    content.phase = ContentPhase.READY;
    content.session = contentSession;
    content.contentLocationInMachine = `/workspaces/${source.repository || "workspace"}`;
    if (source.cloneUrl) {
      content.git = {
        $typeName: "gitpod.v1.EnvironmentGitStatus",
        cloneUrl: source.cloneUrl,
        branch: source.branch,
        latestCommit: source.commit,
        unpushedCommits: [],
        totalUnpushedCommits: 0,
        changedFiles: [],
        totalChangedFiles: 0,
      };
    } else delete content.git;
    return { log: "content: ready" };
  }

  const automationsFile = (status.automationsFile ??= create(EnvironmentStatus_AutomationsFileSchema));
  const automationsSession = spec.automationsFile?.session ?? "";
  const settledFile = automationsFile.phase === ContentPhase.READY || automationsFile.phase === ContentPhase.FAILED;
  if (!settledFile || automationsFile.session !== automationsSession) {
    const path = spec.automationsFile?.automationsFilePath ?? "";
    automationsFile.session = automationsSession;
    automationsFile.automationsFilePath = path || (ctx.hasProjectAutomationsFile ? ".gitpod/automations.yaml" : "");
    automationsFile.automationsFilePresence = path
      ? AutomationsFilePresence.SPECIFIED
      : ctx.hasProjectAutomationsFile
        ? AutomationsFilePresence.DISCOVERED
        : AutomationsFilePresence.ABSENT;
    const failure = await ctx.failure("automations_file");
    if (failure) {
      // The environment runs on without its automations; the failure shows on the file only.
      automationsFile.phase = ContentPhase.FAILED;
      automationsFile.failureMessage = failure;
      return { log: `automations file failed: ${failure}` };
    }
    automationsFile.phase = ContentPhase.READY;
    automationsFile.failureMessage = "";
    return { log: "automations file: applied", appliedAutomationsFile: true };
  }

  const devcontainer = (status.devcontainer ??= create(EnvironmentStatus_DevContainerSchema));
  const devcontainerSession = spec.devcontainer?.session ?? "";
  if (devcontainer.phase !== DevContainerPhase.RUNNING || devcontainer.session !== devcontainerSession) {
    if (devcontainer.phase !== DevContainerPhase.CREATING) {
      devcontainer.phase = DevContainerPhase.CREATING;
      const path = spec.devcontainer?.devcontainerFilePath ?? "";
      devcontainer.devcontainerFilePath = path || ".devcontainer/devcontainer.json";
      devcontainer.devcontainerFilePresence = path ? DevContainerPresence.SPECIFIED : DevContainerPresence.GENERATED;
      return { log: "dev container: building" };
    }
    const failure = await ctx.failure("devcontainer");
    if (failure)
      return failed(status, "devcontainer", failure, () => ((devcontainer.phase = DevContainerPhase.FAILED), (devcontainer.failureMessage = failure)));
    devcontainer.phase = DevContainerPhase.RUNNING;
    devcontainer.session = devcontainerSession;
    devcontainer.devcontainerconfigInSync = true;
    devcontainer.secretsInSync = true;
    devcontainer.remoteUser = "vscode";
    devcontainer.remoteWorkspaceFolder = content.contentLocationInMachine;
    devcontainer.containerName = `gitpod-${env.id.slice(0, 8)}`;
    devcontainer.containerId = env.id.replaceAll("-", "");
    return { log: "dev container: running", reached: "devcontainer_started" };
  }

  const wasStarting = status.phase !== EnvironmentPhase.RUNNING && status.phase !== EnvironmentPhase.UPDATING;
  if (status.phase !== EnvironmentPhase.RUNNING || !inSync(env, status, ctx)) {
    status.phase = EnvironmentPhase.RUNNING;
    status.environmentUrls = ctx.urls(env);
    status.sshPublicKeys = (spec.sshPublicKeys ?? []).map((k) => ({ $typeName: "gitpod.v1.EnvironmentStatus.SSHPublicKey", id: k.id, phase: ContentPhase.READY }));
    status.secrets = (spec.secrets ?? []).map((s) => ({
      $typeName: "gitpod.v1.EnvironmentStatus.Secret",
      id: s.id,
      phase: ContentPhase.READY,
      secretName: s.name,
      failureMessage: "",
      warningMessage: "",
      session: s.session,
    }));
    return wasStarting ? { log: "running", reached: "environment_started" } : { log: "running: spec applied" };
  }
  return undefined;
}

/** Whether the running environment's URLs, SSH keys and secrets match its spec. */
function inSync(env: Environment, status: EnvironmentStatus, ctx: StepContext): boolean {
  const spec = env.spec!;
  const urls = ctx.urls(env);
  const samePorts =
    (status.environmentUrls?.ports.map((p) => `${p.port} ${p.url}`).join() ?? "") === urls.ports.map((p) => `${p.port} ${p.url}`).join();
  const sameKeys = status.sshPublicKeys.map((k) => k.id).join() === spec.sshPublicKeys.map((k) => k.id).join();
  const sameSecrets = status.secrets.map((s) => `${s.id} ${s.session}`).join() === spec.secrets.map((s) => `${s.id} ${s.session}`).join();
  return samePorts && sameKeys && sameSecrets;
}
