// Runs the selected scenarios once per declared protocol and classifies each result: passed,
// failed, skipped (with the reason) or a known deviation. Scenario runs (a scenario on a protocol)
// run concurrently, `concurrency` at once, longest time limit first; those that need the testing
// controls run afterwards, one at a time, since a reset, a frozen clock or an injected RPC
// failure reaches every caller of the target. Results are reported in scenario order.
import { randomBytes } from "node:crypto";
import { AssertionError } from "node:assert";
import { setTimeout as sleep } from "node:timers/promises";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { codeName } from "./expect.js";
import { findDeviation, type Deviation } from "./deviations.js";
import { discoverFixtures, discoverOrganization, FixturesError } from "./fixtures.js";
import { ScenarioFailure, type Fixtures, type Need, type Protocol, type Scenario, type ScenarioContext } from "./scenario.js";
import { probeTestingControls, type ControlsStatus, type HttpTestingControls } from "./testing-controls.js";
import { clientFactory, createTransportPool, type TransportPool } from "./transports.js";

export type Outcome = "passed" | "failed" | "skipped" | "known-deviation";

export interface ScenarioResult {
  readonly id: string;
  readonly service: string;
  readonly rpc: string;
  readonly title: string;
  readonly protocol: Protocol;
  readonly outcome: Outcome;
  /** Why it failed or was skipped (for a known deviation: the failure). */
  readonly message?: string;
  /** The reason of the deviation that matched: a known deviation, or a passed result whose deviation is fixed. */
  readonly deviation?: string;
  readonly durationMs: number;
}

export interface Totals {
  /** Results: scenarios × protocols. */
  readonly results: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly knownDeviations: number;
}

export interface SuiteReport {
  readonly target: {
    readonly url: string;
    readonly protocols: readonly Protocol[];
    readonly organizationId: string;
    /** The second organization, or why its scenarios are skipped. */
    readonly secondOrganization: { readonly organizationId: string } | { readonly skippedBecause: string };
    readonly testingControls: { readonly url: string } | { readonly skippedBecause: string };
  };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly results: readonly ScenarioResult[];
  readonly totals: Totals;
  /** Passed results a deviation still excuses, deviations nothing matched, a clock the kit could not resume. */
  readonly warnings: readonly string[];
  /** No result failed (known deviations aside). */
  readonly ok: boolean;
}

export interface RunSuiteOptions {
  readonly url: string;
  readonly token: string;
  readonly protocols: readonly Protocol[];
  readonly scenarios: readonly Scenario[];
  readonly secondToken?: string;
  readonly testingUrl?: string;
  readonly testingToken?: string;
  readonly deviations?: readonly Deviation[];
  readonly concurrency?: number;
  /** Called with each result as it is known (the CLI prints failures as they come). */
  readonly onResult?: (result: ScenarioResult) => void;
}

export { FixturesError };

const defaultScenarioTimeoutMs = 30_000;
const defaultWaitTimeoutMs = 20_000;
const pollIntervalMs = 50;
/** How far `waitFor` moves a clock the scenario froze, per poll. */
const frozenClockStepMs = 50;
const cleanupTimeoutMs = 15_000;

/** Thrown by `ctx.skip`. */
class Skip extends Error {
  override readonly name = "Skip";
}

class Timeout extends Error {
  override readonly name = "Timeout";
}

/** Whether an error is a cleanup deleting something that is gone already (nothing to undo). */
function isNotFound(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.NotFound;
}

/** A short, single-value preview for messages. */
export function preview(value: unknown, max = 200): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Where in a scenario file the error was thrown, if the stack says: " (at environment-service.ts:120)". */
function scenarioLocation(error: Error): string {
  const frame = error.stack?.split("\n").find((line) => /[\\/]scenarios[\\/][^\\/]+\.[jt]s:\d+/.test(line));
  const m = frame ? /[\\/]scenarios[\\/]([^\\/]+\.[jt]s:\d+)/.exec(frame) : null;
  return m ? ` (at ${m[1]})` : "";
}

/** The message a report shows for what a scenario threw. */
export function describeFailure(error: unknown): string {
  if (error instanceof ScenarioFailure) return error.message + scenarioLocation(error);
  if (error instanceof AssertionError) {
    const text = error.message.length > 800 ? `${error.message.slice(0, 800)}…` : error.message;
    return text + scenarioLocation(error);
  }
  if (error instanceof ConnectError) return `unexpected ${codeName(error.code)}: ${error.rawMessage}${scenarioLocation(error)}`;
  if (error instanceof Error) return `${error.name}: ${error.message}${scenarioLocation(error)}`;
  return `threw ${preview(error)}`;
}

