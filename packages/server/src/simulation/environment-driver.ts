// Drives environments: after every committed write of an environment, its next lifecycle step
// (domain/environments/environment-lifecycle.ts) runs one step delay later, in a transaction of its
// own that also does what the step implies — applying the project's automations file, starting or
// stopping automations at the points they trigger on, removing a deleted environment with all of
// it — and appends the step to the environment's log. Running environments with a disconnected
// timeout are stopped that long after their last activity; stopped ones are archived after the idle
// period.
import { clone, create, fromJson } from "@bufbuild/protobuf";
import {
  EnvironmentPhase,
  EnvironmentSchema,
  EnvironmentStatus_ContentPhase as ContentPhase,
  EnvironmentStatus_EnvironmentURLsSchema,
  type Environment,
  type EnvironmentStatus_EnvironmentURLs,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { AutomationsFileSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { ConnectError } from "@connectrpc/connect";
import { applyAutomationsFile, onLifecyclePoint } from "../domain/automations/index.js";
import { archive, environmentLogs, environments, isArchived, isStopped, stepEnvironment, type EnvironmentRecord } from "../domain/environments/index.js";
import { removeEnvironment } from "../domain/removal/index.js";
import type { HandlerDeps } from "../handler-deps.js";
import { forEachRecord } from "../store/scan.js";
import type { StoreChange, Transaction } from "../store/store.js";
import { takeFailure } from "./failure-injections.js";
import type { Driver, SimulatedRunner } from "./simulated-runner.js";

/** Most log lines kept per environment. */
const maxLogLines = 1_000;

const stepKey = (id: string) => `environment/${id}`;
const archiveKey = (id: string) => `environment-archive/${id}`;
const timeoutKey = (id: string) => `environment-timeout/${id}`;

/**
 * When a running environment with a disconnected timeout is stopped for inactivity: that long after
 * its last activity signal or its last start, whichever is later; undefined without a timeout.
 */
function inactivityDeadlineMs(env: Environment): number | undefined {
  const timeout = env.spec?.timeout?.disconnected;
  const timeoutMs = timeout ? Number(timeout.seconds) * 1000 + Math.floor(timeout.nanos / 1e6) : 0;
  if (timeoutMs <= 0) return undefined;
  const ms = (t: { seconds: bigint; nanos: number } | undefined) => (t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : 0);
  return Math.max(ms(env.status?.activitySignal?.timestamp), ms(env.metadata?.lastStartedAt)) + timeoutMs;
}

/** Where a running environment is reached: its ports and logs are served by this server (http/environment-ports.ts, http/environment-logs.ts); SSH is not. */
export function environmentUrls(baseUrl: string, env: Environment): EnvironmentStatus_EnvironmentURLs {
  const host = `${env.id}.environments.gitpod.local`;
  return create(EnvironmentStatus_EnvironmentURLsSchema, {
    ssh: { url: `ssh://gitpod@${host}` },
    ports: (env.spec?.ports ?? []).map((p) => ({ port: p.port, url: `${baseUrl}/environments/${env.id}/ports/${p.port}/` })),
    logs: `${baseUrl}/environments/${env.id}/logs`,
  });
}

/** Appends a line to the environment's log, in the step's transaction. */
export async function appendLog(tx: Transaction, organizationId: string, environmentId: string, nowMs: number, line: string): Promise<void> {
  const logs = tx.collection(environmentLogs);
  const text = `${new Date(nowMs).toISOString()} ${line}`;
  const existing = await logs.get(environmentId, { organizationId });
  if (!existing) await logs.insert({ id: environmentId, organizationId, value: { lines: [text] } });
  else await logs.update(environmentId, (v) => ({ lines: [...v.lines, text].slice(-maxLogLines) }), { organizationId });
}

/**
 * Applies a project's automations file (proto JSON) to the environment, as UpsertAutomationsFile
 * would; returns why it cannot be applied, if so. Checks come before any write, so nothing is
 * half-applied.
 */
async function applyProjectFile(tx: Transaction, deps: HandlerDeps, env: Environment, json: unknown): Promise<string | undefined> {
  const creator = env.metadata?.creator;
  if (!creator) return undefined;
  let file;
  try {
    file = fromJson(AutomationsFileSchema, json as never);
  } catch (e) {
    return (e as Error).message;
  }
  try {
    await applyAutomationsFile(tx, deps, creator, env, file);
    return undefined;
  } catch (e) {
    if (e instanceof ConnectError) return e.rawMessage;
    throw e;
  }
}

export function environmentDriver(options: { baseUrl: () => string }): Driver {
  /** Whether the environment's next step would change it: the step itself, on a copy, with no failure injected. */
  async function wouldStep(runner: SimulatedRunner, record: EnvironmentRecord): Promise<boolean> {
    const result = await stepEnvironment(clone(EnvironmentSchema, record.environment), {
      now: runner.deps.clock.now(),
      failure: () => Promise.resolve(undefined),
      urls: (e) => environmentUrls(options.baseUrl(), e),
      hasProjectAutomationsFile: record.projectAutomationsFile !== undefined,
    });
    return result !== undefined;
  }

  async function step(runner: SimulatedRunner, organizationId: string, id: string): Promise<void> {
    const { deps } = runner;
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(environments).get(id, { organizationId });
      if (!record || !runner.isCurrent(environments.name, record)) return;
      const { environment: env, projectAutomationsFile } = record.value;
      const result = await stepEnvironment(env, {
        now: deps.clock.now(),
        failure: (at) => takeFailure(tx, organizationId, id, at),
        urls: (e) => environmentUrls(options.baseUrl(), e),
        hasProjectAutomationsFile: projectAutomationsFile !== undefined,
      });
      if (!result) return;
      if (result.remove) {
        await removeEnvironment(tx, deps, organizationId, id);
        return;
      }
      let log = result.log;
      if (result.appliedAutomationsFile && projectAutomationsFile !== undefined) {
        const problem = await applyProjectFile(tx, deps, env, projectAutomationsFile);
        if (problem) {
          // A file that cannot be applied fails the file, not the environment (applying wrote nothing).
          const file = env.status!.automationsFile!;
          file.phase = ContentPhase.FAILED;
          file.failureMessage = problem;
          log = `automations file failed: ${problem}`;
        }
      }
      env.status!.statusVersion += 1n;
      const next: EnvironmentRecord = { ...record.value, environment: env };
      if (result.reached === "stopped") next.idleSinceMs = deps.clock.nowMs();
      await tx.collection(environments).update(id, next, { organizationId, expectVersion: record.version });
      await appendLog(tx, organizationId, id, deps.clock.nowMs(), log);
      if (result.reached) await onLifecyclePoint(tx, deps, env, result.reached);
    });
  }

  async function archiveIfIdle(runner: SimulatedRunner, organizationId: string, id: string): Promise<void> {
    const { deps } = runner;
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(environments).get(id, { organizationId });
      if (!record || !runner.isCurrent(environments.name, record)) return;
      const { environment: env, idleSinceMs } = record.value;
      if (!isStopped(env) || idleSinceMs === undefined || idleSinceMs + runner.options.archiveAfterMs > deps.clock.nowMs()) return;
      if (!archive(env, deps.clock.now())) return;
      await tx.collection(environments).update(id, { ...record.value, environment: env }, { organizationId });
      await appendLog(tx, organizationId, id, deps.clock.nowMs(), "archived after being stopped for the idle period");
    });
  }

  async function stopIfInactive(runner: SimulatedRunner, organizationId: string, id: string): Promise<void> {
    const { deps } = runner;
    await deps.store.transaction(async (tx) => {
      const record = await tx.collection(environments).get(id, { organizationId });
      if (!record || !runner.isCurrent(environments.name, record)) return;
      const env = record.value.environment;
      const deadline = inactivityDeadlineMs(env);
      if (env.status?.phase !== EnvironmentPhase.RUNNING || env.spec?.desiredPhase !== EnvironmentPhase.RUNNING) return;
      if (deadline === undefined || deadline > deps.clock.nowMs()) return;
      env.spec.desiredPhase = EnvironmentPhase.STOPPED;
      env.spec.specVersion += 1n;
      const minutes = Math.round(Number(env.spec.timeout!.disconnected!.seconds) / 60);
      env.status.machine!.timeout = `no activity for ${minutes} minutes (disconnected timeout)`;
      env.status.statusVersion += 1n;
      await tx.collection(environments).update(id, { ...record.value, environment: env }, { organizationId });
      await appendLog(tx, organizationId, id, deps.clock.nowMs(), "stopping: disconnected timeout reached");
    });
  }

  /** `step: false`: only the inactivity and archive deadlines (a settled environment found at start). */
  function plan(runner: SimulatedRunner, organizationId: string, record: EnvironmentRecord, options: { step?: boolean } = {}): void {
    const id = record.environment.id;
    if (options.step ?? true) runner.schedule(stepKey(id), () => step(runner, organizationId, id));
    const deadline = record.environment.status?.phase === EnvironmentPhase.RUNNING ? inactivityDeadlineMs(record.environment) : undefined;
    // Re-planned on every write, so a later activity signal moves the deadline.
    runner.cancel(timeoutKey(id));
    if (deadline !== undefined) {
      runner.schedule(timeoutKey(id), () => stopIfInactive(runner, organizationId, id), Math.max(0, deadline - runner.deps.clock.nowMs()));
    }
    const stopped = record.environment.status?.phase === EnvironmentPhase.STOPPED;
    if (stopped && !isArchived(record.environment) && record.idleSinceMs !== undefined) {
      const due = record.idleSinceMs + runner.options.archiveAfterMs - runner.deps.clock.nowMs();
      runner.schedule(archiveKey(id), () => archiveIfIdle(runner, organizationId, id), Math.max(0, due));
    } else runner.cancel(archiveKey(id));
  }

  return {
    collections: [environments.name],
    onChanges(changes: readonly StoreChange[], runner) {
      for (const change of changes) {
        if (change.collection !== environments.name) continue;
        const id = change.record.id;
        if (change.op === "delete") {
          runner.cancel(stepKey(id));
          runner.cancel(archiveKey(id));
          runner.cancel(timeoutKey(id));
        } else plan(runner, change.record.organizationId, change.record.value as EnvironmentRecord);
      }
    },
    // At start only the environments that would move get a step (a store may hold a million settled ones).
    resume: (runner) =>
      forEachRecord(runner.deps.store, environments, async (r) => {
        runner.observe(environments.name, r);
        plan(runner, r.organizationId, r.value, { step: await wouldStep(runner, r.value) });
      }),
  };
}
