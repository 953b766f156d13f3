import { describe, expect, it } from "vitest";
import { controllableClock, manualClock } from "./clock.js";
import { TimerQueue, type QueuedTimer } from "./timer-queue.js";

const timer = (dueMs: number, order: number): QueuedTimer => ({ dueMs, order, fire: () => undefined, cancelled: false });

describe("the clock's timer queue", () => {
  it("pops due timers earliest first, ties in the order they were set, and skips cancelled ones", () => {
    const q = new TimerQueue();
    const ts = [timer(30, 0), timer(10, 1), timer(20, 2), timer(10, 3), timer(5, 4)];
    ts.forEach((t) => q.push(t));
    q.cancel(ts[4]!);
    expect(q.size).toBe(4);
    expect(q.popDue(15)).toBe(ts[1]);
    expect(q.popDue(15)).toBe(ts[3]);
    expect(q.popDue(15)).toBeUndefined();
    expect(q.peek()).toBe(ts[2]);
    expect([q.popDue(100), q.popDue(100), q.popDue(100)]).toEqual([ts[2], ts[0], undefined]);
    expect(q.size).toBe(0);
  });

  it("holds a million timers (a durable store resumed at scale) without overflowing the stack", async () => {
    const clock = manualClock();
    const fired: number[] = [];
    for (let i = 0; i < 1_000_000; i++) clock.setTimer(1_000_000 - i, () => void (i % 250_000 === 0 && fired.push(i)));
    expect(clock.pendingTimers).toBe(1_000_000);
    await clock.advance(1_000_000);
    expect(clock.pendingTimers).toBe(0);
    expect(fired).toEqual([750_000, 500_000, 250_000, 0]);
  });

  it("re-arms the wall-clock timeout when the clock is set, though the earliest due time stays the same", async () => {
    const clock = controllableClock();
    let fired = false;
    clock.setTimer(60_000, () => (fired = true));
    clock.set(clock.nowMs() + 60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(true);
  });
});