function needsReason(need: Need, secondOrg: string | undefined, controls: ControlsStatus): string | undefined {
  switch (need) {
    case "second-organization":
      return secondOrg === undefined ? "needs a second organization: no --second-token given" : undefined;
    case "testing-controls":
      return controls.available ? undefined : `needs testing controls: ${controls.reason}`;
  }
}

interface RunEnvironment {
  readonly pool: TransportPool;
  readonly token: string;
  readonly fixtures: Fixtures;
  readonly second?: { readonly token: string; readonly organizationId: string };
  readonly controls: ControlsStatus;
  readonly warnings: string[];
}

/** One scenario on one protocol: run, time limit, cleanups; the result without deviations applied. */
async function runOnce(scenario: Scenario, protocol: Protocol, env: RunEnvironment): Promise<Omit<ScenarioResult, "deviation">> {
  const base = { id: scenario.id, service: scenario.service, rpc: scenario.rpc, title: scenario.title, protocol };
  const started = Date.now();
  const needs = scenario.needs ?? [];
  for (const need of needs) {
    const reason = needsReason(need, env.second?.organizationId, env.controls);
    if (reason !== undefined) return { ...base, outcome: "skipped", message: reason, durationMs: 0 };
  }

  // Calls are tied to the phase they start in: the scenario's (aborted at its time limit), then
  // the cleanups' (with their own limit); both are aborted at the end, which ends leftover streams.
  const runController = new AbortController();
  const cleanupController = new AbortController();
  let phase: AbortController = runController;
  const signal = () => phase.signal;
  const clientsFor = (token: string | undefined) => clientFactory(env.pool.transport(protocol, token, signal));
  const cleanups: (() => Promise<unknown>)[] = [];
  const timeoutMs = scenario.timeoutMs ?? defaultScenarioTimeoutMs;
  const deadline = started + timeoutMs;
  const controls: HttpTestingControls | undefined = needs.includes("testing-controls") && env.controls.available ? env.controls.controls : undefined;

  const ctx: ScenarioContext = {
    protocol,
    client: clientsFor(env.token),
    clientWithToken: <S extends DescService>(service: S, token: string | undefined): Client<S> =>
      createClient(service, env.pool.transport(protocol, token, signal)),
    fixtures: env.fixtures,
    otherOrganization:
      needs.includes("second-organization") && env.second
        ? { fixtures: { organizationId: env.second.organizationId }, client: clientsFor(env.second.token) }
        : undefined,
    controls,
    async waitFor<T>(what: string, probe: () => Promise<T>, until: (value: T) => boolean, options: { timeoutMs?: number } = {}): Promise<T> {
      // Fail here, naming what was awaited, rather than at the scenario's own limit.
      const limit = Math.max(0, Math.min(options.timeoutMs ?? defaultWaitTimeoutMs, deadline - Date.now() - 250));
      const waitDeadline = Date.now() + limit;
      let last: { value: T } | undefined;
      for (;;) {
        if (runController.signal.aborted) throw new Timeout(`stopped while waiting for ${what}`);
        const value = await probe();
        last = { value };
        if (until(value)) return value;
        if (Date.now() >= waitDeadline) break;
        if (controls?.frozen) {
          await controls.advanceClock(frozenClockStepMs);
          await sleep(5);
        } else {
          await sleep(pollIntervalMs);
        }
      }
      throw new ScenarioFailure(`timed out after ${limit} ms waiting for ${what}; last seen: ${preview(last.value)}`);
    },
    cleanup(step) {
      cleanups.push(step);
    },
    uniqueName(prefix) {
      return `${prefix}-${randomBytes(4).toString("hex")}`;
    },
    skip(reason): never {
      throw new Skip(reason);
    },
  };

  let failure: unknown;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const running = (async () => scenario.run(ctx))();
  try {
    await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    failure = error;
    timedOut = error instanceof Timeout;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) {
    // Cancel what it still waits for, and give it a moment to register its last cleanups.
    runController.abort(new Timeout("the scenario timed out"));
    await Promise.race([running.catch(() => undefined), sleep(1_000)]);
  }

  phase = cleanupController;
  const cleanupTimer = setTimeout(() => cleanupController.abort(new Timeout("cleanup timed out")), cleanupTimeoutMs);
  const cleanupErrors: string[] = [];
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      if (!isNotFound(error)) cleanupErrors.push(describeFailure(error));
    }
  }
  clearTimeout(cleanupTimer);
  runController.abort();
  cleanupController.abort();
  if (controls) {
    // Leave the target as the next scenario expects it: the clock running, no injected RPC failures.
    try {
      if (controls.frozen) await controls.resumeClock();
      await controls.clearRpcFailures();
    } catch (error) {
      env.warnings.push(`${scenario.id} [${protocol}]: could not restore the testing controls: ${describeFailure(error)}`);
    }
  }

  const durationMs = Date.now() - started;
  const cleanupNote = cleanupErrors.length > 0 ? `cleanup failed: ${cleanupErrors.join("; ")}` : undefined;
  if (failure === undefined) {
    return cleanupNote === undefined ? { ...base, outcome: "passed", durationMs } : { ...base, outcome: "failed", message: cleanupNote, durationMs };
  }
  if (failure instanceof Skip) {
    return cleanupNote === undefined ? { ...base, outcome: "skipped", message: failure.message, durationMs } : { ...base, outcome: "failed", message: cleanupNote, durationMs };
  }
  const message = failure instanceof Timeout ? failure.message : describeFailure(failure);
  return { ...base, outcome: "failed", message: cleanupNote === undefined ? message : `${message}; ${cleanupNote}`, durationMs };
}

