// Time as the server sees it. Handlers never call Date.now(): they ask the Clock, so tests can
// pin time (manualClock) and assert exact timestamps.
import { timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";

export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** The current time as a google.protobuf.Timestamp, for created_at / updated_at fields. */
  now(): Timestamp;
}

/** The real wall clock. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => timestampFromMs(Date.now()),
};

export interface ManualClock extends Clock {
  /** Sets the time. */
  set(ms: number): void;
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
}

/** A clock that only moves when told to; starts at `startMs` (2025-01-01T00:00:00Z by default). */
export function manualClock(startMs = Date.UTC(2025, 0, 1)): ManualClock {
  let ms = startMs;
  return {
    nowMs: () => ms,
    now: () => timestampFromMs(ms),
    set(next) {
      ms = next;
    },
    advance(by) {
      ms += by;
    },
  };
}
