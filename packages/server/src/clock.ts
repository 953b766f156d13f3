// Time as the server sees it. Handlers and the simulated runner never call Date.now() or
// setTimeout(): they ask the Clock, so tests can pin time (manualClock) and the testing controls can
// freeze or advance it, with every timer that falls due firing in time order.
import { timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { TimerQueue, type QueuedTimer } from "./timer-queue.js";

export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** The current time as a google.protobuf.Timestamp, for created_at / updated_at fields. */
  now(): Timestamp;
  /**
   * Calls `fire` once `delayMs` of this clock's time have passed (0: as soon as possible, but never
   * synchronously). Returns a function that cancels the timer.
   */
  setTimer(delayMs: number, fire: () => unknown): () => void;
}

/** A clock that can also be moved: what tests and the testing controls use. */
export interface ControllableClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due in time order, each awaited; the
   * promise settles when all have run. With nothing due, time has moved when advance() returns.
   */
  advance(ms: number): Promise<void>;
  /** Sets the time (never backwards while timers are pending: use advance to move forward). */
  set(ms: number): void;
  /** Stops time: only advance() moves it. */
  freeze(): void;
  /** Lets time run with the wall clock again, from where it stands. */
  resume(): void;
  readonly frozen: boolean;
  /** Timers not yet fired. */
  readonly pendingTimers: number;
}

/**
 * A clock that runs with the wall clock (optionally from an offset) until frozen; frozen or not,
 * advance() moves it forward. `start` given: starts frozen at that time (a manual clock).
 */
export function controllableClock(options: { startMs?: number; frozen?: boolean } = {}): ControllableClock {
  const frozenAtStart = options.frozen ?? options.startMs !== undefined;
  // now = wall + offset while running; = pinned while frozen.
  let offset = options.startMs !== undefined ? options.startMs - Date.now() : 0;
  let pinned: number | undefined = frozenAtStart ? (options.startMs ?? Date.now()) : undefined;
  const timers = new TimerQueue();
  let order = 0;
  let wake: NodeJS.Timeout | undefined;
  /** When the armed real timeout is due (undefined: none armed). */
  let wakeAtMs: number | undefined;
  let firing: Promise<void> = Promise.resolve();
  let busy = 0;

  const nowMs = () => pinned ?? Date.now() + offset;

  /** Whether a timer is due at or before `ms`. */
  const hasDue = (ms: number): boolean => {
    const top = timers.peek();
    return top !== undefined && top.dueMs <= ms;
  };

  /** Fires `t`, already taken off the queue. */
  async function fireOne(t: QueuedTimer): Promise<void> {
    try {
      await t.fire();
    } catch (e) {
      console.error("timer failed", e);
    }
  }

  /** One real timeout for the earliest timer (while frozen, only for timers already due). */
  /** `keep`: the clock itself did not move, so a timeout armed for the same due time still fits. */
  function arm(keep = false): void {
    const earliest = timers.peek()?.dueMs;
    // A frozen clock still fires what is already due; the rest waits for advance().
    const due = earliest === undefined || (pinned !== undefined && earliest > pinned) ? undefined : earliest;
    // Already armed for that time (the common case while timers are added behind it): nothing to do.
    if (keep && due !== undefined && wake && wakeAtMs === due) return;
    if (wake) clearTimeout(wake);
    wake = undefined;
    wakeAtMs = undefined;
    if (due === undefined) return;
    wakeAtMs = due;
    wake = setTimeout(() => {
      wake = undefined;
      wakeAtMs = undefined;
      busy += 1;
      firing = firing.then(async () => {
        for (let t = timers.popDue(nowMs()); t; t = timers.popDue(nowMs())) await fireOne(t);
      });
      void firing.then(() => {
        busy -= 1;
        arm();
      });
    }, Math.max(0, due - nowMs()));
    wake.unref();
  }

  const clock: ControllableClock = {
    nowMs,
    now: () => timestampFromMs(nowMs()),
    setTimer(delayMs, fire) {
      const t: QueuedTimer = { dueMs: nowMs() + Math.max(0, delayMs), order: order++, fire, cancelled: false };
      timers.push(t);
      arm(true);
      return () => {
        timers.cancel(t);
        arm(true);
      };
    },
    advance(ms) {
      const moveTo = (target: number) => {
        if (pinned !== undefined) pinned = Math.max(pinned, target);
        else offset = Math.max(offset, target - Date.now());
      };
      const target = nowMs() + Math.max(0, ms);
      // Nothing due and nothing firing: time moves at once, so callers need not await.
      if (busy === 0 && !hasDue(target)) {
        moveTo(target);
        arm();
        return Promise.resolve();
      }
      const run = async () => {
        const end = Math.max(target, nowMs());
        for (let t = timers.popDue(end); t; t = timers.popDue(end)) {
          moveTo(t.dueMs);
          await fireOne(t);
        }
        moveTo(end);
      };
      // One advance at a time, after any timers the wall clock is firing.
      busy += 1;
      const done = firing.then(run).finally(() => {
        busy -= 1;
        arm();
      });
      firing = done.catch(() => undefined);
      return done;
    },
    set(ms) {
      if (pinned !== undefined) pinned = ms;
      else offset = ms - Date.now();
      arm();
    },
    freeze() {
      pinned ??= nowMs();
      arm();
    },
    resume() {
      if (pinned === undefined) return;
      offset = pinned - Date.now();
      pinned = undefined;
      arm();
    },
    get frozen() {
      return pinned !== undefined;
    },
    get pendingTimers() {
      return timers.size;
    },
  };
  return clock;
}

/** The real wall clock, with timers; the testing controls can freeze and advance it. */
export function systemClock(): ControllableClock {
  return controllableClock();
}

/** A clock that only moves when told to; starts at `startMs` (2025-01-01T00:00:00Z by default). */
export function manualClock(startMs = Date.UTC(2025, 0, 1)): ControllableClock {
  return controllableClock({ startMs, frozen: true });
}

/** A clock tests move by hand (the same interface as every controllable clock). */
export type ManualClock = ControllableClock;