/** Applies the deviations file: a failure it names is known; a pass it names is worth a warning. */
function withDeviation(result: Omit<ScenarioResult, "deviation">, deviations: readonly Deviation[], warnings: string[]): ScenarioResult {
  const deviation = findDeviation(deviations, result, result.protocol);
  if (deviation === undefined) return result;
  if (result.outcome === "failed") return { ...result, outcome: "known-deviation", deviation: deviation.reason };
  if (result.outcome === "passed") {
    warnings.push(`deviation fixed: ${result.id} [${result.protocol}] passes; remove "${deviation.scenario}" from the deviations file (${deviation.reason})`);
    return { ...result, deviation: deviation.reason };
  }
  return result;
}

export function totalsOf(results: readonly ScenarioResult[]): Totals {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  return { results: results.length, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), knownDeviations: count("known-deviation") };
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Discovers the fixtures, probes the testing controls and runs every scenario on every protocol.
 * Throws `FixturesError` when the target lacks what every scenario needs (the CLI exits 1).
 */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteReport> {
  const startedAt = new Date();
  const protocols = options.protocols;
  if (protocols.length === 0) throw new FixturesError("no protocol to run");
  const transports = createTransportPool(options.url);
  try {
    const discovery = transports.transport(protocols[0]!, options.token);
    const fixtures = await discoverFixtures(discovery);
    let second: RunEnvironment["second"];
    if (options.secondToken !== undefined) {
      const organizationId = await discoverOrganization(transports.transport(protocols[0]!, options.secondToken), "--second-token");
      if (organizationId === fixtures.organizationId) {
        throw new FixturesError(`--second-token: its user is in the same organization as --token's (${organizationId}); isolation needs another organization`);
      }
      second = { token: options.secondToken, organizationId };
    }
    const testingUrl = options.testingUrl ?? options.url;
    const controls = await probeTestingControls(testingUrl, options.testingToken);
    const warnings: string[] = [];
    const env: RunEnvironment = { pool: transports, token: options.token, fixtures, second, controls, warnings };
    const deviations = options.deviations ?? [];

    // One task per scenario and protocol. The longest (by declared time limit) start first, so a
    // scenario that waits out a real-time grace period does not end the run alone.
    type Task = { scenario: Scenario; index: number; protocol: Protocol };
    const tasks: Task[] = options.scenarios.flatMap((scenario, index) => protocols.map((protocol) => ({ scenario, index, protocol })));
    const results: (ScenarioResult | undefined)[] = new Array<ScenarioResult | undefined>(tasks.length);
    const runTask = async (task: Task) => {
      const result = withDeviation(await runOnce(task.scenario, task.protocol, env), deviations, warnings);
      results[task.index * protocols.length + protocols.indexOf(task.protocol)] = result;
      options.onResult?.(result);
    };
    const exclusive = (t: Task) => (t.scenario.needs ?? []).includes("testing-controls") && controls.available;
    const limit = (t: Task) => t.scenario.timeoutMs ?? defaultScenarioTimeoutMs;
    const shared = tasks.filter((t) => !exclusive(t)).sort((a, b) => limit(b) - limit(a));
    await pool(shared, options.concurrency ?? 4, runTask);
    for (const task of tasks.filter(exclusive)) await runTask(task);

    const ordered = results.filter((r): r is ScenarioResult => r !== undefined);
    for (const d of deviations) {
      if (!options.scenarios.some((s) => findDeviation([d], s, d.protocol ?? protocols[0]!) !== undefined)) {
        warnings.push(`deviation matches no scenario of this run: "${d.scenario}"${d.protocol ? ` (${d.protocol})` : ""}`);
      }
    }
    const totals = totalsOf(ordered);
    return {
      target: {
        url: options.url,
        protocols,
        organizationId: fixtures.organizationId,
        secondOrganization: second ? { organizationId: second.organizationId } : { skippedBecause: "no --second-token given" },
        testingControls: controls.available ? { url: testingUrl } : { skippedBecause: controls.reason },
      },
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      results: ordered,
      totals,
      warnings,
      ok: totals.failed === 0,
    };
  } finally {
    transports.close();
  }
}
