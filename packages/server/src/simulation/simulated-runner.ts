// The simulated runner: the part of the server that does what a real runner (and the environment's
// supervisor) would do — move environments, services and task executions from the phase they are
// in towards the one their spec asks for, one step at a time.
//
// It is driven by the store's change feed, never by handlers: a handler only writes a spec; each
// driver sees the committed write, and when its resource is not settled schedules the next step
// after one step delay on the server's clock. A step is one store transaction that makes one
// transition (and so writes, which schedules the step after it). Tests move the manual clock by
// one step delay to observe each intermediate phase; a frozen clock stops all progress.
//
// Several servers may share one database (a SQL store's replicas), each with its own simulated
// runner that sees every replica's commits. Each plans every step, so that when one dies another
// takes over; a step applies only to the version of the record its runner last saw (`isCurrent`):
// the first replica to take the store's write lock makes the transition, and the others, finding a
// version they have not seen yet, leave it — each transition happens exactly once.
import type { HandlerDeps } from "../handler-deps.js";
import type { StoreChange, StoredRecord } from "../store/store.js";

export interface SimulationOptions {
  /** How long each lifecycle step takes on the server's clock (0: as soon as possible). */
  readonly stepDelayMs: number;
  /** Stopped environments are archived after this long without being started again. */
  readonly archiveAfterMs: number;
}

export const defaultSimulationOptions: SimulationOptions = {
  stepDelayMs: 100,
  archiveAfterMs: 7 * 24 * 60 * 60 * 1000,
};

/** One kind of resource the simulated runner moves (environments, services, task executions, …). */
export interface Driver {
  /** The collections whose records it moves (their versions are tracked for `isCurrent`). */
  readonly collections: readonly string[];
  /** Reacts to committed writes, typically by scheduling a step for each resource left unsettled. */
  onChanges(changes: readonly StoreChange[], runner: SimulatedRunner): void;
  /** Schedules the work already in the store when the runner starts (state from before a restart). */
  resume?(runner: SimulatedRunner): Promise<void>;
}

export interface SimulatedRunner {
  readonly deps: HandlerDeps;
  readonly options: SimulationOptions;
  /**
   * Runs `step` for the resource `key` (e.g. "environment/<id>") after `delayMs` (default: one step
   * delay). While a step for the key is pending, scheduling again keeps the earlier one.
   */
  schedule(key: string, step: () => Promise<void>, delayMs?: number): void;
  /** Cancels the pending step of `key`, if any. */
  cancel(key: string): void;
  /** Whether a step for `key` is pending. */
  isScheduled(key: string): boolean;
  /** Notes a record read at start (`resume`): the version steps may apply to. */
  observe(collection: string, record: StoredRecord<unknown>): void;
  /**
   * Whether `record` (read in a step's transaction) is the version this runner last saw committed:
   * false when another replica changed it meanwhile, whose change this runner has yet to see —
   * then the step must leave it; the change, when it arrives, plans the next step.
   */
  isCurrent(collection: string, record: StoredRecord<unknown>): boolean;
  /** Stops reacting to writes and cancels every pending step. */
  stop(): void;
}

/** Starts the simulated runner with its drivers: from now on, committed writes drive them. */
export async function startSimulatedRunner(
  deps: HandlerDeps,
  options: SimulationOptions,
  drivers: readonly Driver[],
): Promise<SimulatedRunner> {
  const pending = new Map<string, { dueMs: number; cancel: () => void }>();
  let stopped = false;
  // Only a shared store can hold a version this runner has not seen: otherwise nothing is tracked.
  const tracked = new Set(deps.store.shared ? drivers.flatMap((d) => d.collections) : []);
  /** "collection/id" → the version last seen committed, for the collections the drivers move. */
  const versions = new Map<string, number>();

  const runner: SimulatedRunner = {
    deps,
    options,
    schedule(key, step, delayMs = options.stepDelayMs) {
      if (stopped) return;
      const dueMs = deps.clock.nowMs() + delayMs;
      const existing = pending.get(key);
      if (existing && existing.dueMs <= dueMs) return;
      existing?.cancel();
      const cancel = deps.clock.setTimer(delayMs, async () => {
        if (pending.get(key)?.cancel !== cancel) return;
        pending.delete(key);
        if (stopped) return;
        try {
          await step();
        } catch (e) {
          console.error(`simulated runner: step ${key} failed`, e);
        }
      });
      pending.set(key, { dueMs, cancel });
    },
    cancel(key) {
      pending.get(key)?.cancel();
      pending.delete(key);
    },
    isScheduled: (key) => pending.has(key),
    observe(collection, record) {
      if (tracked.has(collection)) versions.set(`${collection}/${record.id}`, record.version);
    },
    isCurrent: (collection, record) => (versions.get(`${collection}/${record.id}`) ?? record.version) === record.version,
    stop() {
      stopped = true;
      unsubscribe();
      for (const { cancel } of pending.values()) cancel();
      pending.clear();
    },
  };

  const unsubscribe = deps.store.onCommit((changes) => {
    for (const change of changes) {
      if (!tracked.has(change.collection)) continue;
      const key = `${change.collection}/${change.record.id}`;
      if (change.op === "delete") versions.delete(key);
      else versions.set(key, change.record.version);
    }
    for (const driver of drivers) driver.onChanges(changes, runner);
  });
  for (const driver of drivers) await driver.resume?.(runner);
  return runner;
}
