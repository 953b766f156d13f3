// Several server processes (replicas) on one PostgreSQL database, as an operator runs them: the
// built CLI (`dist/cli.js`, built by `pnpm --filter @gitpod-connect/server build`), real sockets,
// real signals. What one replica writes the others read, page tokens work across them, every
// replica's event streams deliver every replica's writes, each lifecycle transition of the
// simulated runner happens exactly once however many replicas plan it, and when a replica is
// killed mid-transition a survivor finishes the work.
import type { DescService } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { EnvironmentPhase, EnvironmentService, type Environment } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EventService, ResourceOperation, ResourceType, type WatchEventsResponse } from "@gitpod-connect/schema/gitpod/v1/event";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, postgresMissing, startPostgres, type RunningPostgres } from "../../test-support/postgres.js";
import { killAll, requireBuiltCli, spawnCli, type SpawnedCli } from "../../test-support/spawned-cli.js";

const apiKey = "replicas-admin-key";
const stepDelayMs = 50;

let cluster: RunningPostgres;
let databases = 0;
beforeAll(async () => {
  // No PostgreSQL is a failure with the reason, never a skip.
  const missing = postgresMissing();
  if (missing) throw new Error(`the replica tests need PostgreSQL: ${missing}`);
  requireBuiltCli();
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

// A failed assertion must not leave a replica running.
afterEach(killAll);

interface Replica extends SpawnedCli {
  name: string;
  environmentClassId: string;
  client<S extends DescService>(service: S): Client<S>;
}

/** Starts `node dist/cli.js` on `databaseUrl`; resolves once it listens. */
async function startReplica(name: string, databaseUrl: string): Promise<Replica> {
  const cli = await spawnCli(["--database-url", databaseUrl, "--api-key", apiKey, "--step-delay-ms", String(stepDelayMs)], { name: `replica ${name}`, timeoutMs: 30_000 });
  const environmentClassId = /environment class (\S+)/.exec(cli.output())?.[1];
  if (!environmentClassId) throw new Error(`replica ${name} printed no bootstrap environment class:\n${cli.output()}`);
  return { ...cli, name, environmentClassId, client: (service) => cli.client(service, apiKey) };
}

/** A fresh database of the cluster and two (or more) replicas on it, started one after another. */
async function startReplicas(names: string[]): Promise<Replica[]> {
  const url = await createDatabase(cluster, `replicas_${++databases}`);
  const replicas: Replica[] = [];
  // One after another: the first bootstraps the empty database, the others resume its state.
  for (const name of names) replicas.push(await startReplica(name, url));
  return replicas;
}

interface SeenEvent {
  operation: string;
  type: string;
  id: string;
  atMs: number;
}

/** Every event of the organization one replica streams, as they arrive. */
interface EventLog {
  replica: string;
  events: SeenEvent[];
  /** Resolves once an event matching `predicate` arrived; rejects after `timeoutMs`. */
  until(predicate: (e: SeenEvent) => boolean, timeoutMs?: number): Promise<SeenEvent>;
  cancel(): void;
}

function watchEvents(replica: Replica): EventLog {
  const abort = new AbortController();
  const events: SeenEvent[] = [];
  const waiters = new Set<() => void>();
  let failure: Error | undefined;
  void (async () => {
    try {
      for await (const e of replica.client(EventService).watchEvents({ scope: { case: "organization", value: true } }, { signal: abort.signal })) {
        events.push(describe_(e));
        for (const w of waiters) w();
      }
    } catch (e) {
      if (!abort.signal.aborted) failure = e instanceof Error ? e : new Error(String(e));
      for (const w of waiters) w();
    }
  })();
  return {
    replica: replica.name,
    events,
    until(predicate, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const failed = failure;
          if (failed) return done(() => reject(failed));
          const found = events.find(predicate);
          if (found) done(() => resolve(found));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${replica.name}: no matching event within ${timeoutMs} ms`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    cancel: () => abort.abort(),
  };
}

function describe_(e: WatchEventsResponse): SeenEvent {
  return { operation: ResourceOperation[e.operation] ?? String(e.operation), type: ResourceType[e.resourceType] ?? String(e.resourceType), id: e.resourceId, atMs: Date.now() };
}

/**
 * Watches on every replica and waits until each stream is subscribed: a server does not say when
 * it is, so probe runners are created (through the first replica) until every stream has seen one.
 */
async function watchAll(replicas: Replica[]): Promise<EventLog[]> {
  const logs = replicas.map(watchEvents);
  const probes = new Set<string>();
  const deadline = Date.now() + 15_000;
  while (!logs.every((l) => l.events.some((e) => e.type === "RUNNER" && probes.has(e.id)))) {
    if (Date.now() > deadline) throw new Error("the event streams never delivered a probe write");
    const { runner } = await replicas[0]!.client(RunnerService).createRunner({ name: `probe ${probes.size}`, provider: RunnerProvider.GCP });
    probes.add(runner!.runnerId);
    await sleep(200);
  }
  return logs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function environmentSpec(replica: Replica) {
  return {
    machine: { class: replica.environmentClassId },
    content: { initializer: { specs: [{ spec: { case: "contextUrl" as const, value: { url: "https://github.com/gitpod-io/gitpod/tree/main" } } }] } },
  };
}

/** Polls `replica` until every environment of `ids` is RUNNING; returns when each was first seen so. */
async function untilAllRunning(replica: Replica, ids: string[], timeoutMs = 30_000): Promise<Map<string, number>> {
  const runningAt = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  const wanted = new Set(ids);
  for (;;) {
    const envs = await listAll(replica);
    for (const env of envs) {
      if (wanted.has(env.id) && env.status?.phase === EnvironmentPhase.RUNNING && !runningAt.has(env.id)) runningAt.set(env.id, Date.now());
    }
    if (runningAt.size === wanted.size) return runningAt;
    if (Date.now() > deadline) {
      const phases = envs.filter((e) => wanted.has(e.id)).map((e) => `${e.id}: ${EnvironmentPhase[e.status?.phase ?? 0]}`);
      throw new Error(`not every environment reached RUNNING within ${timeoutMs} ms on ${replica.name}:\n${phases.join("\n")}\n${replica.output()}`);
    }
    await sleep(20);
  }
}

async function listAll(replica: Replica): Promise<Environment[]> {
  const all: Environment[] = [];
  let token = "";
  do {
    const res = await replica.client(EnvironmentService).listEnvironments({ pagination: { pageSize: 100, token } });
    all.push(...res.environments);
    token = res.pagination?.nextToken ?? "";
  } while (token);
  return all;
}

/** The environment's log (one line per lifecycle step its runner made), without the timestamps. */
async function stepLog(replica: Replica, id: string): Promise<string[]> {
  const envs = replica.client(EnvironmentService);
  const { accessToken } = await envs.createEnvironmentLogsToken({ environmentId: id });
  const res = await fetch(`${replica.url}/environments/${id}/logs`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect(res.status).toBe(200);
  return (await res.text())
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replace(/^\S+ /, ""));
}

/** Waits until no new event arrived on any stream for `quietMs`. */
async function untilQuiet(logs: EventLog[], quietMs = 500, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let counts = logs.map((l) => l.events.length).join();
  for (;;) {
    await sleep(quietMs);
    const now = logs.map((l) => l.events.length).join();
    if (now === counts || Date.now() > deadline) return;
    counts = now;
  }
}

const eventsOf = (log: EventLog, id: string) => log.events.filter((e) => e.id === id).map((e) => e.operation);

/**
 * Checks that each environment went through its lifecycle exactly once (no step made twice, none
 * left out: every log the same sequence of distinct steps, ending with "running"), and that every
 * stream delivered the same events for it: one CREATE and one UPDATE_STATUS per step.
 */
async function expectExactlyOnce(replicas: Replica[], logs: EventLog[], ids: string[]) {
  const sequences = new Map<string, string[]>();
  for (const id of ids) sequences.set(id, await stepLog(replicas[0]!, id));
  const reference = sequences.get(ids[0]!)!;
  expect(reference.at(-1)).toBe("running");
  expect(new Set(reference).size, `steps repeated: ${reference.join(" | ")}`).toBe(reference.length);
  for (const [id, steps] of sequences) expect(steps, `the steps of ${id}`).toEqual(reference);

  const statusVersions = new Set<bigint>();
  for (const id of ids) {
    const { environment } = await replicas[0]!.client(EnvironmentService).getEnvironment({ environmentId: id });
    statusVersions.add(environment!.status!.statusVersion);
  }
  expect(statusVersions.size, `status versions ${[...statusVersions].join(", ")}`).toBe(1);

  const expected = ["CREATE", ...reference.map(() => "UPDATE_STATUS")];
  for (const log of logs) {
    for (const id of ids) expect(eventsOf(log, id), `${log.replica}'s events of ${id}`).toEqual(expected);
  }
  return { steps: reference, statusVersion: [...statusVersions][0]! };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

describe("replicas on one PostgreSQL database", () => {
  it("read each other's writes, and accept each other's page tokens", async () => {
    const [a, b] = await startReplicas(["A", "B"]);
    expect(b!.output()).toContain("resumed with the state of earlier starts");
    const { runner } = await a!.client(RunnerService).createRunner({ name: "made on A", provider: RunnerProvider.GCP });
    const id = runner!.runnerId;

    const got = await b!.client(RunnerService).getRunner({ runnerId: id });
    expect(got.runner?.name).toBe("made on A");
    const listedOnB = (await b!.client(RunnerService).listRunners({ pagination: { pageSize: 100 } })).runners.map((r) => r.runnerId);
    expect(listedOnB).toContain(id);

    // A page token of A continues on B: the replicas share the secret that seals page tokens.
    await a!.client(RunnerService).createRunner({ name: "second made on A", provider: RunnerProvider.GCP });
    const everything = (await a!.client(RunnerService).listRunners({ pagination: { pageSize: 100 } })).runners.map((r) => r.runnerId);
    const first = await a!.client(RunnerService).listRunners({ pagination: { pageSize: 1 } });
    const pages = [first.runners.map((r) => r.runnerId)];
    let token = first.pagination?.nextToken ?? "";
    expect(token).not.toBe("");
    while (token) {
      const page = await b!.client(RunnerService).listRunners({ pagination: { pageSize: 1, token } });
      pages.push(page.runners.map((r) => r.runnerId));
      token = page.pagination?.nextToken ?? "";
    }
    expect(pages.flat()).toEqual(everything);
    console.log(`replicas (a): runner made on A read on B; ${pages.length} pages of 1 (first on A, the rest on B) = the ${everything.length} runners A lists`);
  }, 60_000);

  it("stream each other's writes: WatchEvents on B delivers an environment created through A", async () => {
    const [a, b] = await startReplicas(["A", "B"]);
    const [onB] = await watchAll([b!, a!]).then((logs) => [logs[0]!, logs[1]!]);
    const started = Date.now();
    const { environment } = await a!.client(EnvironmentService).createEnvironment({ spec: environmentSpec(a!) });
    const event = await onB!.until((e) => e.id === environment!.id && e.operation === "CREATE", 5_000);
    expect(event.type).toBe("ENVIRONMENT");
    console.log(`replicas (b): B's stream delivered the CREATE of an environment made through A ${event.atMs - started} ms after the call`);
  }, 60_000);

  it("under concurrent load make every lifecycle transition exactly once, and every replica streams every event", async () => {
    const replicas = await startReplicas(["A", "B", "C"]);
    const logs = await watchAll(replicas);
    const count = 20;
    const started = Date.now();
    // Alternately through A and B (C only plans steps and streams), all at once.
    const created = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const via = replicas[i % Math.min(2, replicas.length)]!;
        const { environment } = await via.client(EnvironmentService).createEnvironment({ spec: environmentSpec(via) });
        return { id: environment!.id, atMs: Date.now() };
      }),
    );
    const ids = created.map((c) => c.id);
    const runningAt = await untilAllRunning(replicas.at(-1)!, ids);
    await untilQuiet(logs);
    const { steps, statusVersion } = await expectExactlyOnce(replicas, logs, ids);
    const toRunning = created.map((c) => runningAt.get(c.id)! - c.atMs);
    for (const log of logs) {
      const mine = log.events.filter((e) => ids.includes(e.id));
      console.log(`replicas (c): ${log.replica} streamed ${mine.length} events of the ${count} environments (${log.events.length} in all)`);
    }
    console.log(
      `replicas (c): ${count} environments through A and B, 3 replicas planning; each made ${steps.length} transitions ` +
        `(${steps.join(" → ")}), status_version ${statusVersion}; ${count * steps.length} transitions in all, none twice; ` +
        `time to RUNNING p50 ${percentile(toRunning, 50)} ms, max ${Math.max(...toRunning)} ms (step delay ${stepDelayMs} ms); all RUNNING after ${Date.now() - started} ms`,
    );
    for (const log of logs) log.cancel();
  }, 120_000);

  it("take over: when a replica is killed (SIGKILL) mid-lifecycle, the survivor brings its environments to RUNNING", async () => {
    const [a, b] = await startReplicas(["A", "B"]);
    const [onA, onB] = await watchAll([a!, b!]);
    const count = 10;
    const created = await Promise.all(
      Array.from({ length: count }, async () => {
        const { environment } = await a!.client(EnvironmentService).createEnvironment({ spec: environmentSpec(a!) });
        return { id: environment!.id, atMs: Date.now() };
      }),
    );
    const ids = created.map((c) => c.id);
    // A few steps in (each is one step delay), not yet RUNNING: kill A.
    await sleep(stepDelayMs * 3);
    a!.child.kill("SIGKILL");
    await a!.exit;
    const killedAt = Date.now();
    const atKill = (await listAll(b!)).filter((e) => ids.includes(e.id));
    const phasesAtKill = atKill.map((e) => EnvironmentPhase[e.status?.phase ?? 0]);
    expect(atKill.filter((e) => e.status?.phase === EnvironmentPhase.RUNNING).length, `phases when A was killed: ${phasesAtKill.join(", ")}`).toBeLessThan(count);

    const runningAt = await untilAllRunning(b!, ids);
    await untilQuiet([onB!]);
    const { steps } = await expectExactlyOnce([b!], [onB!], ids);
    const afterKill = [...runningAt.values()].map((t) => t - killedAt);
    const byA = onA!.events.filter((e) => ids.includes(e.id) && e.operation === "UPDATE_STATUS").length;
    console.log(
      `replicas (d): ${count} environments created through A, A killed ${killedAt - created[0]!.atMs} ms later with their phases ${[...new Set(phasesAtKill)].join("/")}; ` +
        `B brought all to RUNNING ${Math.max(...afterKill)} ms after the kill; each made its ${steps.length} transitions once ` +
        `(${count * steps.length} in all; A had streamed ${byA} status events before it died, B all ${onB!.events.filter((e) => ids.includes(e.id)).length} events)`,
    );
    onA!.cancel();
    onB!.cancel();
  }, 120_000);
});
